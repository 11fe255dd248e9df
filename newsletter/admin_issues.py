"""Wagtail admin for newsletters and their issues.

Newsletters: edit cadence, approval and sender identity; "send now".
Issues: state and live progress, a preview (HTML in an iframe, text part, subject),
"send a test to me", approve, schedule, pause, resume and cancel.
"""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import include, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem as AdminMenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.viewsets.model import ModelViewSet

from cms.models.links import entity_panel
from cms.models.translation import refuse_rows_in_other_locales

from . import (
    admin_confirm,
    admin_newsletter_form,
    archive,
    rendering,
    reports,
    sending,
    tasks,
    transport,
)
from .admin_newsletter_form import NewsletterFormScriptMixin
from .models import DeliveryState, Issue, IssueState, Newsletter

# --- Newsletters ----------------------------------------------------------------------------


class NewsletterForm(NewsletterFormScriptMixin, WagtailAdminModelForm):
    """A newsletter's topics are topics of its own language; only the cadence's day field."""

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("locale"):
            refuse_rows_in_other_locales(self, cleaned["locale"])
        return cleaned


class NewsletterViewSet(ModelViewSet):
    model = Newsletter
    icon = "mail"
    menu_label = _("Newsletter")
    menu_order = 300
    add_to_admin_menu = True
    list_display = admin_newsletter_form.LIST_DISPLAY
    add_view_class = admin_newsletter_form.NewsletterCreateView
    edit_view_class = admin_newsletter_form.NewsletterEditView
    delete_view_class = admin_newsletter_form.NewsletterDeleteView
    search_fields = ["name", "slug"]
    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("locale"),
        FieldPanel("description"),
        FieldPanel("intro"),
        entity_panel("topic_links", "topic", _("Temi")),
        FieldRowPanel([FieldPanel("is_public"), FieldPanel("is_active")]),
        MultiFieldPanel(
            [
                FieldPanel("cadence"),
                FieldRowPanel([FieldPanel("send_weekday"), FieldPanel("send_day_of_month")]),
                FieldPanel("send_time"),
                FieldRowPanel([FieldPanel("max_items"), FieldPanel("lookback_days")]),
                FieldPanel("requires_approval"),
                FieldPanel("count_clicks"),
            ],
            heading=_("Frequenza e approvazione"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("sender_name"), FieldPanel("sender_email")]),
                FieldPanel("reply_to"),
                FieldPanel("postal_address"),
            ],
            heading=_("Mittente"),
        ),
    ]

    def get_edit_handler(self):
        return ObjectList(self.panels, base_form_class=NewsletterForm).bind_to_model(self.model)

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("<int:pk>/send-now/", send_now, name="send_now"),
        ]


newsletter_viewset = NewsletterViewSet("newsletters")


@require_http_methods(["GET", "POST"])
@permission_required("newsletter.change_issue", raise_exception=True)
def send_now(request: HttpRequest, pk: int) -> HttpResponse:
    newsletter = get_object_or_404(Newsletter, pk=pk)
    if not newsletter.requires_approval and not admin_confirm.is_confirmed(request):
        # Without approval the new issue goes straight out: say to whom first.
        return admin_confirm.confirm_send(
            request,
            newsletter=newsletter,
            action_url=reverse("newsletters:send_now", args=[newsletter.pk]),
            cancel_url=reverse("newsletter_issues:index"),
            recipients=admin_confirm.newsletter_recipients(newsletter),
            up_to=True,
        )
    if request.method != "POST":
        return redirect("newsletter_issues:index")
    tasks.send_now(newsletter)
    if newsletter.requires_approval:
        note = _("Il nuovo numero sarà pronto per l'approvazione tra pochi istanti.")
    else:
        note = _("Il nuovo numero partirà tra pochi istanti.")
    messages.success(request, str(note))  # in the admin's language, not the browser's
    return redirect("newsletter_issues:index")


# --- Issues ---------------------------------------------------------------------------------


def with_progress(issues):
    return issues.annotate(
        total=Count("deliveries"),
        sent=Count("deliveries", filter=Q(deliveries__state=DeliveryState.SENT)),
        failed=Count("deliveries", filter=Q(deliveries__state=DeliveryState.FAILED)),
        pending=Count(
            "deliveries",
            filter=Q(deliveries__state__in=[DeliveryState.PENDING, DeliveryState.SENDING]),
        ),
        unknown=Count("deliveries", filter=Q(deliveries__state=DeliveryState.UNKNOWN)),
    )


@permission_required("newsletter.view_issue", raise_exception=True)
def issue_index(request: HttpRequest) -> HttpResponse:
    issues = with_progress(Issue.objects.select_related("newsletter"))[:100]
    return TemplateResponse(
        request,
        "newsletter/admin/issues_index.html",
        {
            "issues": issues,
            "newsletters": Newsletter.objects.filter(is_active=True),
            "live": any(issue.state == IssueState.SENDING for issue in issues),
        },
    )


