"""Headless preview: editors see a draft on the external site before publishing.

The "Sito esterno" preview mode (wagtail-headless-preview) stores the draft
under a signed, timestamped token and opens the client site with
?content_type=…&token=…. The client fetches the draft from
/api/v2/preview/?content_type=…&token=…, which serves exactly the draft that
token was issued for, and only until the token is API_PREVIEW_TOKEN_TTL
seconds old.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.http import Http404
from rest_framework.response import Response
from wagtail.models import Page
from wagtail_headless_preview.models import PagePreview

from cms.api import fields as api_fields
from cms.api.errors import ParameterError
from cms.api.viewsets import PagesViewSet


def draft_for(content_type: str, token: str) -> Page:
    """The draft stored for this token, if the token is genuine, unexpired and for this type."""
    try:
        signing.TimestampSigner(salt="headlesspreview.token").unsign(
            token, max_age=settings.API_PREVIEW_TOKEN_TTL
        )
    except signing.SignatureExpired:
        raise Http404("preview token expired") from None
    except signing.BadSignature:
        raise Http404("preview token is not valid") from None
    preview = PagePreview.objects.filter(token=token).select_related("content_type").first()
    if preview is None:
        raise Http404("preview not found")
    label = f"{preview.content_type.app_label}.{preview.content_type.model}"
    if label != content_type.lower():
        raise Http404("preview not found")
    return preview.as_page()


class PreviewViewSet(PagesViewSet):
    """GET /api/v2/preview/?content_type=cms.newspage&token=…: one draft, never cached."""

    name = "preview"
    known_query_parameters = frozenset(["content_type", "token", "fields"])

    def listing_view(self, request):
        for name in ("content_type", "token"):
            if not request.GET.get(name):
                raise ParameterError(name, f"{name} is required")
        unknown = sorted(set(request.GET) - self.known_query_parameters)
        if unknown:
            raise ParameterError(unknown[0], f"unknown query parameter for a preview: {unknown[0]}")
        page = draft_for(request.GET["content_type"][:100], request.GET["token"][:500])
        self._cached_object = page
        self.action = "detail_view"
        self.batch = api_fields.Preloaded.load([page], with_body=True, with_relatives=bool(page.pk))
        response = Response(self.get_serializer(page).data)
        response["Cache-Control"] = "private, no-store"
        return response

    @classmethod
    def get_urlpatterns(cls):
        from django.urls import path

        return [path("", cls.as_view({"get": "listing_view"}), name="listing")]
