"""Admin for webhooks: endpoints integrators register, and the delivery log."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.tables import Column
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

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


class WebhookDeliveryViewSet(SnippetViewSet):
    model = WebhookDelivery
    icon = "list-ul"
    menu_label = _("Registro delle consegne")
    list_display = ["endpoint", "event", "state", "attempts", "response_status", "created_at"]
    list_filter = ["state", "event", "endpoint"]
    inspect_view_enabled = True
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
