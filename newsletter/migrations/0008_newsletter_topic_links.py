"""A newsletter's topics become ordered link rows, edited with a searchable chooser
(cms/models/links.py), as a news page's topics did in cms 0007.

The link model takes over the many-to-many's own table, so no row moves: the
state changes, the table gains a `sort_order`, numbered by topic name (the
order the old checkboxes showed).
"""

import django.db.models.deletion
import modelcluster.fields
from django.db import migrations, models

import cms.models.links


def number_links(apps, schema_editor):
    NewsletterTopic = apps.get_model("newsletter", "NewsletterTopic")
    links = list(NewsletterTopic.objects.select_related("topic"))
    links.sort(key=lambda link: (link.newsletter_id, link.topic.name, link.topic_id))
    position: dict[int, int] = {}
    for link in links:
        link.sort_order = position.get(link.newsletter_id, 0)
        position[link.newsletter_id] = link.sort_order + 1
    NewsletterTopic.objects.bulk_update(links, ["sort_order"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0009_wagtail_groups_named_in_italian"),
        ("newsletter", "0007_consent_resubscribe_and_topics"),
    ]

    operations = [
        # The table exists already (it was the many-to-many's): state only.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="NewsletterTopic",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "newsletter",
                            modelcluster.fields.ParentalKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="topic_links",
                                to="newsletter.newsletter",
                            ),
                        ),
                        (
                            "topic",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="cms.topic",
                                verbose_name="tema",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "tema della newsletter",
                        "verbose_name_plural": "temi della newsletter",
                        "db_table": "newsletter_newsletter_topics",
                        "abstract": False,
                        "unique_together": {("newsletter", "topic")},
                    },
                ),
                migrations.AlterField(
                    model_name="newsletter",
                    name="topics",
                    field=cms.models.links.LinkedManyToManyField(
                        blank=True,
                        help_text="Lascia vuoto per includere tutte le notizie della lingua.",
                        links="topic_links",
                        related_name="+",
                        target="topic",
                        through="newsletter.NewsletterTopic",
                        to="cms.topic",
                        verbose_name="temi",
                    ),
                ),
            ],
            database_operations=[],
        ),
        # The one real schema change: the table gains its order.
        migrations.AddField(
            model_name="newslettertopic",
            name="sort_order",
            field=models.IntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AlterModelOptions(
            name="newslettertopic",
            options={
                "ordering": ["sort_order"],
                "verbose_name": "tema della newsletter",
                "verbose_name_plural": "temi della newsletter",
            },
        ),
        migrations.RunPython(number_links, migrations.RunPython.noop),
    ]
