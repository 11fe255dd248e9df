"""config.settings.production: safe when configured, loud when not."""

import pytest

from .processes import production_environment, run


@pytest.fixture
def production_env(tmp_path):
    return production_environment(tmp_path)


def test_check_deploy_reports_no_issues_with_a_real_secret_and_hosts(production_env):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stderr


@pytest.mark.parametrize(
    "name", ["SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL", "DATABASE_URL", "REDIS_URL", "EMAIL_URL",
             "DEFAULT_FROM_EMAIL", "CACHE_REDIS_URL", "NEWSLETTER_PRIVACY_URL"],
)  # fmt: skip
def test_a_missing_variable_stops_start_up_naming_it(production_env, name):
    del production_env[name]
    result = run(["manage.py", "check"], production_env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert name in result.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SECRET_KEY", "too-short"),
        ("SITE_URL", "http://news.example.org"),
        ("NEWSLETTER_PRIVACY_URL", "http://news.example.org/privacy/"),
        ("NEWSLETTER_PRIVACY_URL", "javascript:alert(1)"),
        ("REDIS_URL", "localhost:6379"),
        ("CACHE_REDIS_URL", "localhost:6380"),
        ("CACHE_REDIS_URL", "redis://127.0.0.1:6379/3"),
        ("EMAIL_URL", "smtpx://mail.example.org"),
        ("DATABASE_URL", "nosuchdb://x"),
        ("SECURE_HSTS_SECONDS", "a year"),
        ("SECURE_SSL_REDIRECT", "maybe"),
    ],
)
def test_an_invalid_variable_stops_start_up_naming_it(production_env, name, value):
    production_env[name] = value
    result = run(["manage.py", "check"], production_env)
    assert result.returncode != 0
    assert name in result.stderr.strip().splitlines()[-1]
