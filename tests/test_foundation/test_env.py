"""Reading settings from the environment: config/settings/env.py."""

from email import message_from_bytes
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives, get_connection

from config.settings import env


@pytest.fixture
def environ(monkeypatch):
    def set_variable(name: str, value: str) -> None:
        monkeypatch.setenv(name, value)

    return set_variable


def test_an_empty_variable_counts_as_unset(environ):
    environ("SOME_SETTING", "")
    assert env.get("SOME_SETTING", "fallback") == "fallback"


def test_a_required_variable_that_is_missing_is_named_in_the_error():
    with pytest.raises(ImproperlyConfigured, match="NOT_SET_ANYWHERE"):
        env.get("NOT_SET_ANYWHERE", required=True)


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("yes", True), ("off", False)])
def test_booleans_accept_the_usual_spellings(environ, raw, expected):
    environ("A_FLAG", raw)
    assert env.get_bool("A_FLAG") is expected


def test_a_malformed_boolean_is_named_in_the_error(environ):
    environ("A_FLAG", "perhaps")
    with pytest.raises(ImproperlyConfigured, match="A_FLAG"):
        env.get_bool("A_FLAG")


def test_a_malformed_integer_is_named_in_the_error(environ):
    environ("A_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="A_NUMBER"):
        env.get_int("A_NUMBER", 1)


def test_lists_are_comma_separated_and_trimmed(environ):
    environ("HOSTS", " a.example.org, b.example.org ,,")
    assert env.get_list("HOSTS") == ["a.example.org", "b.example.org"]


def test_a_rate_is_a_limit_per_number_of_seconds(environ):
    environ("A_RATE", "20/3600")
    assert env.get_rate("A_RATE", "1/60") == "20/3600"


@pytest.mark.parametrize("raw", ["20", "twenty/3600", "20/0", "20/hour"])
def test_a_malformed_rate_is_named_in_the_error(environ, raw):
    environ("A_RATE", raw)
    with pytest.raises(ImproperlyConfigured, match="A_RATE"):
        env.get_rate("A_RATE", "1/60")


def test_a_url_with_the_wrong_scheme_is_named_in_the_error(environ):
    environ("REDIS_URL", "localhost:6379")
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
        env.url("REDIS_URL", None, ("redis", "rediss"))


def test_database_url_selects_postgresql(environ):
    environ("DATABASE_URL", "postgresql://news:secret@db.example.org:5433/notiziario")
    config = env.database("DATABASE_URL", "sqlite:///unused")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == (
        "db.example.org",
        5433,
        "notiziario",
    )


def test_an_unknown_database_scheme_is_named_in_the_error(environ):
    environ("DATABASE_URL", "nosuchdb://x")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        env.database("DATABASE_URL", "sqlite:///unused")


def email_settings(environ, url: str, mail_dir: Path = Path("/unused")) -> dict:
    environ("EMAIL_URL", url)
    return env.email("EMAIL_URL", "file:", mail_dir)


def test_email_url_smtp_with_credentials_and_starttls(environ):
    config = email_settings(environ, "smtp://user%40example.org:p%2Fss@mail.example.org:587?tls=1")
    assert config["EMAIL_BACKEND"] == "newsletter.outgoing.SMTPBackend"
    assert (config["EMAIL_HOST"], config["EMAIL_PORT"]) == ("mail.example.org", 587)
    assert (config["EMAIL_HOST_USER"], config["EMAIL_HOST_PASSWORD"]) == (
        "user@example.org",
        "p/ss",
    )
    assert config["EMAIL_USE_TLS"] is True
    assert config["EMAIL_USE_SSL"] is False


def test_email_url_smtps_uses_implicit_tls_on_port_465(environ):
    config = email_settings(environ, "smtps://mail.example.org")
    assert (config["EMAIL_PORT"], config["EMAIL_USE_SSL"]) == (465, True)


def test_email_url_smtp_without_a_host_is_named_in_the_error(environ):
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        email_settings(environ, "smtp://")


def test_email_url_console_prints_messages(environ):
    config = email_settings(environ, "console:")
    assert config["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


def test_email_url_anymail_selects_the_provider_backend(environ):
    config = email_settings(environ, "anymail+mailgun:")
    assert config["EMAIL_BACKEND"] == "anymail.backends.mailgun.EmailBackend"


def test_email_url_with_an_unknown_scheme_is_named_in_the_error(environ):
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        email_settings(environ, "pigeon://loft")


def send_through(config: dict) -> None:
    connection = get_connection(config["EMAIL_BACKEND"], file_path=config["EMAIL_FILE_PATH"])
    message = EmailMultiAlternatives(
        "Buongiorno", "Testo", "notizie@example.org", ["lettore@example.org"], connection=connection
    )
    message.attach_alternative("<p>Testo</p>", "text/html")
    message.send()


def test_email_url_file_alone_writes_one_eml_per_message_under_var_mail(environ, tmp_path):
    mail_dir = tmp_path / "var" / "mail"
    config = email_settings(environ, "file:", mail_dir)
    send_through(config)
    send_through(config)
    written = sorted(mail_dir.glob("*.eml"))
    assert len(written) == 2
    message = message_from_bytes(written[0].read_bytes())
    assert message["Subject"] == "Buongiorno"
    assert message.get_content_type() == "multipart/alternative"


def test_email_url_file_with_a_path_writes_there(environ, tmp_path):
    config = email_settings(environ, f"file://{tmp_path}/outbox")
    send_through(config)
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1
