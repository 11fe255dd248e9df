"""Finding the subscriber a command names, with the command's kind of error."""

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from newsletter.addresses import find_subscriber
from newsletter.models import Subscriber


def subscriber_for_command(email: str) -> Subscriber:
    try:
        subscriber = find_subscriber(email)
    except ValidationError:
        raise CommandError(f"{email!r} is not a valid email address.") from None
    if subscriber is None:
        raise CommandError("No subscriber has that email address.")
    return subscriber
