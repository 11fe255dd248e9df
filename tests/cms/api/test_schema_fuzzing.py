"""Fuzzing the public API from its own OpenAPI schema (/api/schema/) with schemathesis.

A bounded number of generated requests per operation; none may get a server
error or a response that does not match the schema.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests import factories
from tests.cms.api.conftest import image, mission, organisation, person, place

EXAMPLES_PER_OPERATION = 12


CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]


@pytest.fixture
def content():
    index = factories.site_tree()
    org = organisation()
    page = factories.news(
        index,
        title="Notizia completa",
        topics=[factories.topic("Economia")],
        hero_image=image(size=(30, 20)),
        hero_alt="x",
        mission=mission(destination=place()),
        body=[("paragraph", "<p>Testo</p>"), ("key_figure", {"value": "1", "label": "uno"})],
    )
    page.organisations.set([org])
    page.people.set([person(org=org)])
    page.save_revision().publish()


@pytest.fixture
def in_process_wsgi():
    """Keep the test's database connection open across in-process WSGI requests (as Client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.services("postgres", "redis")
@pytest.mark.django_db
def test_generated_requests_get_no_server_error_and_match_the_schema(content, in_process_wsgi):
    schema = schemathesis.openapi.from_wsgi("/api/schema/", in_process_wsgi)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def check(case):
            case.call_and_validate(checks=CHECKS)

        check()
