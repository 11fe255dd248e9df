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
from .webhooks import DeliveryState, WebhookDelivery, WebhookEndpoint, WebhookEvent

__all__ = [
    "DeliveryState",
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
