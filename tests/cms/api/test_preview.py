"""Headless preview: a token shows its own draft, and only for a limited time."""

from __future__ import annotations

import time
from unittest import mock

import pytest
from django.test import RequestFactory

from tests import factories

pytestmark = [pytest.mark.services("postgres", "redis"), pytest.mark.django_db]


def draft_with_token(title: str):
    page = factories.news(title="Pubblicata")
    page.title = title
    page.save_revision()
    return page, page.create_page_preview().token


def preview(api, token: str, content_type: str = "cms.newspage"):
    return api.get(f"/api/v2/preview/?content_type={content_type}&token={token}")


def test_a_preview_token_serves_the_unpublished_draft(api):
    _, token = draft_with_token("Titolo in bozza")
    response = preview(api, token)
    assert response.status_code == 200
    assert response.json()["title"] == "Titolo in bozza"
    assert response["Cache-Control"] == "private, no-store"


def test_a_token_shows_only_the_draft_it_was_issued_for(api):
    _, first = draft_with_token("Prima bozza")
    _, second = draft_with_token("Seconda bozza")
    assert preview(api, first).json()["title"] == "Prima bozza"
    assert preview(api, second).json()["title"] == "Seconda bozza"


def test_a_tampered_token_is_refused(api):
    _, token = draft_with_token("Bozza")
    assert preview(api, token[:-2] + "xx").status_code == 404


def test_a_token_for_another_page_type_is_refused(api):
    _, token = draft_with_token("Bozza")
    assert preview(api, token, content_type="cms.homepage").status_code == 404


def test_preview_tokens_expire(api, settings):
    settings.API_PREVIEW_TOKEN_TTL = 3600
    _, token = draft_with_token("Bozza")
    later = time.time() + 3601
    with mock.patch("django.core.signing.time.time", return_value=later):
        response = preview(api, token)
    assert response.status_code == 404
    assert "expired" in response.json()["message"]


def test_a_preview_without_a_token_is_a_400(api):
    response = api.get("/api/v2/preview/?content_type=cms.newspage")
    assert response.status_code == 400
    assert response.json()["parameter"] == "token"


def test_the_headless_preview_mode_opens_the_client_site_with_a_token(admin_user):
    page, _ = draft_with_token("Bozza")
    request = RequestFactory().get("/")
    request.user = admin_user
    response = page.serve_preview(request, "headless")
    assert b"content_type=cms.newspage" in response.content
    assert b"token=" in response.content


def test_the_html_preview_stays_the_default_mode():
    modes = [mode for mode, _ in factories.news().preview_modes]
    assert modes == ["", "headless"]
