from .pages import HomePage, NewsIndexPage, NewsPage
from .snippets import (
    Mission,
    MissionAgreement,
    MissionDelegate,
    Organisation,
    OrganisationKind,
    Person,
    Place,
    Topic,
)
from .webhooks import WebhookDelivery, WebhookDeliveryState, WebhookEndpoint, WebhookEvent

__all__ = [
    "WebhookDeliveryState",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
    "HomePage",
    "Mission",
    "MissionAgreement",
    "MissionDelegate",
    "NewsIndexPage",
    "NewsPage",
    "Organisation",
    "OrganisationKind",
    "Person",
    "Place",
    "Topic",
]
