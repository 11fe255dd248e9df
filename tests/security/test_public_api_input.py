"""Hostile query strings on every public GET endpoint: a 400 that names the parameter, never a 500.

The explicit cases are the findings of issue 9 (Unicode digits that pass
str.isdigit() but not int(), 1,500-deep `fields`, offsets beyond bigint); the
property-based tests throw generated Unicode and extreme values at every
parameter of every public endpoint.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsletter.models import IssueState
from tests import factories
from tests.newsletter import builders
from tests.support.api_parameters import PAGE_PARAMETERS

pytestmark = [pytest.mark.services("postgres", "redis"), pytest.mark.django_db]

NESTED_FIELDS = "title(" * 1500 + ")" * 1500
UNICODE_DIGITS = ["²", "٣", "५", "①", "𝟠", "Ⅻ", "1²", "٣0"]
HUGE = ["99999999999999999999", "9" * 400, "2147483648", "9223372036854775808"]


@pytest.fixture
def content(settings):
    settings.SITE_URL = "https://notizie.example.org"
    index = factories.site_tree()
    page = factories.news(index, title="Una notizia", topics=[factories.topic("Economia")])
    return {"page": page}


@pytest.fixture
def sent_issue(content):
    newsletter = builders.newsletter(slug="innovazione")
    issue = builders.approved_issue(newsletter, title="Robotica a Pisa")
    type(issue).objects.filter(pk=issue.pk).update(state=IssueState.SENT)
    return issue


# -- the findings, one by one ----------------------------------------------------------------

API_INTEGER_PARAMETERS = [
    ("/api/v2/pages/", "limit"),
    ("/api/v2/pages/", "offset"),
    ("/api/v2/pages/", "child_of"),
    ("/api/v2/pages/", "descendant_of"),
    ("/api/v2/pages/", "ancestor_of"),
    ("/api/v2/pages/", "translation_of"),
    ("/api/v2/pages/find/", "id"),
    ("/api/v2/topics/", "limit"),
    ("/api/v2/topics/", "offset"),
    ("/api/v2/images/", "offset"),
]


NOT_WHOLE_NUMBERS = UNICODE_DIGITS + HUGE + ["-1", "1.0", " 1", "1 ", "+1", "0x10", "1\n"]


@pytest.mark.parametrize(("path", "parameter"), API_INTEGER_PARAMETERS)
def test_a_number_that_is_not_plain_ascii_digits_gets_a_400_naming_it(
    client, content, path, parameter
):
    for value in NOT_WHOLE_NUMBERS:
        response = client.get(path, {parameter: value})
        assert response.status_code == 400, (value, response.content)
        assert response.json()["parameter"] == parameter, value


@pytest.mark.parametrize("parameter", ["topic", "organisation", "person", "place", "mission"])
def test_an_entity_filter_refuses_unicode_digits_and_ids_beyond_bigint(client, content, parameter):
    for value in [*UNICODE_DIGITS, "99999999999999999999", "9223372036854775808", "+1", "1.0"]:
        response = client.get("/api/v2/pages/", {parameter: value})
        assert response.status_code == 400, (value, response.content)
        assert response.json()["parameter"] == parameter, value
    # A 64-bit id no row has, or a slug like "-1", is a filter that matches nothing.
    for value in ["2147483648", "-1"]:
        response = client.get("/api/v2/pages/", {parameter: value})
        assert response.status_code == 200, (value, response.content)
        assert response.json()["items"] == []


@pytest.mark.parametrize("path", ["/feeds/news.rss", "/feeds/news.atom", "/feeds/news.json"])
def test_a_unicode_digit_in_a_feed_topic_gets_a_400(client, content, path):
    for value in UNICODE_DIGITS:
        response = client.get(path, {"topic": value})
        assert response.status_code == 400, (value, response.content)


@pytest.mark.parametrize("parameter", ["limit", "offset"])
def test_the_issues_api_refuses_a_number_that_is_not_plain_ascii_digits(
    client, sent_issue, parameter
):
    for value in UNICODE_DIGITS + HUGE + ["-1", "1.0", "+1"]:
        response = client.get("/api/v2/issues/", {parameter: value})
        assert response.status_code == 400, (value, response.content)
        assert list(response.json()["errors"]) == [parameter], value


def test_the_issues_api_still_pages_with_plain_numbers(client, sent_issue):
    response = client.get("/api/v2/issues/", {"limit": "1", "offset": "0"})
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [sent_issue.id]


@pytest.mark.parametrize(
    "path", ["/api/v2/pages/", "/api/v2/topics/", "/api/v2/pages/find/?html_path=/", "detail"]
)
def test_fields_nested_1500_deep_gets_a_400_naming_fields(client, content, path):
    if path == "detail":
        path = f"/api/v2/pages/{content['page'].id}/"
    separator = "&" if "?" in path else "?"
    response = client.get(f"{path}{separator}fields={quote(NESTED_FIELDS)}")
    assert response.status_code == 400, response.content[:200]
    assert response.json()["parameter"] == "fields"


def test_a_very_long_fields_list_gets_a_400_naming_fields(client, content):
    response = client.get("/api/v2/pages/", {"fields": ",".join(["title"] * 5000)})
    assert response.status_code == 400
    assert response.json()["parameter"] == "fields"


def test_ordinary_nested_fields_still_work(client, content):
    response = client.get(
        "/api/v2/pages/", {"type": "cms.NewsPage", "fields": "topics(name,slug),title"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["items"][0]["topics"][0]["name"] == "Economia"


# -- generated input on every public GET endpoint --------------------------------------------

API_LISTINGS = [
    "/api/v2/pages/",
    "/api/v2/topics/",
    "/api/v2/organisations/",
    "/api/v2/people/",
    "/api/v2/places/",
    "/api/v2/missions/",
    "/api/v2/images/",
    "/api/v2/documents/",
]
API_PARAMETERS = [
    *PAGE_PARAMETERS,
    "id",
    "title",
    "slug",
    "html_path",
    "_",
]
FEEDS = ["/feeds/news.rss", "/feeds/news.atom", "/feeds/news.json"]

hostile_numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(UNICODE_DIGITS + HUGE),
    st.text(st.characters(categories=["Nd", "No", "Nl"]), min_size=1, max_size=25),
    st.from_regex(r"[0-9]{1,40}", fullmatch=True),
)
hostile_text = st.one_of(
    st.text(max_size=60),
    st.text(st.characters(codec="utf-8"), max_size=300),
    st.builds(lambda depth: "title(" * depth + ")" * depth, st.integers(0, 3000)),
    st.builds(lambda n: ",".join(["id"] * n), st.integers(0, 3000)),
    st.sampled_from(["", ",", "(", ")", "-", "*", "\x00", "%", "root", "true", "2024-02-30"]),
)
hostile_value = st.one_of(hostile_numbers, hostile_text)

HYPOTHESIS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def assert_a_clean_answer(response, *, json_api: bool) -> None:
    assert response.status_code < 500, (response.status_code, response.content[:300])
    if json_api and response.status_code == 400:
        body = response.json()
        assert "parameter" in body or "errors" in body, body


SNIPPET_PARAMETERS = ["limit", "offset", "fields", "order", "search", "locale", "slug", "_"]
PER_PARAMETER = settings(HYPOTHESIS, max_examples=12)


@pytest.mark.parametrize("path", API_LISTINGS)
def test_generated_values_of_each_parameter_never_get_a_server_error_on_api_listings(
    client, content, path
):
    for parameter in API_PARAMETERS if path == "/api/v2/pages/" else SNIPPET_PARAMETERS:
        check_one_parameter(client, path, parameter)


# Every value here goes to every parameter; the generated ones come on top.
HOSTILE_CORPUS = [
    *UNICODE_DIGITS,
    *HUGE,
    "-1",
    "1.5",
    "",
    "\x00",
    "root",
    NESTED_FIELDS,
    ",".join(["title"] * 3000),
    "ｔｉｔｌｅ",
    "title\n",
    "2024-02-30",
    "٢٠٢٤-٠٥-٠١",
    "a" * 5000,
    "it' OR '1'='1",
    "en; DROP TABLE wagtailcore_page",
]


def check_one_parameter(client, path: str, parameter: str, fixed: dict | None = None) -> None:
    """Every hostile value for `parameter`, beside the `fixed` parameters."""
    for value in HOSTILE_CORPUS:
        response = client.get(path, {**(fixed or {}), parameter: value})
        assert_a_clean_answer(response, json_api=True)
        if response.status_code == 400:
            assert response.json()["parameter"] == parameter, (parameter, value)

    @PER_PARAMETER
    @given(value=hostile_value)
    def check(value):
        response = client.get(path, {**(fixed or {}), parameter: value})
        assert_a_clean_answer(response, json_api=True)
        if response.status_code == 400:
            assert response.json()["parameter"] == parameter, (parameter, value)

    check()


@pytest.mark.parametrize("path", API_LISTINGS)
def test_generated_combinations_never_get_a_server_error_on_api_listings(client, content, path):
    @HYPOTHESIS
    @given(query=st.dictionaries(st.sampled_from(API_PARAMETERS), hostile_value, max_size=4))
    def check(query):
        assert_a_clean_answer(client.get(f"{path}?{urlencode(query)}"), json_api=True)

    check()


def test_generated_values_never_get_a_server_error_on_details_and_find(client, content):
    page_id = content["page"].id

    @HYPOTHESIS
    @given(
        path=st.sampled_from(
            [f"/api/v2/pages/{page_id}/", "/api/v2/pages/find/", "/api/v2/topics/1/"]
        ),
        query=st.dictionaries(st.sampled_from(["fields", "id", "html_path", "_"]), hostile_value),
    )
    def check(path, query):
        assert_a_clean_answer(client.get(f"{path}?{urlencode(query)}"), json_api=True)

    check()


def test_generated_path_segments_never_get_a_server_error(client, sent_issue):
    @HYPOTHESIS
    @given(
        template=st.sampled_from(
            [
                "/api/v2/pages/{}/",
                "/api/v2/topics/{}/",
                "/api/v2/images/{}/",
                "/api/v2/issues/{}/",
                "/newsletter/archive/{}/",
                "/newsletter/archive/innovazione/{}/",
            ]
        ),
        segment=hostile_value,
    )
    def check(template, segment):
        response = client.get(template.format(quote(segment, safe="")))
        assert response.status_code < 500, (template, segment, response.status_code)

    check()


# What a forged or mangled link carries: signing.dumps() shapes (parts joined by ":") and the rest.
forged_token = st.one_of(
    hostile_value,
    st.lists(
        st.text(st.sampled_from("eyJ9abcXYZ019-_.=:²%"), max_size=40), min_size=1, max_size=5
    ).map(":".join),
)


def test_generated_tokens_never_get_a_server_error_on_the_subscriber_pages(client, sent_issue):
    @HYPOTHESIS
    @given(
        page=st.sampled_from(["confirm", "preferences", "unsubscribe"]),
        method=st.sampled_from(["get", "post"]),
        token=forged_token,
    )
    def check(page, method, token):
        url = f"/newsletter/{page}/{quote(token, safe='')}/"
        response = getattr(client, method)(url)
        assert response.status_code < 500, (method, url, response.status_code)

    check()


def test_generated_preview_queries_never_get_a_server_error(client, content):
    @HYPOTHESIS
    @given(
        query=st.dictionaries(
            st.sampled_from(["content_type", "token", "fields", "_"]),
            st.one_of(forged_token, st.just("cms.newspage")),
        )
    )
    def check(query):
        assert_a_clean_answer(client.get(f"/api/v2/preview/?{urlencode(query)}"), json_api=True)

    check()


@pytest.mark.parametrize("path", FEEDS)
def test_generated_query_strings_never_get_a_server_error_on_feeds(client, content, path):
    for parameter in ("topic", "locale"):
        for value in HOSTILE_CORPUS:
            assert_a_clean_answer(client.get(path, {parameter: value}), json_api=False)

    @HYPOTHESIS
    @given(query=st.dictionaries(st.sampled_from(["topic", "locale", "_", "x"]), hostile_value))
    def check(query):
        assert_a_clean_answer(client.get(f"{path}?{urlencode(query)}"), json_api=False)

    check()


@pytest.mark.parametrize(
    "path", ["/api/v2/issues/", "/api/v2/newsletters/", "/newsletter/archive/"]
)
def test_generated_query_strings_never_get_a_server_error_on_the_archive(client, sent_issue, path):
    for parameter in ("limit", "offset", "newsletter"):
        for value in HOSTILE_CORPUS:
            assert_a_clean_answer(client.get(path, {parameter: value}), json_api=True)

    @HYPOTHESIS
    @given(
        query=st.dictionaries(
            st.sampled_from(["limit", "offset", "newsletter", "_"]), hostile_value
        )
    )
    def check(query):
        assert_a_clean_answer(client.get(f"{path}?{urlencode(query)}"), json_api=True)

    check()


def test_raw_query_strings_with_broken_encoding_never_get_a_server_error(client, content):
    @HYPOTHESIS
    @given(
        path=st.sampled_from(
            [
                *API_LISTINGS,
                *FEEDS,
                "/api/v2/issues/",
                "/api/schema/",
                "/api/docs/",
                "/newsletter/archive/",
                "/newsletter/subscribe/",
            ]
        ),
        raw=st.text(st.sampled_from("%&=;+?#[]()aZ09²\u00ff\x00 "), max_size=40),
    )
    def check(path, raw):
        response = client.get(f"{path}?{raw}")
        assert response.status_code < 500, (path, raw, response.status_code)

    check()


def test_hostile_values_on_the_written_out_news_listing_never_get_a_server_error(
    client, content, monkeypatch
):
    """The commonest news listings skip the ORM (cms/api/listing.py:read_news): every
    parameter it reads gets the same hostile values, with `type=cms.NewsPage`."""
    from cms.api import listing

    read = []
    original = listing.read_news
    monkeypatch.setattr(listing, "read_news", lambda *args: read.append(args) or original(*args))
    for parameter in sorted(listing.WRITTEN_OUT_PARAMETERS - {"type"}):
        check_one_parameter(client, "/api/v2/pages/", parameter, fixed={"type": "cms.NewsPage"})
    # None of them is a language of the site: refused, however the query is written.
    for value in ("it' OR '1'='1", "a" * 5000, "it%"):
        response = client.get("/api/v2/pages/", {"type": "cms.NewsPage", "locale": value})
        assert response.status_code == 400, (value, response.content[:200])
        assert response.json()["parameter"] == "locale"
    # The hostile values reached the written-out query (a language is only checked there).
    assert any(args[1] == "a" * 5000 for args in read)
    assert any(args[1] == "it' OR '1'='1" for args in read)
