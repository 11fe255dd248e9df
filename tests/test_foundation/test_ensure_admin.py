"""manage.py ensure_admin: an admin to log in with, never a fixed password outside development."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


@pytest.fixture
def development(settings, tmp_path, monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    settings.DEBUG = True
    settings.VAR_DIR = tmp_path
    return settings


@pytest.fixture
def production(settings, tmp_path, monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    settings.DEBUG = False
    settings.VAR_DIR = tmp_path
    return settings


def ensure_admin() -> str:
    out = StringIO()
    call_command("ensure_admin", stdout=out)
    return out.getvalue()


def test_in_development_it_creates_admin_with_a_generated_password_kept_in_var(development):
    output = ensure_admin()
    password = (development.VAR_DIR / "admin-password").read_text().strip()
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(password)
    assert f"password: {password}" in output
    assert f"{development.WAGTAILADMIN_BASE_URL}/admin/" in output


def test_running_it_again_keeps_the_same_account_and_password(development):
    first = ensure_admin()
    second = ensure_admin()
    password = (development.VAR_DIR / "admin-password").read_text().strip()
    assert get_user_model().objects.count() == 1
    assert get_user_model().objects.get(username="admin").check_password(password)
    assert f"password: {password}" in first and f"password: {password}" in second


def test_a_fresh_database_reuses_the_password_already_generated(development):
    (development.VAR_DIR / "admin-password").write_text("kept-from-before-42\n")
    ensure_admin()
    assert get_user_model().objects.get(username="admin").check_password("kept-from-before-42")


def test_an_admin_whose_password_changed_is_left_alone(development):
    ensure_admin()
    admin = get_user_model().objects.get(username="admin")
    admin.set_password("chosen-by-the-editor-2026")
    admin.save()
    output = ensure_admin()
    admin.refresh_from_db()
    assert admin.check_password("chosen-by-the-editor-2026")
    assert "changepassword admin" in output


def test_djangos_superuser_password_variable_sets_the_password(production, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-Secret-for-2026")
    output = ensure_admin()
    assert get_user_model().objects.get(username="admin").check_password("a-long-Secret-for-2026")
    assert "a-long-Secret-for-2026" not in output
    assert not (production.VAR_DIR / "admin-password").exists()


def test_outside_development_without_a_password_it_refuses_naming_the_variable(production):
    with pytest.raises(CommandError, match="DJANGO_SUPERUSER_PASSWORD"):
        ensure_admin()
    assert not get_user_model().objects.exists()
    assert not (production.VAR_DIR / "admin-password").exists()


def test_a_weak_password_from_the_environment_is_refused(production, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "12345678")
    with pytest.raises(CommandError, match="DJANGO_SUPERUSER_PASSWORD is too weak"):
        ensure_admin()
    assert not get_user_model().objects.exists()
