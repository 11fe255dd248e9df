import functools
import logging

from anymail.exceptions import AnymailWebhookValidationFailure
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.http import HttpResponse
from django.urls import URLPattern, include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms import feeds
from cms.api import schema
from cms.api.router import api_router
from cms.preview_client import preview_client
from config import health
from newsletter import api as newsletter_api

# One OpenAPI document for all of /api/v2/: cms serves it, the newsletter contributes its
# part here, where both apps are known (cms never imports newsletter).
api_schema, api_docs = schema.views(newsletter_api.OPENAPI)


def _refuse_unauthenticated(view):
    """401 (not anymail's 400) for a webhook post without the right credentials or signature."""

    @functools.wraps(view)
    def refusing_view(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except AnymailWebhookValidationFailure as exc:
            logging.getLogger("django.security.anymail").warning(
                "Refused a webhook post to %s: %s", request.path, exc
            )
            return HttpResponse(
                "Unauthorized", status=401, headers={"WWW-Authenticate": 'Basic realm="webhooks"'}
            )

    return refusing_view


def email_provider_webhooks() -> list:
    """The routes of the provider we send through, and only when they are authenticated.

    anymail.urls mounts ~14 providers; without a secret it only warns and accepts, so anyone
    could post a forged complaint and suppress any address. Other providers answer 404.
    """
    if not (settings.EMAIL_ESP and settings.ANYMAIL.get("WEBHOOK_SECRET")):
        return []
    from anymail import urls as anymail_urls

    prefix = f"{settings.EMAIL_ESP}/"
    return [
        URLPattern(route.pattern, _refuse_unauthenticated(route.callback), name=route.name)
        for route in anymail_urls.urlpatterns
        if str(route.pattern).lstrip("^").startswith(prefix)
    ]


urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("newsletter/", include("newsletter.urls")),
    # The email provider's webhooks (bounces, complaints): /anymail/<EMAIL_ESP>/tracking/.
    path("anymail/", include((email_provider_webhooks(), "anymail"))),
    # Newsletter API endpoints first: the Wagtail router owns the rest of /api/v2/.
    path("api/v2/", include("newsletter.api")),
    path("api/v2/", api_router.urls),
    path("api/schema/", api_schema, name="api_schema"),
    path("api/docs/", api_docs, name="api_docs"),
    path("feeds/", include((feeds.urlpatterns, "feeds"))),
    # The default PREVIEW_CLIENT_URL: our own client of /api/v2/preview/.
    path("anteprima/", preview_client, name="preview_client"),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Pages: Italian (LANGUAGE_CODE) unprefixed, every other language under its prefix (/en/…).
# A URL names one page whatever the browser asks for (web/locale.py); everything above
# stays unprefixed and language-neutral in its address.
urlpatterns += i18n_patterns(path("", include(wagtail_urls)), prefix_default_language=False)
