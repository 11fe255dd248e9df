from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms import feeds
from cms.api import schema
from cms.api.router import api_router
from config import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("newsletter/", include("newsletter.urls")),
    # Email provider webhooks (bounces, complaints): /anymail/<esp>/tracking/.
    path("anymail/", include("anymail.urls")),
    # Newsletter API endpoints first: the Wagtail router owns the rest of /api/v2/.
    path("api/v2/", include("newsletter.api")),
    path("api/v2/", api_router.urls),
    path("api/schema/", schema.schema, name="api_schema"),
    path("api/docs/", schema.docs, name="api_docs"),
    path("feeds/", include((feeds.urlpatterns, "feeds"))),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Pages: Italian (LANGUAGE_CODE) unprefixed, every other language under its prefix (/en/…).
# A URL names one page whatever the browser asks for (web/locale.py); everything above
# stays unprefixed and language-neutral in its address.
urlpatterns += i18n_patterns(path("", include(wagtail_urls)), prefix_default_language=False)
