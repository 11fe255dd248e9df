"""Wagtail's "Editors" and "Moderators" groups are renamed Redattori and Moderatori by
`cms` migration 0009, and moderation keeps working: the approval task still points at
the renamed group, whose members approve and so publish."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from wagtail.models import (
    GroupApprovalTask,
    GroupPagePermission,
    Page,
    Task,
    Workflow,
    WorkflowTask,
)

from cms.models import NewsPage
from tests import factories

pytestmark = pytest.mark.django_db

migration = import_module("cms.migrations.0009_wagtail_groups_named_in_italian")


@pytest.fixture
def wagtail_groups():
    """The groups and default workflow as Wagtail's own migrations make them (made again
    here: transactional tests elsewhere flush the database)."""
    Group.objects.filter(name__in=["Editors", "Moderators", "Redattori", "Moderatori"]).delete()
    Workflow.objects.all().delete()
    Task.objects.all().delete()
    moderators = Group.objects.create(name="Moderators")
    editors = Group.objects.create(name="Editors")
    root = Page.get_first_root_node()
    for group, codenames in (
        (moderators, ["add_page", "change_page", "publish_page"]),
        (editors, ["add_page", "change_page"]),
    ):
        group.permissions.add(Permission.objects.get(codename="access_admin"))
        for codename in codenames:
            GroupPagePermission.objects.create(
                group=group,
                page=root,
                permission=Permission.objects.get(
                    codename=codename, content_type__app_label="wagtailcore"
                ),
            )
    task = GroupApprovalTask.objects.create(name="Approvazione dei moderatori")
    task.groups.add(moderators)
    workflow = Workflow.objects.create(name="Approvazione dei moderatori", active=True)
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    return workflow


def test_the_migration_names_wagtails_groups_in_italian(wagtail_groups):
    moderators = Group.objects.get(name="Moderators")

    migration.rename_groups(apps, None)

    names = set(Group.objects.values_list("name", flat=True))
    assert {"Redattori", "Moderatori"} <= names
    assert not names & {"Editors", "Moderators"}
    assert Group.objects.get(name="Moderatori").pk == moderators.pk
    task = GroupApprovalTask.objects.get()
    assert list(task.groups.values_list("name", flat=True)) == ["Moderatori"]


def test_the_migration_can_be_reversed(wagtail_groups):
    migration.rename_groups(apps, None)
    migration.rename_groups_back(apps, None)

    names = set(Group.objects.values_list("name", flat=True))
    assert {"Editors", "Moderators"} <= names
    assert not names & {"Redattori", "Moderatori"}


def test_a_moderatori_member_approves_a_submitted_page_and_it_goes_live(wagtail_groups, client):
    migration.rename_groups(apps, None)
    moderator = get_user_model().objects.create_user("moderatrice", "m@example.org", "pw-lunga-1")
    moderator.groups.add(Group.objects.get(name="Moderatori"))
    page = factories.news(factories.site_tree(), title="Accordo firmato")
    page.unpublish()
    page.refresh_from_db()
    wagtail_groups.start(page, user=None)
    page.refresh_from_db()
    client.force_login(moderator)
    url = reverse(
        "wagtailadmin_pages:workflow_action",
        args=(page.pk, "approve", page.current_workflow_task_state.pk),
    )

    response = client.post(url, {"comment": ""})

    assert response.status_code == 302
    assert NewsPage.objects.get(pk=page.pk).live
