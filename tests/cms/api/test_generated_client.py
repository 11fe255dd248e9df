"""A client generated from /api/schema/ reads every response of the demo site.

openapi-python-client (what integrators use) builds a Python package from the
document the test server serves; every listing (with and without fields=*), every
detail, every snippet, the newsletter, issue and preview endpoints and the webhook
payload are then parsed with it, and must come back unchanged from its models
(``to_dict()``): a null where the schema promises an object, a missing required key
or an undocumented shape fails here, as it fails for a site using the client.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest
from openapi_spec_validator import validate

from cms.models.webhooks import WebhookEvent
from cms.webhooks import payload_for

pytestmark = [pytest.mark.services("postgres", "redis"), pytest.mark.django_db]

LISTINGS = [
    ("pages", "list_pages"),
    ("topics", "list_topics"),
    ("organisations", "list_organisations"),
    ("people", "list_people"),
    ("places", "list_places"),
    ("missions", "list_missions"),
    ("images", "list_images"),
    ("documents", "list_documents"),
]
DETAILS = {
    "pages": "get_page",
    "topics": "get_topic",
    "organisations": "get_organisation",
    "people": "get_person",
    "places": "get_place",
    "missions": "get_mission",
    "images": "get_image",
    "documents": "get_document",
}


def generate_client(schema: dict, directory: Path) -> str:
    """Run openapi-python-client on the document; return the importable package's name."""
    package = f"notiziario_client_{uuid.uuid4().hex[:8]}"
    schema_file = directory / "schema.json"
    schema_file.write_text(json.dumps(schema))
    config = directory / "config.json"
    config.write_text(json.dumps({"package_name_override": package}))
    bin_dir = Path(sys.executable).parent
    result = subprocess.run(
        [
            str(bin_dir / "openapi-python-client"),
            "generate",
            "--path",
            str(schema_file),
            "--output-path",
            str(directory / package),
            "--meta",
            "none",
            "--config",
            str(config),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        # The generator formats its output with ruff, from the same virtualenv; offline.
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"},
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Only the XML feeds (RSS, Atom) may be left out: they are not JSON.
    warnings = [
        line
        for line in result.stdout.splitlines()
        if line.startswith("WARNING") and "/feeds/news." not in line
    ]
    assert warnings == [], result.stdout
    sys.path.insert(0, str(directory))
    importlib.invalidate_caches()
    return package


@pytest.fixture(scope="module")
def generated(demo_site, django_db_blocker, tmp_path_factory):
    from django.test import Client

    with django_db_blocker.unblock():
        schema = Client().get("/api/schema/").json()
    validate(schema)
    directory = tmp_path_factory.mktemp("generated-client")
    package = generate_client(schema, directory)
    yield Generated(package, schema)
    sys.path.remove(str(directory))


class Generated:
    def __init__(self, package: str, schema: dict):
        self.package = package
        self.schema = schema
        self.client = importlib.import_module(f"{package}.client").Client(
            base_url="http://testserver", raise_on_unexpected_status=True
        )
        self.operations = {
            operation["operationId"]: operation["tags"][0]
            for item in schema["paths"].values()
            for operation in item.values()
        }

    def model(self, name: str):
        return getattr(importlib.import_module(f"{self.package}.models"), name)

    def parse(self, operation_id: str, response) -> object:
        """Parse a Django test response as the generated operation does; check the round trip."""
        tag = self.operations[operation_id]
        module = importlib.import_module(f"{self.package}.api.{tag}.{operation_id}")
        parsed = module._parse_response(
            client=self.client,
            response=httpx.Response(
                response.status_code,
                content=response.content,
                headers={"Content-Type": response["Content-Type"]},
            ),
        )
        assert parsed is not None, f"{operation_id}: no model for {response.status_code}"
        assert parsed.to_dict() == response.json(), operation_id
        return parsed


def get_all(api, url: str) -> list:
    """Every page of a listing (100 at a time), as the test client's responses."""
    responses = []
    offset = 0
    separator = "&" if "?" in url else "?"
    for _ in range(50):
        response = api.get(f"{url}{separator}limit=100&offset={offset}")
        assert response.status_code == 200, (url, response.content[:300])
        responses.append(response)
        offset += 100
        if offset >= response.json()["meta"]["total_count"]:
            break
    return responses


def test_the_document_validates_and_generates_a_client_without_warnings(generated):
    assert {"list_newsletters", "subscribe", "list_issues", "get_issue", "get_preview"} <= set(
        generated.operations
    )
    assert "WebhookEvent" in generated.schema["components"]["schemas"]


@pytest.mark.parametrize("endpoint,operation", LISTINGS)
@pytest.mark.parametrize("fields", ["", "fields=*"])
def test_every_listing_and_detail_parses_with_the_generated_client(
    api, generated, endpoint, operation, fields
):
    url = f"/api/v2/{endpoint}/" + (f"?{fields}" if fields else "")
    ids = []
    for response in get_all(api, url):
        listing = generated.parse(operation, response)
        ids += [item.id for item in listing.items]
    assert ids, f"the demo has no {endpoint}"
    if fields:
        return  # details do not depend on the listing's fields
    for pk in ids:
        generated.parse(DETAILS[endpoint], api.get(f"/api/v2/{endpoint}/{pk}/"))


def test_news_listings_parse_with_every_field_and_nulls(api, generated, demo_site):
    responses = get_all(api, "/api/v2/pages/?type=cms.NewsPage&fields=*")
    items = [item for response in responses for item in response.json()["items"]]
    # The demo has news without a mission and without a hero: the nulls must parse.
    assert any(item["mission"] is None for item in items)
    assert any(item["mission"] is not None for item in items)
    for response in responses:
        generated.parse("list_pages", response)


def test_the_home_page_detail_with_a_null_parent_parses(api, generated):
    homes = api.get("/api/v2/pages/?type=cms.HomePage").json()["items"]
    assert homes
    for home in homes:
        response = api.get(f"/api/v2/pages/{home['id']}/")
        assert response.json()["meta"]["parent"] is None
        generated.parse("get_page", response)


def test_an_alias_detail_parses_with_its_alias_of(api, generated, demo_site):
    response = api.get(f"/api/v2/pages/{demo_site['alias'].id}/")
    page = generated.parse("get_page", response)
    assert page.meta.alias_of.id == demo_site["story"].id


def test_the_newsletters_parse(api, generated):
    parsed = generated.parse("list_newsletters", api.get("/api/v2/newsletters/"))
    assert {item.slug for item in parsed.items} == {
        "innovazione-in-toscana",
        "tuscany-innovation-monthly",
    }


def test_the_issues_and_each_issue_parse(api, generated, demo_site):
    parsed = generated.parse("list_issues", api.get("/api/v2/issues/"))
    assert [item.id for item in parsed.items] == [demo_site["issue"].pk]
    issue = generated.parse("get_issue", api.get(f"/api/v2/issues/{demo_site['issue'].pk}/"))
    assert issue.items


def test_a_subscription_answer_parses(api, generated):
    response = api.post(
        "/api/v2/subscriptions/",
        data=json.dumps(
            {
                "email": "anna@example.org",
                "newsletters": ["innovazione-in-toscana"],
                "consent": True,
                "locale": "it",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 202
    assert generated.parse("subscribe", response).status == "pending"


def test_the_preview_parses(api, generated, demo_site):
    response = api.get(
        f"/api/v2/preview/?content_type=cms.newspage&token={demo_site['preview_token']}"
    )
    assert generated.parse("get_preview", response).title.startswith("Bozza: ")


def test_the_webhook_payload_is_the_documented_component(generated, demo_site):
    model = generated.model("WebhookEvent")
    for event in WebhookEvent:
        payload = json.loads(json.dumps(payload_for(demo_site["story"], event)))
        assert model.from_dict(payload).to_dict() == payload


def test_get_on_subscriptions_is_a_json_405_that_says_allow_post(api):
    response = api.get("/api/v2/subscriptions/")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"]


@pytest.mark.parametrize(
    "query", ["locale=en", "locale=it&limit=10", "locale=it&limit=10&fields=title,people,places"]
)
def test_the_listing_fast_path_serves_what_the_serializers_serve(
    api, demo_site, monkeypatch, query
):
    """Both paths derive from cms/api/summaries.py; this keeps them byte for byte equal."""
    from django.core.cache import cache

    from cms import caching
    from cms.api import listing

    url = f"/api/v2/pages/?type=cms.NewsPage&fields=*&{query}"
    if "fields=title" in query:
        url = f"/api/v2/pages/?type=cms.NewsPage&{query}"
    real, fast_served = listing.serialize, []

    def spy(*args, **kwargs):
        items = real(*args, **kwargs)
        fast_served.append(items is not None)
        return items

    monkeypatch.setattr(listing, "serialize", spy)
    fast = api.get(url)
    cache.clear()
    caching.forget_all()
    monkeypatch.setattr(listing, "serialize", lambda *args, **kwargs: None)  # the DRF path
    serializers = api.get(url)
    assert fast_served == [True]
    assert fast.json()["items"]
    assert fast.content == serializers.content
