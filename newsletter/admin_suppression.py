"""Admin: the suppression list (reason, date, source, issue) and the audited removal.

Suppressions are stored as keyed hashes, so the list cannot show addresses; typing
an address in the search box finds its suppression in one indexed lookup.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.log_actions import log

from . import unsuppressing
from .addresses import address_hash
from .models import ConsentSource, Suppression, SuppressionReason, SuppressionSource
from .subscriptions import RequestInfo

PAGE_SIZE = 50


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Indirizzo email"), required=False, max_length=254)
    reason = forms.ChoiceField(
        label=_("Motivo"), required=False, choices=[("", _("Tutti"))] + SuppressionReason.choices
    )


class RemoveForm(forms.Form):
    email = forms.CharField(required=False, max_length=254, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Perché rimuovi il blocco?"),
        max_length=unsuppressing.MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Obbligatorio. Resta nella storia del consenso dell'iscritto, con il tuo nome. "
            "Per esempio: rimbalzo dovuto a un guasto temporaneo del server del destinatario."
        ),
    )

    def clean_reason(self) -> str:
        reason = " ".join(self.cleaned_data["reason"].split())
        if not reason:
            raise forms.ValidationError(_("Indica il motivo."))
        return reason


def source_label(suppression: Suppression) -> str:
    if suppression.source:
        return suppression.get_source_display()
    if suppression.reason == SuppressionReason.ERASED:
        return SuppressionSource.GDPR.label
    return "—"


@permission_required("newsletter.view_subscriber", raise_exception=True)
def suppression_index(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    suppressions = Suppression.objects.select_related("issue").order_by("-created_at", "-pk")
    email = ""
    if form.is_valid():
        email = form.cleaned_data["q"].strip()
        if email:
            suppressions = suppressions.filter(address_hash=address_hash(email))
        if form.cleaned_data["reason"]:
            suppressions = suppressions.filter(reason=form.cleaned_data["reason"])
    page = Paginator(suppressions, PAGE_SIZE).get_page(request.GET.get("p"))
    for item in page:
        item.source_label = source_label(item)
    return TemplateResponse(
        request,
        "newsletter/admin/suppressions_index.html",
        {"form": form, "page": page, "email": email, "total": page.paginator.count},
    )


@permission_required("newsletter.change_subscriber", raise_exception=True)
def suppression_remove(request: HttpRequest, pk: int) -> HttpResponse:
    suppression = get_object_or_404(Suppression, pk=pk)
    form = RemoveForm(request.POST or None, initial={"email": request.GET.get("email", "")})
    if suppression.reason == SuppressionReason.ERASED:
        messages.error(request, str(_("Un indirizzo cancellato su richiesta resta bloccato.")))
        return redirect("newsletter_suppressions:index")
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip()
        who = RequestInfo.from_request(
            request, ConsentSource.ADMIN, origin=f"admin: {request.user.get_username()}"
        )
        try:
            record = unsuppressing.remove_suppression(
                suppression, reason=form.cleaned_data["reason"], who=who, email=email
            )
        except unsuppressing.CannotUnsuppress:
            messages.error(request, str(_("Questo blocco non può essere rimosso.")))
            return redirect("newsletter_suppressions:index")
        if record.subscriber is not None:
            log(
                record.subscriber,
                "newsletter.unsuppress",
                user=request.user,
                data={"reason": form.cleaned_data["reason"], "was": suppression.reason},
            )
            messages.success(
                request, str(_("Blocco rimosso: l'indirizzo può di nuovo ricevere email."))
            )
            return redirect("newsletter_subscribers:inspect", record.subscriber.pk)
        messages.success(request, str(_("Blocco rimosso.")))
        return redirect("newsletter_suppressions:index")
    email = form["email"].value() or ""
    return TemplateResponse(
        request,
        "newsletter/admin/suppression_remove.html",
        {
            "suppression": suppression,
            "source_label": source_label(suppression),
            "form": form,
            "email": email if email and address_hash(email) == suppression.address_hash else "",
            "page_title": _("Rimuovere il blocco?"),
        },
    )


@hooks.register("register_admin_urls")
def register_suppression_urls():
    urls = [
        path("", suppression_index, name="index"),
        path("<int:pk>/remove/", suppression_remove, name="remove"),
    ]
    return [path("newsletter-suppressions/", include((urls, "newsletter_suppressions")))]


class SuppressionMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return request.user.has_perm("newsletter.view_subscriber")


@hooks.register("register_admin_menu_item")
def register_suppression_menu_item():
    return SuppressionMenuItem(
        _("Indirizzi bloccati"),
        reverse("newsletter_suppressions:index"),
        icon_name="cross",
        order=315,
    )


@hooks.register("register_log_actions")
def register_unsuppress_log_action(actions):
    actions.register_action("newsletter.unsuppress", _("Blocco rimosso"), _("Blocco rimosso"))
