from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = _("Newsletter")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, not at the top: these modules import models, which only
        # exist once the app registry is ready.
        from . import (
            enqueue,
            scheduling,  # noqa: F401  (keeps each cadence's PeriodicTask in sync)
            signals,  # noqa: F401  (bounces, complaints and mailto: unsubscribes)
            tasks,
        )

        # The one place where services' jobs meet their tasks (see enqueue.py).
        enqueue.connect(
            process_subscription=tasks.process_subscription.delay,
            send_confirmation=tasks.send_confirmation.delay,
            run_import=tasks.run_import.delay,
        )
