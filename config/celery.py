"""The Celery app. Tasks live beside the code they drive (cms/tasks.py, newsletter/tasks.py)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("notiziario")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
