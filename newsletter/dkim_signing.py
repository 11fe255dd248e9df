"""DKIM signatures on the mail we hand to our own relay (dkimpy).

Named dkim_signing, not dkim: a module called dkim shadows dkimpy whenever this
folder is on sys.path (for example `manage.py makemessages` run from here).

A deployment that sends through its own SMTP relay passes DMARC only if the
messages carry a DKIM signature of the From domain (or SPF aligns, which a
shared relay rarely gives). Providers reached through anymail sign on their
side, so only the SMTP path signs here: the digest copies built by
`emails.MessageFactory` and every message of `outgoing.SMTPBackend`
(confirmation emails, test sends).

Off unless DKIM_DOMAIN, DKIM_SELECTOR and a private key (DKIM_PRIVATE_KEY or
DKIM_PRIVATE_KEY_FILE) are all set; config/settings/base.py refuses a partial
configuration.
"""

from __future__ import annotations

import base64

import dkim as dkimpy
from django.conf import settings

# dkimpy's recommended headers, plus List-Unsubscribe-Post: RFC 8058 section 4
# requires both List-Unsubscribe headers to be covered by the signature.
SIGNED_HEADERS = (*dkimpy.DKIM.SHOULD, b"list-unsubscribe-post", b"auto-submitted")
# relaxed/relaxed survives the whitespace changes relays make; the default
# simple body canonicalisation does not.
CANONICALIZE = (b"relaxed", b"relaxed")


def enabled() -> bool:
    return bool(settings.DKIM_DOMAIN and settings.DKIM_SELECTOR and settings.DKIM_PRIVATE_KEY)


def sign(message: bytes) -> bytes:
    """The message with a DKIM-Signature header in front, or unchanged when DKIM is off.

    `message` is the complete message as it goes on the wire (CRLF line ends).
    """
    if not enabled():
        return message
    signature = dkimpy.sign(
        message,
        settings.DKIM_SELECTOR.encode(),
        settings.DKIM_DOMAIN.encode(),
        settings.DKIM_PRIVATE_KEY.encode(),
        canonicalize=CANONICALIZE,
        include_headers=list(SIGNED_HEADERS),  # dkimpy signs those present
    )
    return signature + message


def txt_record(public_key_pem: bytes) -> bytes:
    """The DNS TXT record that publishes `public_key_pem` (PEM, SubjectPublicKeyInfo),
    as it goes at <selector>._domainkey.<domain>."""
    lines = [line for line in public_key_pem.strip().splitlines() if not line.startswith(b"-----")]
    key = base64.b64decode(b"".join(lines))
    return b"v=DKIM1; k=rsa; p=" + base64.b64encode(key)
