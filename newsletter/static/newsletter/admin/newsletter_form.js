// Newsletter form: show only the day field the chosen cadence uses
// (weekly: day of the week; monthly: day of the month; daily: neither).
// The topic chooser opens in the language chosen in the form: Wagtail's choosers
// read wagtailConfig.ACTIVE_CONTENT_LOCALE when they open.
(function () {
  "use strict";
  var FIELD_FOR_CADENCE = { weekly: "send_weekday", monthly: "send_day_of_month" };

  function fieldWrapper(input) {
    return input.closest("[data-field-wrapper]") || input.closest(".w-field__wrapper") || input.parentElement;
  }

  function update(select) {
    var wanted = FIELD_FOR_CADENCE[select.value];
    document.querySelectorAll("[data-cadence-field]").forEach(function (input) {
      var show = input.getAttribute("data-cadence-field") === wanted;
      var wrapper = fieldWrapper(input);
      wrapper.hidden = !show;
      input.required = show;
    });
  }

  function followLocale(select) {
    var codes = JSON.parse(select.getAttribute("data-locale-codes") || "{}");
    function sync() {
      if (window.wagtailConfig && codes[select.value]) {
        window.wagtailConfig.ACTIVE_CONTENT_LOCALE = codes[select.value];
      }
    }
    sync();
    select.addEventListener("change", sync);
  }

  function init() {
    var locale = document.querySelector("select[data-locale-codes]");
    if (locale) followLocale(locale);
    var select = document.querySelector("select[data-cadence]");
    if (!select) return;
    update(select);
    select.addEventListener("change", function () { update(select); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
