"""Public, site-facing newsletter pages (mounted at /newsletter/)."""

from django.urls import path

from . import archive, clicks, views

app_name = "newsletter"

urlpatterns: list = [
    path("subscribe/", views.subscribe, name="subscribe"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("preferences/<str:token>/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("c/<int:issue_id>/<int:item_id>/", clicks.follow, name="click"),
    path("archive/", archive.archive_index, name="archive"),
    path("archive/<slug:slug>/", archive.archive_index, name="archive-newsletter"),
    path("archive/<slug:slug>/<int:number>/", archive.archive_issue, name="archive-issue"),
]
