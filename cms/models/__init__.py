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

__all__ = [
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
