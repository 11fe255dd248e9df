"""Admin for webhooks: endpoints integrators register (with a "send a test event"
action), and the delivery log (read-only: deliveries are made by publishing)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets import ListingButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet, SnippetViewSetGroup

from cms import webhooks
from cms.models import WebhookDelivery, WebhookEndpoint


class SuperuserOnlyPolicy(ModelPermissionPolicy):
    """Webhooks send our content to third parties: only superusers manage them,
    whatever permissions a group is given by mistake."""

    def user_has_permission(self, user, action) -> bool:
        return bool(user.is_active and user.is_superuser)

    def users_with_any_permission(self, actions):
        return get_user_model().objects.filter(is_active=True, is_superuser=True)


register_permission_policy(WebhookEndpoint, SuperuserOnlyPolicy(WebhookEndpoint))
register_permission_policy(WebhookDelivery, SuperuserOnlyPolicy(WebhookDelivery))


class EndpointIndexView(IndexView):
    def get_list_more_buttons(self, instance):
        return [
            *super().get_list_more_buttons(instance),
            ListingButton(
                _("Invia un evento di prova"),
                url=reverse("wagtailsnippets_cms_webhookendpoint:test_event", args=[instance.pk]),
                icon_name="mail",
                priority=30,
            ),
        ]


class WebhookEndpointViewSet(SnippetViewSet):
    model = WebhookEndpoint
    icon = "link-external"
    menu_label = _("Endpoint")
    list_display = [
        "name",
        "url",
        # «Sì»/«No» as words, not Python's True/False.
        Column(
            "is_active",
            label=_("Attivo"),
            accessor=lambda endpoint: _("Sì") if endpoint.is_active else _("No"),
        ),
        "created_at",
    ]
    list_filter = ["is_active"]
    search_fields = ["name", "url"]
    index_view_class = EndpointIndexView

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("<int:pk>/test-event/", send_test_event_view, name="test_event"),
        ]


def send_test_event_view(request: HttpRequest, pk: int) -> HttpResponse:
    if not SuperuserOnlyPolicy(WebhookEndpoint).user_has_permission(request.user, "change"):
        raise Http404
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    if request.method == "POST":
        status, error = webhooks.send_test_event(endpoint)
        if not error:
            messages.success(
                request, _("Evento di prova consegnato (HTTP %(status)s).") % {"status": status}
            )
        else:
            messages.error(
                request, _("Evento di prova non consegnato: %(error)s.") % {"error": error}
            )
        return redirect(reverse("wagtailsnippets_cms_webhookendpoint:list"))
    return TemplateResponse(
        request,
        "cms/admin/webhook_test_event.html",
        {"endpoint": endpoint, "page_title": _("Invia un evento di prova")},
    )


class DeliveryIndexView(IndexView):
    def get_add_url(self):
        return None  # deliveries are made by publishing, never by hand


class WebhookDeliveryViewSet(SnippetViewSet):
    model = WebhookDelivery
    icon = "list-ul"
    menu_label = _("Registro delle consegne")
    list_display = ["endpoint", "event", "state", "attempts", "response_status", "created_at"]
    list_filter = ["state", "event", "endpoint"]
    inspect_view_enabled = True
    copy_view_enabled = False
    index_view_class = DeliveryIndexView
    ordering = ["-created_at"]
    panels = [
        FieldPanel("endpoint", read_only=True),
        FieldPanel("event", read_only=True),
        FieldPanel("payload", read_only=True),
        FieldPanel("state", read_only=True),
        FieldPanel("attempts", read_only=True),
        FieldPanel("response_status", read_only=True),
        FieldPanel("error", read_only=True),
    ]


class WebhooksGroup(SnippetViewSetGroup):
    menu_label = _("Webhook")
    menu_icon = "link-external"
    menu_order = 900
    items = (WebhookEndpointViewSet, WebhookDeliveryViewSet)
