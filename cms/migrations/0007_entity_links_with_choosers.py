"""Topics, organisations, people and places of a news page, and a mission's
organisations met, become ordered link rows edited with choosers (see
cms/models/links.py).

Each link model takes over the table of the plain many-to-many it replaces, so
no row moves: the state changes, the tables gain a `sort_order` (numbered in
the order the old lists showed, by name), and the drafts saved in revisions
get their links rewritten from `"topics": [ids]` to `"topic_links": [rows]`.
"""

import django.db.models.deletion
import modelcluster.fields
from django.db import migrations, models

import cms.models.links

LINKS = [
    ("newspage", "topics", "NewsPageTopic", "topic_links", "topic", "page", "cms_newspage_topics",
     "topic", "tema", "temi", "La sezione o le sezioni della notizia, per esempio «Innovazione».",
     "temi della notizia", "tema della notizia"),
]  # fmt: skip

LINKS = [
    # (model, field, link model, relation, target, target model, parent key, parent model)
    ("newspage", "topics", "newspagetopic", "topic_links", "topic", "topic", "page"),
    ("newspage", "organisations", "newspageorganisation", "organisation_links", "organisation",
     "organisation", "page"),
    ("newspage", "people", "newspageperson", "person_links", "person", "person", "page"),
    ("newspage", "places", "newspageplace", "place_links", "place", "place", "page"),
    ("mission", "organisations_met", "missionorganisation", "organisation_links", "organisation",
     "organisation", "mission"),
]  # fmt: skip


def number_links(apps, schema_editor):
    """Give every existing link a sort_order: by name within its page or mission."""
    for _model, _field, link_model, _relation, target, _target_model, parent in LINKS:
        Link = apps.get_model("cms", link_model)
        links = list(Link.objects.select_related(target).order_by(f"{parent}_id"))
        links.sort(key=lambda link: (getattr(link, f"{parent}_id"), getattr(link, target).name,
                                     getattr(link, f"{target}_id")))  # fmt: skip
        position: dict[int, int] = {}
        for link in links:
            owner = getattr(link, f"{parent}_id")
            link.sort_order = position.get(owner, 0)
            position[owner] = link.sort_order + 1
        Link.objects.bulk_update(links, ["sort_order"], batch_size=500)


