"""Email addresses: how we normalise them, hash them and refuse to mail them."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from .models import Suppression, SuppressionReason

MAX_EMAIL_LENGTH = 254


def normalise_email(raw: str) -> str:
    """Trim, lower-case the domain, and validate; raise ValidationError when it is not an address.

    The local part keeps its case (RFC 5321 leaves it to the receiving server),
    but lookups are case-insensitive, so the whole address is lower-cased: in
    practice no mailbox provider distinguishes case.
    """
    value = (raw or "").strip()
    if not value or len(value) > MAX_EMAIL_LENGTH:
        raise ValidationError("Enter a valid email address.", code="invalid")
    if any(ch in value for ch in '\r\n\0,;<>"') or value.count("@") != 1:
        raise ValidationError("Enter a valid email address.", code="invalid")
    validate_email(value)
    return value.lower()


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 under HASH_KEY: stable, but useless without the key."""
    return hmac.new(settings.HASH_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def address_hash(email: str) -> str:
    return keyed_hash("email:" + email.strip().lower())


def is_suppressed(email: str) -> bool:
    return Suppression.objects.filter(address_hash=address_hash(email)).exists()


def suppress(email: str, reason: SuppressionReason) -> Suppression:
    suppression, _ = Suppression.objects.get_or_create(
        address_hash=address_hash(email), defaults={"reason": reason}
    )
    return suppression
