"""/readyz tells the internet which component is down, never why: the details go to the log."""

from __future__ import annotations

import logging

import pytest
from django.db import connection
from django.urls import reverse

pytestmark = pytest.mark.services("postgres", "redis")


@pytest.mark.django_db
def test_a_broker_failure_names_the_broker_and_logs_the_detail(client, caplog):
    from config.celery import app

    previous = app.conf.broker_url
    # Port 1 on loopback refuses connections: a real failure with a real message.
    app.conf.broker_url = "redis://:hunter2-broker@127.0.0.1:1/0"
    try:
        with caplog.at_level(logging.ERROR, logger="config.health"):
            response = client.get(reverse("readyz"))
    finally:
        app.conf.broker_url = previous

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "reasons": ["broker"]}
    body = response.content.decode()
    for leak in ("127.0.0.1", "Error", "refused", "hunter2", "redis://"):
        assert leak not in body
    logged = caplog.text
    assert "broker" in logged and "127.0.0.1" in logged and "refused" in logged.lower()


@pytest.mark.django_db(transaction=True)
def test_a_database_failure_names_the_database_and_logs_the_detail(client, caplog):
    saved = dict(connection.settings_dict)
    connection.close()
    # A real connection attempt to a port where nothing listens.
    connection.settings_dict.update(HOST="127.0.0.1", PORT="1", USER="secret_db_user")
    try:
        with caplog.at_level(logging.ERROR, logger="config.health"):
            response = client.get(reverse("readyz"))
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "reasons": ["database"]}
    body = response.content.decode()
    for leak in ("127.0.0.1", "port 1", "secret_db_user", "OperationalError", "refused"):
        assert leak not in body
    assert "secret_db_user" in caplog.text or "port 1" in caplog.text
    assert "OperationalError" in caplog.text
