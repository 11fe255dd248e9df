"""Public, site-facing newsletter pages (mounted at /newsletter/)."""

from django.urls import path  # noqa: F401

app_name = "newsletter"

urlpatterns: list = []
