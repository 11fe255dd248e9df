"""/healthz and /readyz for load balancers."""

import pytest
from django.urls import reverse


def test_healthz_answers_while_the_process_is_alive(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_reports_database_and_broker_ready(client):
    response = client.get(reverse("readyz"))
    assert response.status_code == 200, response.content


@pytest.mark.django_db
def test_readyz_answers_503_naming_the_broker_when_it_is_down(client, settings):
    from config.celery import app

    previous = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get(reverse("readyz"))
    finally:
        app.conf.broker_url = previous
    assert response.status_code == 503
    assert response.json()["reasons"] == ["broker"]
