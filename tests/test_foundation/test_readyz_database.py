"""/readyz answers 503 when the database does not answer (the README's promise)."""

from __future__ import annotations

import socket

import pytest
from django.db import connections
from django.urls import reverse

from config import health

pytestmark = pytest.mark.services("postgres")


def test_readyz_answers_503_naming_the_database_when_it_is_down(client, monkeypatch):
    default = connections["default"]
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound and never listening: every connection is refused
        down = type(default)(
            {**default.settings_dict, "HOST": "127.0.0.1", "PORT": closed.getsockname()[1]},
            alias="down",
        )
        monkeypatch.setattr(health, "connection", down)
        try:
            response = client.get(reverse("readyz"))
        finally:
            down.close()
    assert response.status_code == 503
    assert [r.split(":")[0] for r in response.json()["reasons"]] == ["database"]
