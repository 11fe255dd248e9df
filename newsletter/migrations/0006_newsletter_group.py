"""The Newsletter group: newsletter managers run newsletters, issues, subscribers
(with import and export), and the suppression list. No pages, no webhooks."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Newsletter"
MODELS = ["newsletter", "issue", "subscriber", "subscription", "suppression"]
READ_ONLY = ["consentrecord", "delivery"]


def create_group(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = [f"{action}_{model}" for model in MODELS for action in ("add", "change", "delete", "view")]
    codenames += [f"view_{model}" for model in READ_ONLY]
    permissions = list(
        Permission.objects.filter(content_type__app_label="newsletter", codename__in=codenames)
    )
    permissions.append(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    group, _created = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(*permissions)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("newsletter", "0005_newsletter_click_counts"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
