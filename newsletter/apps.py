from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = _("Newsletter")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Bounce/complaint receivers, and tasks outside tasks.py so workers register them.
        from . import (  # noqa: F401
            consent_tasks,
            scheduling,  # noqa: F401  (keeps each cadence's PeriodicTask in sync)
            signals,
        )
