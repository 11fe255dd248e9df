"""The project's URLs plus what the API benchmark compares against.

- /bench/fixed-json: a trivial view returning fixed JSON, through the same middleware;
- /bench/stock/v2/pages/: Wagtail's stock PagesAPIViewSet on the same data.
"""

from django.http import JsonResponse
from django.urls import path
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet

from config.urls import urlpatterns as project_urlpatterns

stock_router = WagtailAPIRouter("stockapi")
stock_router.register_endpoint("pages", PagesAPIViewSet)

FIXED = {"meta": {"total_count": 1}, "items": [{"id": 1, "title": "Fixed"}]}


def fixed_json(request):
    return JsonResponse(FIXED)


urlpatterns = [
    path("bench/fixed-json", fixed_json),
    path("bench/stock/v2/", stock_router.urls),
    *project_urlpatterns,
]
