"""Newsletter sections of the Wagtail admin."""

from wagtail import hooks

from . import admin_dashboard, admin_issues, admin_suppression  # noqa: F401  (register hooks)
from .admin_subscribers import subscriber_viewset


@hooks.register("register_admin_viewset")
def register_subscriber_viewset():
    return subscriber_viewset
