"""Make sure an administrator can log in, without ever shipping a fixed password.

- With DJANGO_SUPERUSER_PASSWORD set, a missing account is created with it.
- In development (DEBUG) without it, a random password is generated once and
  kept in var/admin-password, so every `make run` prints the same one.
- Anywhere else without it, the command refuses and says which variable to set.

An account that already exists is never changed: its password may have been
changed in the admin since.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

PASSWORD_VARIABLE = "DJANGO_SUPERUSER_PASSWORD"


def development_password_file() -> Path:
    return Path(settings.VAR_DIR) / "admin-password"


def development_password() -> str:
    """The development admin password: generated on first use, then read back."""
    path = development_password_file()
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(12)
    path.touch(mode=0o600)
    path.write_text(password + "\n")
    return password


class Command(BaseCommand):
    help = "Create the administrator account if it does not exist, and print how to log in."

    def add_arguments(self, parser):
        parser.add_argument(
            "--username", default=os.environ.get("DJANGO_SUPERUSER_USERNAME") or "admin"
        )
        parser.add_argument(
            "--email", default=os.environ.get("DJANGO_SUPERUSER_EMAIL") or "admin@localhost"
        )

    def handle(self, *args, username: str, email: str, **options) -> None:
        User = get_user_model()
        admin_url = f"{settings.WAGTAILADMIN_BASE_URL}/admin/"
        user = User.objects.filter(username=username).first()
        from_environment = os.environ.get(PASSWORD_VARIABLE)

        if user is not None:
            self.stdout.write(f"Admin account {username!r} already exists; log in at {admin_url}")
            if settings.DEBUG and not from_environment:
                self._print_development_password(user)
            return

        if from_environment:
            password = from_environment
            try:
                validate_password(password, User(username=username, email=email))
            except ValidationError as exc:
                raise CommandError(
                    f"{PASSWORD_VARIABLE} is too weak: {' '.join(exc.messages)}"
                ) from None
            shown = f"the value of {PASSWORD_VARIABLE}"
        elif settings.DEBUG:
            password = development_password()
            shown = f"{password}  (kept in {development_password_file()})"
        else:
            raise CommandError(
                f"No admin account {username!r} and no {PASSWORD_VARIABLE}: set it to create "
                "one (a generated password is only used in development)."
            )

        User.objects.create_superuser(username=username, email=email, password=password)
        self.stdout.write(self.style.SUCCESS(f"Created admin account {username!r}."))
        self.stdout.write(f"  Log in at {admin_url}\n  username: {username}\n  password: {shown}")

    def _print_development_password(self, user) -> None:
        path = development_password_file()
        if path.exists() and user.check_password(path.read_text().strip()):
            self.stdout.write(
                f"  username: {user.username}\n  password: {path.read_text().strip()}"
            )
        else:
            self.stdout.write(
                f"  Its password is no longer the generated one; reset it with "
                f"`manage.py changepassword {user.username}`."
            )
