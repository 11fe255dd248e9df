/*
 * Notiziario's own preview client (/anteprima/): fetches the draft from
 * /api/v2/preview/?content_type=…&token=… and renders it as a partner site would.
 *
 * Every string from the API goes into the page as text (textContent, attributes
 * set one by one), never as markup. The one exception is rich text (paragraph
 * blocks), which the API has already sanitised: it is parsed into an inert
 * document with DOMParser and copied element by element through an allow-list
 * (p, b, strong, i, em, a with an http(s), mailto or relative href, ul, ol, li,
 * br, h2, h3), so a tag or attribute the API let through by mistake is dropped,
 * not executed. No innerHTML anywhere.
 */
(function () {
  "use strict";

  var root = document.getElementById("preview");
  var status = document.getElementById("preview-status");

  function message(key) {
    var template = document.getElementById("preview-messages");
    var node = template.content.querySelector('[data-key="' + key + '"]');
    return node ? node.textContent : key;
  }

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null && text !== "") node.textContent = String(text);
    Object.keys(attrs || {}).forEach(function (name) {
      if (attrs[name] !== undefined && attrs[name] !== null) node.setAttribute(name, String(attrs[name]));
    });
    return node;
  }

  function safeHref(href) {
    if (!href) return null;
    try {
      var url = new URL(href, window.location.href);
      return ["http:", "https:", "mailto:"].indexOf(url.protocol) >= 0 ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  var ALLOWED = { P: 1, B: 1, STRONG: 1, I: 1, EM: 1, A: 1, UL: 1, OL: 1, LI: 1, BR: 1, H2: 1, H3: 1 };

  function copyAllowed(source, target) {
    source.childNodes.forEach(function (child) {
      if (child.nodeType === Node.TEXT_NODE) {
        target.appendChild(document.createTextNode(child.textContent));
      } else if (child.nodeType === Node.ELEMENT_NODE) {
        if (ALLOWED[child.tagName]) {
          var copy = document.createElement(child.tagName.toLowerCase());
          if (child.tagName === "A") {
            var href = safeHref(child.getAttribute("href"));
            if (href) copy.setAttribute("href", href);
            copy.setAttribute("rel", "noopener noreferrer");
          }
          copyAllowed(child, copy);
          target.appendChild(copy);
        } else if (child.tagName !== "SCRIPT" && child.tagName !== "STYLE") {
          copyAllowed(child, target); // keep the text of an unknown element, drop the element
        }
      }
    });
  }

  function richText(html) {
    var inert = new DOMParser().parseFromString(String(html || ""), "text/html");
    var box = el("div", null, { class: "rich-text" });
    copyAllowed(inert.body, box);
    return box;
  }

  function image(data, className) {
    if (!data || !data.url) return null;
    var figure = el("figure", null, { class: className });
    figure.appendChild(el("img", null, { src: data.url, alt: data.alt || "", width: data.width, height: data.height }));
    var caption = [data.caption, data.credit].filter(Boolean).join(" — ");
    if (caption) figure.appendChild(el("figcaption", caption));
    return figure;
  }

  function block(item) {
    var value = item.value;
    switch (item.type) {
      case "paragraph":
        return richText(value);
      case "heading":
        return el(value && value.level === "h3" ? "h3" : "h2", value && value.text);
      case "image": {
        var data = Object.assign({}, value && value.image, {
          alt: value && value.alt, caption: value && value.caption, credit: value && value.credit,
        });
        return image(data, "block-image");
      }
      case "quote": {
        var quote = el("blockquote");
        quote.appendChild(el("p", value && value.text));
        var who = [value && value.attribution, value && value.role].filter(Boolean).join(", ");
        if (who) quote.appendChild(el("footer", who));
        return quote;
      }
      case "key_figure": {
        var figure = el("p", null, { class: "key-figure" });
        figure.appendChild(el("strong", value && value.value));
        figure.appendChild(el("span", value && value.label));
        return figure;
      }
      case "embed": {
        var address = value && typeof value === "object" ? value.url : value;
        var embed = el("p", null, { class: "embed" });
        embed.appendChild(el("a", address, { href: safeHref(address) }));
        return embed;
      }
      case "related_link": {
        var box = el("p", null, { class: "related-link" });
        box.appendChild(el("span", value && value.label));
        box.appendChild(document.createTextNode(" "));
        var target = (value && value.page && (value.page.url || value.page.html_url)) || (value && value.url);
        box.appendChild(el("a", value && value.title, { href: safeHref(target) }));
        return box;
      }
      default:
        return null;
    }
  }

  function entities(title, items, describe) {
    if (!items || !items.length) return null;
    var section = el("section", null, { class: "entities", "data-entities": title });
    section.appendChild(el("h2", message(title)));
    var list = el("ul");
    items.forEach(function (item) {
      list.appendChild(el("li", describe ? describe(item) : item.name));
    });
    section.appendChild(list);
    return section;
  }

  function render(page) {
    var article = el("article", null, { lang: page.meta && page.meta.locale });
    article.appendChild(el("h1", page.title));
    if (page.standfirst) article.appendChild(el("p", page.standfirst, { class: "standfirst" }));
    var hero = image(page.hero && Object.assign({}, page.hero, {
      caption: page.hero_caption || page.hero.caption, credit: page.hero_credit || page.hero.credit,
    }), "hero");
    if (hero) article.appendChild(hero);
    var body = el("div", null, { class: "body" });
    (page.body || []).forEach(function (item) {
      var node = block(item);
      if (node) body.appendChild(node);
    });
    article.appendChild(body);
    [
      entities("topics", page.topics),
      entities("organisations", page.organisations),
      entities("people", page.people, function (p) { return p.role ? p.name + " (" + p.role + ")" : p.name; }),
      entities("places", page.places),
      entities("mission", page.mission ? [page.mission] : []),
    ].forEach(function (section) { if (section) article.appendChild(section); });
    root.replaceChildren(article);
    document.title = page.title || document.title;
  }

  var params = new URLSearchParams(window.location.search);
  var token = params.get("token");
  var contentType = params.get("content_type");
  if (!token || !contentType) {
    status.textContent = message("missing");
    return;
  }
  var url = root.dataset.api + "?" + new URLSearchParams({ content_type: contentType, token: token });
  fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    })
    .then(render)
    .catch(function () {
      status.textContent = message("failed");
    });
})();
