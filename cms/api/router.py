from wagtail.api.v2.router import WagtailAPIRouter

from cms.api import viewsets
from cms.api.preview import PreviewViewSet

api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", viewsets.PagesViewSet)
api_router.register_endpoint("images", viewsets.ImagesViewSet)
api_router.register_endpoint("documents", viewsets.DocumentsViewSet)
api_router.register_endpoint("topics", viewsets.TopicsViewSet)
api_router.register_endpoint("organisations", viewsets.OrganisationsViewSet)
api_router.register_endpoint("people", viewsets.PeopleViewSet)
api_router.register_endpoint("places", viewsets.PlacesViewSet)
api_router.register_endpoint("missions", viewsets.MissionsViewSet)
api_router.register_endpoint("preview", PreviewViewSet)
