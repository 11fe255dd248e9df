"""The admin calls no third party: no gravatar (editors' hashed addresses), no
release check, no "what's new" banner linking to wagtail.org."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def test_gravatar_and_the_release_check_are_off():
    assert settings.WAGTAIL_GRAVATAR_PROVIDER_URL is None
    assert settings.WAGTAIL_ENABLE_UPDATE_CHECK is False
    assert settings.WAGTAIL_ENABLE_WHATS_NEW_BANNER is False


@pytest.mark.parametrize(
    "url",
    [
        reverse("wagtailadmin_home"),
        reverse("wagtailadmin_account"),
        reverse("wagtailusers_users:index"),
        reverse("wagtailadmin_explore_root"),
    ],
)
def test_admin_pages_name_no_gravatar_and_no_release_check(admin_client, admin_user, url):
    factories.site_tree()
    html = admin_client.get(url).content.decode()

    assert admin_user.email  # an address gravatar would be asked about
    assert "gravatar" not in html.lower()
    assert "releases.wagtail.org" not in html
    assert "w-upgrade" not in html  # the panel whose script asks releases.wagtail.org
