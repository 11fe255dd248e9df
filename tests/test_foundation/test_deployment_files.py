""".env.example and docker-compose.yml describe the deployment completely."""

import re
import shutil
import subprocess

import pytest
import yaml

from .processes import ROOT

SETTINGS_DIR = ROOT / "config" / "settings"
READS_VARIABLE = re.compile(r'env\.\w+\(\s*"([A-Z][A-Z0-9_]*)"')


def variables_read_by_settings() -> set[str]:
    return {
        name
        for path in SETTINGS_DIR.glob("*.py")
        for name in READS_VARIABLE.findall(path.read_text())
    }


def test_env_example_documents_every_variable_the_settings_read():
    documented = set(
        re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.M)
    )
    assert variables_read_by_settings() - documented == set()


@pytest.fixture(scope="module")
def compose() -> dict:
    if not shutil.which("docker-compose"):
        pytest.skip("docker-compose is not installed (CI installs it)")
    result = subprocess.run(
        ["docker-compose", "-f", "docker-compose.yml", "config"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_compose_has_the_documented_services(compose):
    assert set(compose["services"]) == {
        "postgres", "redis", "cache", "web", "varnish", "worker", "beat", "mailpit"
    }  # fmt: skip


def test_every_compose_service_has_a_healthcheck(compose):
    assert [
        name for name, service in compose["services"].items() if "healthcheck" not in service
    ] == []


def test_compose_keeps_data_in_named_volumes(compose):
    assert {"postgres-data", "redis-data", "media"} <= set(compose["volumes"])


def test_app_services_run_with_production_settings(compose):
    for name in ("web", "worker", "beat"):
        environment = compose["services"][name]["environment"]
        assert environment["DJANGO_SETTINGS_MODULE"] == "config.settings.production", name


def test_beat_uses_the_database_scheduler_and_runs_once(compose):
    beat = compose["services"]["beat"]
    assert "django_celery_beat.schedulers:DatabaseScheduler" in beat["command"]
    assert beat.get("scale", 1) == 1
    assert beat.get("deploy", {}).get("replicas", 1) == 1
