from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Contenuti")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cms import signals  # noqa: F401  (connects cache invalidation and webhooks)
        from cms.admin_language import start_new_users_in_the_default_language

        post_save.connect(
            start_new_users_in_the_default_language,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="cms.start_new_users_in_the_default_language",
        )
