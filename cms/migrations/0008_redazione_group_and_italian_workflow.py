"""The Redazione group (editors: pages, snippets, images, documents) and the
default moderation workflow named in Italian.

Webhook endpoints and deliveries are not granted: they stay superuser-only
(cms/admin_webhooks.py enforces it whatever a group says). The Newsletter group
lives in the newsletter app's migrations, so cms does not depend on it.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Redazione"
PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
SNIPPETS = ["topic", "organisation", "person", "place", "mission"]
COLLECTION_PERMISSIONS = {
    "wagtailimages": ["add_image", "change_image", "choose_image", "delete_image"],
    "wagtaildocs": ["add_document", "change_document", "choose_document", "delete_document"],
}
OTHER_PERMISSIONS = [
    ("wagtailadmin", "admin", "access_admin"),
    ("simple_translation", "simpletranslation", "submit_translation"),
]

WORKFLOW_NAMES = [("Moderators approval", "Approvazione dei moderatori")]


def ensure_permissions(apps) -> None:
    """Permissions are created after migrations; create them now for this one."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def permission(apps, app_label: str, codename: str):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def create_redazione(apps, schema_editor):
    ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")

    group, _created = Group.objects.get_or_create(name=GROUP)
    model_permissions = [
        permission(apps, "cms", f"{action}_{model}")
        for model in SNIPPETS
        for action in ("add", "change", "delete", "view")
    ]
    model_permissions += [permission(apps, *(app, codename)) for app, _m, codename in OTHER_PERMISSIONS]
    group.permissions.add(*model_permissions)

    root = Page.objects.filter(depth=1).order_by("path").first()
    if root is not None:
        for codename in PAGE_PERMISSIONS:
            GroupPagePermission.objects.get_or_create(
                group=group, page=root, permission=permission(apps, "wagtailcore", codename)
            )
    collection = Collection.objects.filter(depth=1).order_by("path").first()
    if collection is not None:
        for app_label, codenames in COLLECTION_PERMISSIONS.items():
            for codename in codenames:
                GroupCollectionPermission.objects.get_or_create(
                    group=group,
                    collection=collection,
                    permission=permission(apps, app_label, codename),
                )


def remove_redazione(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


def rename_workflow(apps, schema_editor, backwards=False):
    for model in ("Workflow", "Task"):
        manager = apps.get_model("wagtailcore", model).objects
        for english, italian in WORKFLOW_NAMES:
            old, new = (italian, english) if backwards else (english, italian)
            manager.filter(name=old).update(name=new)


def rename_workflow_back(apps, schema_editor):
    rename_workflow(apps, schema_editor, backwards=True)


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0007_entity_links_with_choosers"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("simple_translation", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.RunPython(create_redazione, remove_redazione),
        migrations.RunPython(rename_workflow, rename_workflow_back),
    ]
