"""Print, as JSON, everything held on one subscriber (GDPR right of access)."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from newsletter import consent


class Command(BaseCommand):
    help = "Print all data held on the subscriber with this email address, as JSON."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email: str, **options):
        try:
            subscriber = consent.find_subscriber(email)
        except ValidationError:
            raise CommandError(f"{email!r} is not a valid email address.") from None
        if subscriber is None:
            raise CommandError("No subscriber has that email address.")
        self.stdout.write(json.dumps(consent.export(subscriber), indent=2, ensure_ascii=False))