class ScheduleForm(forms.Form):
    when = forms.DateTimeField(
        label=_("Invia il"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def clean_when(self) -> datetime:
        when = self.cleaned_data["when"]
        if when <= timezone.now():
            raise ValidationError(_("Scegli un momento nel futuro."))
        return when


@permission_required("newsletter.view_issue", raise_exception=True)
def issue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    issue = get_object_or_404(Issue.objects.select_related("newsletter", "approved_by"), pk=pk)
    rendition = issue.renditions.filter(variant_key="").first()
    errors = (
        issue.deliveries.filter(state__in=[DeliveryState.FAILED, DeliveryState.UNKNOWN])
        .select_related("subscriber")
        .order_by("-updated_at")[:50]
    )
    return TemplateResponse(
        request,
        "newsletter/admin/issue_detail.html",
        {
            "issue": issue,
            "progress": sending.progress(issue),
            "text": (
                rendering.without_personal_links(
                    rendering.RenderedEmail(rendition.html, rendition.text), issue.pk
                ).text
                if rendition
                else ""
            ),
            "errors": errors,
            "schedule_form": ScheduleForm(),
            "live": issue.state == IssueState.SENDING,
            **{f"can_{action}": True for action in sending.allowed_actions(issue)},
        },
    )


@permission_required("newsletter.view_issue", raise_exception=True)
def issue_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The HTML part, for the preview iframe; personal links point at the public form."""
    issue = get_object_or_404(Issue, pk=pk)
    response = HttpResponse(archive.public_html(issue), content_type="text/html; charset=utf-8")
    response["X-Frame-Options"] = "SAMEORIGIN"
    response["Content-Security-Policy"] = "script-src 'none'"
    return response


@permission_required("newsletter.view_issue", raise_exception=True)
def issue_progress(request: HttpRequest, pk: int) -> JsonResponse:
    return JsonResponse(sending.progress(get_object_or_404(Issue, pk=pk)))


@require_POST
@permission_required("newsletter.change_issue", raise_exception=True)
def issue_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    issue = get_object_or_404(Issue.objects.select_related("newsletter"), pk=pk)
    detail = redirect("newsletter_issues:detail", pk=issue.pk)
    if action in SENDING_ACTIONS and not admin_confirm.is_confirmed(request):
        return _confirm(request, issue, action) or detail
    try:
        if action == "approve":
            sending.approve(issue, request.user)
            messages.success(request, str(_("Numero approvato: ora puoi inviarlo o programmarlo.")))
        elif action == "schedule":
            form = ScheduleForm(request.POST)
            if not form.is_valid():
                for error in form.errors.get("when", []):
                    messages.error(request, error)
                return detail
            sending.schedule(issue, form.cleaned_data["when"])
            messages.success(request, str(_("Invio programmato.")))
        elif action == "send":
            if issue.state == IssueState.DRAFT:
                sending.approve(issue, request.user)
            tasks.send_issue.delay(issue.pk)
            messages.success(request, str(_("Invio avviato.")))
        elif action == "cancel":
            sending.cancel(issue, reason=f"Annullato da {request.user}")
            messages.success(request, str(_("Numero annullato.")))
        elif action == "pause":
            sending.pause(issue, f"Messo in pausa da {request.user}")
            messages.success(request, str(_("Invio in pausa.")))
        elif action == "resume":
            tasks.resume(issue)
            messages.success(request, str(_("Invio ripreso.")))
        elif action == "test":
            address = request.user.email
            try:
                validate_email(address)
            except ValidationError:
                messages.error(request, str(_("Il tuo profilo non ha un indirizzo email valido.")))
                return detail
            transport.send_test(issue, address)
            messages.success(request, _("Email di prova inviata a %(email)s.") % {"email": address})
        else:
            return HttpResponse(status=404)
    except sending.TransitionError as exc:
        messages.error(request, str(exc))
    return detail


# Actions that mail subscribers, now or later: each asks for confirmation first.
SENDING_ACTIONS = {"send", "schedule", "resume"}


def _confirm(request: HttpRequest, issue: Issue, action: str) -> HttpResponse | None:
    when = None
    if action == "schedule":
        form = ScheduleForm(request.POST)
        if not form.is_valid():
            for error in form.errors.get("when", []):
                messages.error(request, error)
            return None
        when = form.cleaned_data["when"]
    return admin_confirm.confirm_send(
        request,
        newsletter=issue.newsletter,
        issue=issue,
        action_url=reverse("newsletter_issues:action", args=[issue.pk, action]),
        cancel_url=reverse("newsletter_issues:detail", args=[issue.pk]),
        recipients=reports.recipient_count(issue),
        when=when,
        resuming=action == "resume",
    )


@hooks.register("register_admin_viewset")
def register_newsletter_viewset():
    return newsletter_viewset


@hooks.register("register_admin_urls")
def register_issue_urls():
    urls = [
        path("", issue_index, name="index"),
        path("<int:pk>/", issue_detail, name="detail"),
        path("<int:pk>/preview/", issue_preview, name="preview"),
        path("<int:pk>/progress/", issue_progress, name="progress"),
        path("<int:pk>/<slug:action>/", issue_action, name="action"),
    ]
    return [path("newsletter-issues/", include((urls, "newsletter_issues")))]


class IssueMenuItem(AdminMenuItem):
    def is_shown(self, request) -> bool:
        return request.user.has_perm("newsletter.view_issue")


@hooks.register("register_admin_menu_item")
def register_issue_menu_item():
    return IssueMenuItem(
        _("Numeri della newsletter"),
        reverse("newsletter_issues:index"),
        icon_name="mail",
        order=305,
    )
