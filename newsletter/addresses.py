"""Email addresses: how we normalise and hash them, and whose they are.

Which addresses we refuse to mail is suppression.py's business.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata

import idna
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from .models import Subscriber

MAX_EMAIL_LENGTH = 254


# Unicode categories that never belong in an address a person types: format characters
# (zero-width space U+200B, soft hyphen U+00AD, bidi marks), controls, private-use,
# surrogates, unassigned code points and line/paragraph separators.
REFUSED_CATEGORIES = frozenset({"Cf", "Cc", "Co", "Cs", "Cn", "Zl", "Zp"})


def normalise_email(raw: str) -> str:
    """The one canonical form of an address, or ValidationError when it is not a plain address.

    Storage, hashing, suppression, rate limits and the SMTP envelope all use this
    form, so look-alikes of one mailbox are one address:
    - Unicode NFKC (a full-width "ａｎｎａ@ｅｘａｍｐｌｅ.ｏｒｇ" is "anna@example.org");
    - invisible characters (format, control, ...) are refused, not stripped: we do not
      guess which mailbox was meant;
    - the domain goes through IDNA (UTS #46, IDNA 2008) and is kept as its lower-case
      Unicode form, which Django's mailer turns into punycode for the envelope;
    - the local part is lower-cased too: RFC 5321 leaves its case to the receiving
      server, but in practice no mailbox provider distinguishes it.
    """
    value = unicodedata.normalize("NFKC", raw or "").strip()
    if not value or len(value) > MAX_EMAIL_LENGTH:
        raise _invalid()
    if any(unicodedata.category(ch) in REFUSED_CATEGORIES for ch in value):
        raise _invalid()
    if any(ch in value for ch in '\r\n\0,;<>"') or value.count("@") != 1:
        raise _invalid()
    local, domain = value.split("@")
    try:
        domain = idna.decode(idna.encode(domain, uts46=True))
    except (idna.IDNAError, UnicodeError):
        raise _invalid() from None
    value = unicodedata.normalize("NFKC", f"{local}@{domain}".lower())
    if len(value) > MAX_EMAIL_LENGTH:
        raise _invalid()
    validate_email(value)
    return value


def _invalid() -> ValidationError:
    return ValidationError("Enter a valid email address.", code="invalid")


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 under HASH_KEY: stable, but useless without the key."""
    return hmac.new(settings.HASH_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def address_hash(email: str) -> str:
    """The keyed hash of an address's canonical form (what suppressions and limits key on)."""
    try:
        email = normalise_email(email)
    except ValidationError:
        email = email.strip().lower()  # not an address we would mail; hashed as it came
    return keyed_hash("email:" + email)


def find_subscriber(email: str) -> Subscriber | None:
    """The subscriber holding this address (in its canonical form), if any."""
    return Subscriber.objects.filter(email=normalise_email(email)).first()


def mask_email(email: str | None) -> str:
    """The address as the hosted pages show it: first character, •••, then the domain.

    `giulia@example.org` → `g•••@example.org`. Enough for a person to recognise
    their address, not enough for whoever holds a forwarded link to learn it.
    """
    if not email:
        return ""
    local, _at, domain = email.rpartition("@")
    return f"{local[:1]}•••@{domain}" if local else "•••"
