"""Wagtail admin for subscribers: list, search, filters, counts, CSV import/export, GDPR actions."""

from __future__ import annotations

import json

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import HeaderButton, MenuItem

from . import attribution, gdpr, importing, suppression
from .admin_subscriber_detail import SubscriberInspectView
from .models import ConsentSource, Newsletter, Subscriber, SubscriberStatus, SuppressionSource
from .subscriptions import RequestInfo


class SubscriberFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(label=_("stato"), choices=SubscriberStatus.choices)
    newsletter = django_filters.ModelChoiceFilter(
        label=_("newsletter"),
        field_name="subscriptions__newsletter",
        queryset=Newsletter.objects.all(),
    )

    class Meta:
        model = Subscriber
        fields = ["status", "newsletter"]


# A spreadsheet treats a cell starting with one of these as a formula (=HYPERLINK(…),
# +cmd|…, @SUM(…)); full-width forms are folded to them by some spreadsheets, and a
# leading tab or CR can hide the character that follows.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def spreadsheet_safe(value):
    """A CSV cell that opens as text: OWASP's leading apostrophe before a formula trigger."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


class SubscriberIndexView(IndexView):
    template_name = "newsletter/admin/subscribers_index.html"

    def preprocess_field_value(self, field, value, export_format):
        # Addresses, locales and newsletter slugs are typed by strangers; xlsx cells are
        # already stored as text by Wagtail, CSV cells need the apostrophe.
        value = super().preprocess_field_value(field, value, export_format)
        return spreadsheet_safe(value) if export_format == self.FORMAT_CSV else value

    def get_add_url(self):
        return None  # subscribers come from the form, the API or an import, never typed in

    def get_delete_url(self, instance):
        return None  # deleting would lose consent history; erase instead

    def get_header_more_buttons(self):
        return [
            *super().get_header_more_buttons(),
            HeaderButton(
                _("Importa CSV"), url=reverse("newsletter_subscribers:import"), icon_name="upload"
            ),
        ]

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if instance.email:
            buttons += [
                MenuItem(
                    _("Esporta i dati (GDPR)"),
                    url=reverse("newsletter_subscribers:gdpr_export", args=[instance.pk]),
                    icon_name="download",
                    priority=40,
                ),
                MenuItem(
                    _("Segna come rimbalzo definitivo"),
                    url=reverse("newsletter_subscribers:mark_bounced", args=[instance.pk]),
                    icon_name="warning",
                    priority=50,
                ),
                MenuItem(
                    _("Cancella i dati (GDPR)"),
                    url=reverse("newsletter_subscribers:erase", args=[instance.pk]),
                    icon_name="bin",
                    priority=60,
                ),
            ]
        return buttons

    def to_row_dict(self, item):
        # The CSV export's "newsletters" column: slugs of the current subscriptions.
        newsletters = " ".join(item.subscriptions.values_list("newsletter__slug", flat=True))
        return {
            field: newsletters if field == "newsletters" else getattr(item, field)
            for field in self.list_export
        }

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        counts = dict(
            Subscriber.objects.values_list("status")
            .annotate(total=Count("pk"))
            .values_list("status", "total")
        )
        context["status_counts"] = [
            (label, counts.get(value, 0)) for value, label in SubscriberStatus.choices
        ]
        return context


class SubscriberViewSet(ModelViewSet):
    model = Subscriber
    icon = "group"
    menu_label = _("Iscritti")
    menu_order = 310
    add_to_admin_menu = True
    url_prefix = "newsletter/subscribers"
    name = "newsletter_subscribers"
    index_view_class = SubscriberIndexView
    filterset_class = SubscriberFilterSet
    list_display = [
        # An erased subscriber has no address: say so instead of "None"; open the page.
        TitleColumn(
            "email",
            label=_("email"),
            accessor=lambda subscriber: subscriber.email or _("(dati cancellati)"),
            get_url=lambda subscriber: reverse(
                "newsletter_subscribers:inspect", args=[subscriber.pk]
            ),
        ),
        Column("status", label=_("stato"), accessor="get_status_display"),
        "locale",
        DateColumn("created_at", label=_("creato il")),
        DateColumn("confirmed_at", label=_("confermato il")),
    ]
    list_export = [
        "email",
        "status",
        "locale",
        "created_at",
        "confirmed_at",
        "unsubscribed_at",
        "newsletters",
    ]
    export_headings = {"newsletters": "newsletters"}
    export_filename = "subscribers"
    search_fields = ["email"]
    search_backend_name = None
    form_fields = ["locale"]
    # A copy would be a subscriber with no address; nobody is typed in by hand either.
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_class = SubscriberInspectView
    inspect_view_fields = [
        "email",
        "status",
        "locale",
        "created_at",
        "confirmed_at",
        "unsubscribed_at",
        "soft_bounce_count",
    ]

    @property
    def add_view(self):
        return no_add_view

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("import/", import_view, name="import"),
            path("import/<str:job_id>/", import_progress_view, name="import_progress"),
            path("gdpr-export/<int:pk>/", gdpr_export_view, name="gdpr_export"),
            path("erase/<int:pk>/", erase_view, name="erase"),
            path("mark-bounced/<int:pk>/", mark_bounced_view, name="mark_bounced"),
        ]


def no_add_view(request: HttpRequest) -> HttpResponse:
    """Subscribers come from the form, the API or an import: never typed in, never blank."""
    raise Http404


def _admin_who(request: HttpRequest) -> RequestInfo:
    return RequestInfo.from_request(request, ConsentSource.ADMIN)


@permission_required("newsletter.view_subscriber", raise_exception=True)
def gdpr_export_view(request: HttpRequest, pk: int) -> HttpResponse:
    subscriber = get_object_or_404(Subscriber, pk=pk)
    response = JsonResponse(
        gdpr.export(subscriber), json_dumps_params={"indent": 2, "ensure_ascii": False}
    )
    response["Content-Disposition"] = f'attachment; filename="subscriber-{subscriber.pk}.json"'
    return response


def _confirm_action(request, subscriber, title, explanation, button):
    return TemplateResponse(
        request,
        "newsletter/admin/confirm_action.html",
        {
            "subscriber": subscriber,
            "page_title": title,
            "explanation": explanation,
            "button": button,
            "index_url": reverse("newsletter_subscribers:index"),
        },
    )


@permission_required("newsletter.delete_subscriber", raise_exception=True)
def erase_view(request: HttpRequest, pk: int) -> HttpResponse:
    subscriber = get_object_or_404(Subscriber, pk=pk, email__isnull=False)
    if request.method == "POST":
        gdpr.erase(subscriber, _admin_who(request))
        messages.success(request, _("Dati personali cancellati; l'indirizzo resta bloccato."))
        return redirect("newsletter_subscribers:index")
    return _confirm_action(
        request,
        subscriber,
        _("Cancellare i dati di questo iscritto?"),
        _(
            "L'indirizzo e i dati personali saranno rimossi per sempre. Resterà solo un'impronta "
            "cifrata, perché l'indirizzo non riceva più email."
        ),
        _("Cancella i dati"),
    )


@permission_required("newsletter.change_subscriber", raise_exception=True)
def mark_bounced_view(request: HttpRequest, pk: int) -> HttpResponse:
    subscriber = get_object_or_404(Subscriber, pk=pk, email__isnull=False)
    if request.method == "POST":
        suppression.record_hard_bounce(subscriber.email)
        attribution.note_suppression(subscriber.email, SuppressionSource.ADMIN)
        messages.success(request, _("Indirizzo segnato come rimbalzato e bloccato."))
        return redirect("newsletter_subscribers:index")
    return _confirm_action(
        request,
        subscriber,
        _("Segnare l'indirizzo come rimbalzo definitivo?"),
        _("L'indirizzo non riceverà più nessuna email."),
        _("Segna come rimbalzato"),
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File CSV"), help_text=_("Colonne: email, newsletters, topics, locale.")
    )
    newsletters = forms.ModelMultipleChoiceField(
        label=_("Newsletter predefinite"),
        queryset=Newsletter.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Per le righe senza la colonna newsletters."),
    )
    mode = forms.ChoiceField(
        label=_("Consenso"),
        choices=[
            ("confirm", _("Invia a ciascuno un'email di conferma (doppio opt-in)")),
            ("lawful_basis", _("Ho già il consenso: indico la base giuridica")),
        ],
        widget=forms.RadioSelect,
        initial="confirm",
    )
    lawful_basis = forms.CharField(
        label=_("Base giuridica"),
        required=False,
        max_length=200,
        help_text=_(
            "Per esempio: consenso raccolto con il modulo cartaceo dell'evento del 3 marzo 2026."
        ),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("mode") == "lawful_basis" and not cleaned.get("lawful_basis", "").strip():
            self.add_error("lawful_basis", _("Indica la base giuridica del consenso."))
        upload = cleaned.get("file")
        if upload is not None:
            try:
                cleaned["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("file", _("Il file deve essere un CSV in UTF-8."))
        return cleaned


def import_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("newsletter.add_subscriber"):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        rows, bad_rows = importing.parse(
            form.cleaned_data["text"], [item.slug for item in form.cleaned_data["newsletters"]]
        )
        lawful_basis = (
            form.cleaned_data["lawful_basis"] if form.cleaned_data["mode"] == "lawful_basis" else ""
        )
        job = importing.start(rows, bad_rows, lawful_basis)
        return redirect("newsletter_subscribers:import_progress", job_id=job.id)
    return TemplateResponse(
        request,
        "newsletter/admin/import.html",
        {
            "form": form,
            "page_title": _("Importa iscritti"),
            "index_url": reverse("newsletter_subscribers:index"),
        },
    )


def import_progress_view(request: HttpRequest, job_id: str) -> HttpResponse:
    if not request.user.has_perm("newsletter.add_subscriber"):
        raise PermissionDenied
    job = importing.load(job_id)
    if job is None:
        return redirect("newsletter_subscribers:import")
    if request.GET.get("format") == "json":
        return JsonResponse(
            {"total": job.total, "processed": job.processed, "done": job.done, "counts": job.counts}
        )
    return TemplateResponse(
        request,
        "newsletter/admin/import_progress.html",
        {
            "job": job,
            "percent": 100 if not job.total else round(100 * job.processed / job.total),
            "page_title": _("Importazione iscritti"),
            "index_url": reverse("newsletter_subscribers:index"),
            "counts_json": json.dumps(job.counts),
            "outcomes": importing.outcome_labels(job.counts),
        },
    )


subscriber_viewset = SubscriberViewSet()
