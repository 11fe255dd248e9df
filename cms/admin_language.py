"""Editors get the admin in Italian, whatever language their browser asks for.

Wagtail follows the browser unless the user profile names a language, so each
new user's profile starts with settings.LANGUAGE_CODE. Editors can still pick
English under "Account › Preferenze".
"""

from __future__ import annotations

from django.conf import settings
from wagtail.users.models import UserProfile


def start_new_users_in_the_default_language(sender, instance, created: bool, **kwargs) -> None:
    if not created or kwargs.get("raw"):
        return
    profile = UserProfile.get_for_user(instance)
    if not profile.preferred_language:
        profile.preferred_language = settings.LANGUAGE_CODE
        profile.save(update_fields=["preferred_language"])
