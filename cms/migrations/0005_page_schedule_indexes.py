"""Partial indexes for cms.public.next_scheduled_change(): the next expiry or go-live.

Wagtail has no index on a page's expire_at or a revision's approved_go_live_at; these keep the
lookup one short index scan however many pages there are.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('cms', '0004_snippet_help_texts'),
        ('wagtailcore', '0098_apitoken'),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX cms_page_next_expiry ON wagtailcore_page (expire_at) "
            "WHERE live AND expire_at IS NOT NULL",
            reverse_sql="DROP INDEX cms_page_next_expiry",
        ),
        migrations.RunSQL(
            "CREATE INDEX cms_revision_next_go_live ON wagtailcore_revision (approved_go_live_at) "
            "WHERE approved_go_live_at IS NOT NULL",
            reverse_sql="DROP INDEX cms_revision_next_go_live",
        ),
    ]
