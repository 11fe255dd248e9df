"""Newsletter endpoints of the public API (mounted under /api/v2/ by config/urls.py)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
