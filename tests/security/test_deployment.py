"""Deployment defaults are the safe ones: production settings unless told otherwise, secrets
required, gunicorn reachable only through the proxy, every knob passed through compose."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess

import pytest
import yaml

from tests.test_foundation.processes import ROOT, clean_env, production_environment, run


@pytest.fixture
def production_env(tmp_path):
    return production_environment(tmp_path)


def last_line(result: subprocess.CompletedProcess) -> str:
    return result.stderr.strip().splitlines()[-1]


def test_production_refuses_to_start_without_its_own_hash_key(production_env):
    """Falling back to SECRET_KEY would void every suppression hash when the key rotates."""
    del production_env["HASH_KEY"]
    result = run(["manage.py", "check"], production_env)
    assert result.returncode != 0
    assert "HASH_KEY" in last_line(result)


def test_production_refuses_a_short_hash_key(production_env):
    production_env["HASH_KEY"] = "short"
    result = run(["manage.py", "check"], production_env)
    assert result.returncode != 0
    assert "HASH_KEY" in last_line(result)


def test_production_uses_the_hash_key_it_is_given(production_env):
    code = (
        "import django; django.setup(); from django.conf import settings; print(settings.HASH_KEY)"
    )
    result = run(["-c", code], production_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == production_env["HASH_KEY"]


def test_an_email_provider_without_a_webhook_secret_stops_start_up(production_env):
    production_env["EMAIL_URL"] = "anymail+postmark:"
    result = run(["manage.py", "check"], production_env)
    assert result.returncode != 0
    assert "ANYMAIL_WEBHOOK_SECRET" in last_line(result)


def test_an_email_provider_with_a_webhook_secret_starts_clean(production_env):
    production_env.update(
        EMAIL_URL="anymail+postmark:", ANYMAIL_WEBHOOK_SECRET=f"postmark:{secrets.token_hex(16)}"
    )
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env)
    assert result.returncode == 0, result.stderr


def test_smtp_needs_no_webhook_secret(production_env):
    result = run(["manage.py", "check"], production_env)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("module", ["config.wsgi", "config.asgi", "config.celery"])
def test_entry_points_default_to_production_settings(production_env, module):
    del production_env["DJANGO_SETTINGS_MODULE"]
    code = (
        f"import {module}, django; django.setup(); from django.conf import settings; "
        "print(settings.SETTINGS_MODULE, settings.DEBUG)"
    )
    result = run(["-c", code], production_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["config.settings.production", "False"]


def test_celery_beside_a_running_make_run_of_the_checkout_uses_development(tmp_path):
    """`celery -A config inspect ping` next to `make run` needs no extra environment (#13);
    the exception holds only while that checkout's embedded services are alive."""
    code = "import os, config.celery; print(os.environ['DJANGO_SETTINGS_MODULE'])"
    env = clean_env(VAR_DIR=str(tmp_path))
    (tmp_path / "services.env").write_text(
        "DATABASE_URL=postgresql://u@127.0.0.1:1/x\nREDIS_URL=redis://127.0.0.1:1/0\n"
        f"SERVICE_PIDS={os.getpid()}\n"
    )
    assert run(["-c", code], env).stdout.split() == ["config.settings.dev"]
    (tmp_path / "services.env").write_text("SERVICE_PIDS=999999999\n")  # its servers are gone
    assert run(["-c", code], env).stdout.split() == ["config.settings.production"]


@pytest.mark.parametrize("module", ["config.wsgi", "config.celery"])
def test_an_unconfigured_server_refuses_to_start_rather_than_run_development(module):
    # Services named, so what stops it is the first setting only production requires.
    services = {
        "DATABASE_URL": "postgresql://u@127.0.0.1:1/x",
        "REDIS_URL": "redis://127.0.0.1:1/0",
    }
    result = run(["-c", f"import {module}, django; django.setup()"], clean_env(**services))
    assert result.returncode != 0
    assert "SECRET_KEY" in last_line(result)


def test_the_procfile_names_development_settings_for_celery():
    """make run keeps working: the Celery lines no longer inherit a development default."""
    lines = (ROOT / "Procfile").read_text().splitlines()
    for name in ("worker:", "beat:"):
        (line,) = [line for line in lines if line.startswith(name)]
        assert "DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-config.settings.dev}" in line


def compose_config(**variables: str) -> dict:
    if not shutil.which("docker-compose"):
        pytest.skip("docker-compose is not installed (CI installs it)")
    result = subprocess.run(
        ["docker-compose", "-f", "docker-compose.yml", "config"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", **variables},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def published(port) -> tuple[str, str]:
    """(host address, host port) of a compose port, in either of its two printed forms."""
    if isinstance(port, dict):
        return port.get("host_ip", "0.0.0.0"), str(port["published"])
    parts = str(port).split("/")[0].split(":")
    return (parts[0], parts[1]) if len(parts) == 3 else ("0.0.0.0", parts[0])


def test_compose_publishes_gunicorn_on_loopback_only():
    web = compose_config()["services"]["web"]
    assert [published(port) for port in web["ports"]] == [("127.0.0.1", "8000")]


def test_compose_publishes_every_port_on_loopback_only():
    """Mailpit's inbox shows every confirmation and unsubscribe link sent."""
    for name, service in compose_config()["services"].items():
        for port in service.get("ports", []):
            assert published(port)[0] == "127.0.0.1", name


def test_compose_trusts_forwarded_headers_from_the_proxy_only():
    services = compose_config()["services"]
    for name in ("web", "worker", "beat"):
        command = json.dumps(services[name]["command"])
        assert "forwarded-allow-ips" not in command and "'*'" not in command, name
    assert services["web"]["environment"]["FORWARDED_ALLOW_IPS"] == "127.0.0.1,::1"
    assert "--config config/gunicorn.py" in json.dumps(services["web"]["command"])


def test_compose_passes_deployment_secrets_and_proxy_settings_through():
    services = compose_config(
        TRUSTED_PROXY_COUNT="2", ANYMAIL_WEBHOOK_SECRET="postmark:s3cret",
        FORWARDED_ALLOW_IPS="172.18.0.1", WEB_PUBLISH_ADDRESS="10.0.0.5",
    )["services"]  # fmt: skip
    for name in ("web", "worker", "beat"):
        environment = services[name]["environment"]
        assert environment["TRUSTED_PROXY_COUNT"] == "2", name
        assert environment["ANYMAIL_WEBHOOK_SECRET"] == "postmark:s3cret", name
        assert environment["FORWARDED_ALLOW_IPS"] == "172.18.0.1", name
        assert "HASH_KEY" in environment, name
    assert [published(port) for port in services["web"]["ports"]] == [("10.0.0.5", "8000")]


def test_the_image_runs_gunicorn_with_the_repository_config():
    cmd = next(
        line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("CMD")
    )
    assert json.loads(cmd.removeprefix("CMD").strip())[:4] == [
        "gunicorn", "config.wsgi:application", "--config", "config/gunicorn.py",
    ]  # fmt: skip


def test_the_gunicorn_config_keeps_forwarded_headers_to_the_proxy():
    code = (
        "import runpy; c = runpy.run_path('config/gunicorn.py'); "
        "print(c['forwarded_allow_ips'], c['logger_class'].__name__)"
    )
    result = run(["-c", code], clean_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["127.0.0.1,::1", "RedactingLogger"]
