"""Erase one subscriber's personal data (GDPR right to erasure), keeping a hashed suppression."""

from django.core.management.base import BaseCommand

from newsletter import gdpr
from newsletter.management.lookup import subscriber_for_command
from newsletter.models import ConsentSource
from newsletter.subscriptions import RequestInfo


class Command(BaseCommand):
    help = (
        "Remove the personal data of the subscriber with this email address. The address is "
        "kept only as a keyed hash so that it is never mailed again."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email: str, **options):
        subscriber = subscriber_for_command(email)
        subscriber = gdpr.erase(subscriber, RequestInfo(source=ConsentSource.ADMIN))
        self.stdout.write(f"Erased subscriber #{subscriber.pk}; the address is suppressed.")
