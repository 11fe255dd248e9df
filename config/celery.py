"""The Celery app. Tasks live beside the code they drive (cms/tasks.py, newsletter/tasks.py)."""

import os

from celery import Celery

# Production unless told otherwise: a forgotten variable must not serve debug pages.
# `make run`, the tests and the Procfile set development or test settings explicitly.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("notiziario")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
