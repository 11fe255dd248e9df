"""/anteprima/, the default PREVIEW_CLIENT_URL, answers with our own preview client."""

from __future__ import annotations

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_the_default_preview_client_url_is_served(client):
    assert settings.WAGTAIL_HEADLESS_PREVIEW["CLIENT_URLS"]["default"].endswith("/anteprima/")
    response = client.get("/anteprima/", {"content_type": "cms.newspage", "token": "x"})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-api="/api/v2/preview/"' in html
    assert "preview-client.js" in html


def test_the_preview_client_may_be_framed_by_the_admin_only_and_runs_only_our_scripts(client):
    response = client.get("/anteprima/")

    assert response["X-Frame-Options"] == "SAMEORIGIN"
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'self'" in policy
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_the_preview_client_script_never_uses_inner_html():
    from django.contrib.staticfiles import finders

    script = open(finders.find("cms/preview-client.js"), encoding="utf-8").read()
    code = "\n".join(line for line in script.splitlines() if not line.lstrip().startswith("*"))
    assert "innerHTML" not in code
    assert "outerHTML" not in code
    assert "insertAdjacentHTML" not in code
    assert "document.write" not in code
