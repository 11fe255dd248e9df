from .pages import (
    HomePage,
    NewsIndexPage,
    NewsPage,
    NewsPageOrganisation,
    NewsPagePerson,
    NewsPagePlace,
    NewsPageTopic,
)
from .snippets import (
    Mission,
    MissionAgreement,
    MissionDelegate,
    MissionOrganisation,
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
    "MissionOrganisation",
    "NewsIndexPage",
    "NewsPage",
    "NewsPageOrganisation",
    "NewsPagePerson",
    "NewsPagePlace",
    "NewsPageTopic",
    "Organisation",
    "OrganisationKind",
    "Person",
    "Place",
    "Topic",
]