def _news_revisions(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Revision = apps.get_model("wagtailcore", "Revision")
    content_type = ContentType.objects.filter(app_label="cms", model="newspage").first()
    if content_type is None:
        return Revision.objects.none()
    return Revision.objects.filter(content_type=content_type)


def revisions_to_link_rows(apps, schema_editor):
    """Drafts keep their links: `"topics": [3, 5]` becomes `"topic_links": [{…}, {…}]`."""
    for revision in _news_revisions(apps).iterator(chunk_size=200):
        content = revision.content
        changed = False
        for model, field, _link, relation, target, _target_model, parent in LINKS:
            if model != "newspage" or field not in content:
                continue
            ids = content.pop(field) or []
            content[relation] = [
                {"pk": None, "sort_order": index, parent: content.get("pk"), target: pk}
                for index, pk in enumerate(ids)
            ]
            changed = True
        if changed:
            revision.save(update_fields=["content"])


def revisions_to_id_lists(apps, schema_editor):
    for revision in _news_revisions(apps).iterator(chunk_size=200):
        content = revision.content
        changed = False
        for model, field, _link, relation, target, _target_model, _parent in LINKS:
            if model != "newspage" or relation not in content:
                continue
            rows = sorted(content.pop(relation) or [], key=lambda row: row.get("sort_order") or 0)
            content[field] = [row[target] for row in rows]
            changed = True
        if changed:
            revision.save(update_fields=["content"])


def link_model(name, parent_field, target, table, verbose_name, verbose_name_plural):
    return migrations.CreateModel(
        name=name,
        fields=[
            (
                "id",
                models.BigAutoField(
                    auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                ),
            ),
            parent_field,
            target,
        ],
        options={
            "verbose_name": verbose_name,
            "verbose_name_plural": verbose_name_plural,
            "db_table": table,
            "abstract": False,
            "unique_together": {(parent_field[0], target[0])},
        },
    )


def page_key(related_name):
    return (
        "page",
        modelcluster.fields.ParentalKey(
            db_column="newspage_id",
            on_delete=django.db.models.deletion.CASCADE,
            related_name=related_name,
            to="cms.newspage",
        ),
    )


def entity_key(name, model, verbose_name):
    return (
        name,
        models.ForeignKey(
            on_delete=django.db.models.deletion.CASCADE,
            related_name="+",
            to=f"cms.{model}",
            verbose_name=verbose_name,
        ),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0006_webhook_url_public_only"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        # The tables exist already (they were the many-to-many tables): state only.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                link_model(
                    "MissionOrganisation",
                    (
                        "mission",
                        modelcluster.fields.ParentalKey(
                            on_delete=django.db.models.deletion.CASCADE,
                            related_name="organisation_links",
                            to="cms.mission",
                        ),
                    ),
                    entity_key("organisation", "organisation", "organizzazione"),
                    "cms_mission_organisations_met",
                    "organizzazione incontrata",
                    "organizzazioni incontrate",
                ),
                migrations.AlterField(
                    model_name="mission",
                    name="organisations_met",
                    field=cms.models.links.LinkedManyToManyField(
                        blank=True,
                        help_text="Imprese, università, istituzioni e acceleratori incontrati o visitati.",
                        links="organisation_links",
                        related_name="missions",
                        target="organisation",
                        through="cms.MissionOrganisation",
                        to="cms.organisation",
                        verbose_name="organizzazioni incontrate",
                    ),
                ),
                link_model(
                    "NewsPageOrganisation",
                    page_key("organisation_links"),
                    entity_key("organisation", "organisation", "organizzazione"),
                    "cms_newspage_organisations",
                    "organizzazione della notizia",
                    "organizzazioni della notizia",
                ),
                migrations.AlterField(
                    model_name="newspage",
                    name="organisations",
                    field=cms.models.links.LinkedManyToManyField(
                        blank=True,
                        help_text="Istituzioni, imprese, università e startup di cui parla la notizia.",
                        links="organisation_links",
                        related_name="news",
                        target="organisation",
                        through="cms.NewsPageOrganisation",
                        to="cms.organisation",
                        verbose_name="organizzazioni",
                    ),
                ),
                link_model(
                    "NewsPagePerson",
                    page_key("person_links"),
                    entity_key("person", "person", "persona"),
                    "cms_newspage_people",
                    "persona della notizia",
                    "persone della notizia",
                ),
                migrations.AlterField(
                    model_name="newspage",
                    name="people",
                    field=cms.models.links.LinkedManyToManyField(
                        blank=True,
                        help_text="Le persone citate, con il loro ruolo.",
                        links="person_links",
                        related_name="news",
                        target="person",
                        through="cms.NewsPagePerson",
                        to="cms.person",
                        verbose_name="persone",
                    ),
                ),
                link_model(
                    "NewsPagePlace",
                    page_key("place_links"),
                    entity_key("place", "place", "luogo"),
                    "cms_newspage_places",
                    "luogo della notizia",
                    "luoghi della notizia",
                ),
                migrations.AlterField(
                    model_name="newspage",
                    name="places",
                    field=cms.models.links.LinkedManyToManyField(
                        blank=True,
                        help_text="Dove si svolgono i fatti.",
                        links="place_links",
                        related_name="news",
                        target="place",
                        through="cms.NewsPagePlace",
                        to="cms.place",
                        verbose_name="luoghi",
                    ),
                ),
                link_model(
                    "NewsPageTopic",
                    page_key("topic_links"),
                    entity_key("topic", "topic", "tema"),
                    "cms_newspage_topics",
                    "tema della notizia",
                    "temi della notizia",
                ),
                migrations.AlterField(
                    model_name="newspage",
                    name="topics",
                    field=cms.models.links.LinkedManyToManyField(
                        blank=True,
                        help_text="La sezione o le sezioni della notizia, per esempio «Innovazione».",
                        links="topic_links",
                        related_name="news",
                        target="topic",
                        through="cms.NewsPageTopic",
                        to="cms.topic",
                        verbose_name="temi",
                    ),
                ),
            ],
            database_operations=[],
        ),
        # The one real schema change: each table gains its order.
        *[
            migrations.AddField(
                model_name=name,
                name="sort_order",
                field=models.IntegerField(blank=True, editable=False, null=True),
            )
            for name in (
                "missionorganisation",
                "newspageorganisation",
                "newspageperson",
                "newspageplace",
                "newspagetopic",
            )
        ],
        *[
            migrations.AlterModelOptions(
                name=name,
                options={
                    "ordering": ["sort_order"],
                    "verbose_name": names[0],
                    "verbose_name_plural": names[1],
                },
            )
            for name, names in (
                ("missionorganisation", ("organizzazione incontrata", "organizzazioni incontrate")),
                ("newspageorganisation", ("organizzazione della notizia", "organizzazioni della notizia")),
                ("newspageperson", ("persona della notizia", "persone della notizia")),
                ("newspageplace", ("luogo della notizia", "luoghi della notizia")),
                ("newspagetopic", ("tema della notizia", "temi della notizia")),
            )
        ],
        migrations.RunPython(number_links, migrations.RunPython.noop),
        migrations.RunPython(revisions_to_link_rows, revisions_to_id_lists),
    ]
