"""The Celery app. Tasks live beside the code they drive (cms/tasks.py, newsletter/tasks.py)."""

import os
from pathlib import Path

from celery import Celery

from devservices import addresses


def _default_settings() -> str:
    """Production unless told otherwise: a forgotten variable must not run development.

    The one exception: a `make run` of this checkout is up (its embedded services are
    alive, var/services.env says so), so `celery -A config inspect …` beside it reaches
    the same broker without extra environment, as `manage.py` does.
    """
    var_dir = Path(os.environ.get("VAR_DIR", Path(__file__).resolve().parents[1] / "var"))
    if addresses.read_live(var_dir):
        return "config.settings.dev"
    return "config.settings.production"


os.environ.setdefault("DJANGO_SETTINGS_MODULE", _default_settings())

app = Celery("notiziario")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
