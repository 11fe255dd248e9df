"""Print, as JSON, everything held on one subscriber (GDPR right of access)."""

import json

from django.core.management.base import BaseCommand

from newsletter import gdpr
from newsletter.management.lookup import subscriber_for_command


class Command(BaseCommand):
    help = "Print all data held on the subscriber with this email address, as JSON."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email: str, **options):
        subscriber = subscriber_for_command(email)
        self.stdout.write(json.dumps(gdpr.export(subscriber), indent=2, ensure_ascii=False))
