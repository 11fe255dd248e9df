"""Every 400 of the public API names the parameter it refuses: hostile values,
repeated parameters and bracketed names (PHP-style ``limit[]``) alike."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from tests import factories
from tests.support.api_parameters import PAGE_PARAMETERS

pytestmark = [pytest.mark.services("postgres", "redis"), pytest.mark.django_db]

VALUES = [
    "\x00",
    "1\x00",
    "9" * 5000,
    "-" + "9" * 30,
    "٣",
    "x" * 5000,
    "((((((((",
    "title(" * 200,
    "\ud800".encode("utf-8", "surrogatepass").decode("latin-1"),
    "é" * 2000,
]


@pytest.fixture
def content(settings):
    settings.SITE_URL = "https://notizie.example.org"
    index = factories.site_tree()
    factories.news(index, title="Una notizia", topics=[factories.topic("Economia")])


def refusal(client, query: str):
    response = client.get("/api/v2/pages/?" + query)
    assert response.status_code < 500, (query[:80], response.status_code)
    return response


def assert_names(response, parameter: str) -> None:
    if response.status_code == 200:
        return
    assert response.status_code == 400, response.status_code
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body.get("parameter") == parameter or parameter in str(body)[:500], body


@pytest.mark.parametrize("parameter", PAGE_PARAMETERS)
def test_a_hostile_value_gets_a_400_that_names_its_parameter(client, content, parameter):
    for value in VALUES:
        assert_names(refusal(client, urlencode({parameter: value})), parameter)


@pytest.mark.parametrize("parameter", PAGE_PARAMETERS)
def test_a_repeated_parameter_is_answered_cleanly(client, content, parameter):
    response = refusal(client, f"{parameter}=1&{parameter}=2&{parameter}=%00")
    assert_names(response, parameter)


@pytest.mark.parametrize("name", ["limit[]", "fields[0]", "topic[id]", "a[b][c][d]", "%00"])
def test_a_bracketed_or_odd_name_gets_a_400_naming_it(client, content, name):
    response = refusal(client, f"{name}=1")
    assert response.status_code == 400
    body = response.json()
    assert body["parameter"] == name.replace("%00", "\x00"), body
