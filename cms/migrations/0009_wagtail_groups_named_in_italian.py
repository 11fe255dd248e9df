"""Wagtail's own groups named in Italian: "Editors" becomes "Redattori" and
"Moderators" becomes "Moderatori".

The groups are renamed, not replaced: their members, their page permissions and the
default workflow's approval task (which points at the moderators' group by key, not
by name) stay as they are. Redazione (migration 0008) is the editorial desk that
writes and publishes; Redattori write and submit for moderation; Moderatori approve
(and so publish) what is submitted. A name already taken is left alone.
"""

from django.db import migrations

RENAMES = [("Editors", "Redattori"), ("Moderators", "Moderatori")]


def rename_groups(apps, schema_editor, backwards: bool = False) -> None:
    Group = apps.get_model("auth", "Group")
    for english, italian in RENAMES:
        old, new = (italian, english) if backwards else (english, italian)
        if not Group.objects.filter(name=new).exists():
            Group.objects.filter(name=old).update(name=new)


def rename_groups_back(apps, schema_editor) -> None:
    rename_groups(apps, schema_editor, backwards=True)


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0008_redazione_group_and_italian_workflow"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(rename_groups, rename_groups_back)]
