"""The bytes of each subscriber's copy, built fast enough for bulk sending.

Django's EmailMessage re-folds every header and quoted-printable-encodes the
HTML in pure Python for every recipient, which costs more than the SMTP
exchange itself. Here the headers every copy shares are folded once per batch
by the standard library's SMTP policy, the personal headers are folded per copy
by the same policy (never pasted as raw strings), and the bodies are base64 in
C. The result is the same multipart/alternative message: text first, then HTML.

Every message the newsletter sends is built here: each copy of an issue (bytes for
SMTP, a Django message for an ESP), the List-Unsubscribe headers and the
confirmation email.
"""

from __future__ import annotations

import base64
import secrets
from email.headerregistry import Address
from email.policy import SMTP
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from cms.links import absolute_url

from . import dkim_signing, outgoing, tokens
from .addresses import normalise_email
from .models import Delivery, Issue, IssueRendition, Newsletter, Subscriber
from .outgoing import one_line
from .rendering import RenderedEmail, personalise, render_email


def domain(newsletter: Newsletter) -> str:
    return newsletter.sender_email.rpartition("@")[2] or "localhost"


def message_id(issue: Issue, delivery_id: int) -> str:
    """Derived from the delivery, so an uncertain delivery can be looked up in the MTA's logs."""
    return f"<{message_id_prefix(issue)}{delivery_id}@{domain(issue.newsletter)}>"


def message_id_prefix(issue: Issue) -> str:
    return f"newsletter.{issue.newsletter_id}.issue.{issue.pk}.delivery."


def sender(newsletter: Newsletter) -> str:
    name = one_line(newsletter.sender_name)
    return str(Address(display_name=name, addr_spec=newsletter.sender_email))


def list_id(newsletter: Newsletter) -> str:
    return formataddr((one_line(newsletter.name), f"{newsletter.slug}.{domain(newsletter)}"))


def common_headers(issue: Issue) -> dict[str, str]:
    """The headers every copy of the issue carries."""
    newsletter = issue.newsletter
    headers = {
        "Subject": one_line(issue.subject),
        "From": sender(newsletter),
        "List-Id": list_id(newsletter),
        "Auto-Submitted": "auto-generated",
        "Precedence": "bulk",
    }
    if newsletter.reply_to:
        headers["Reply-To"] = newsletter.reply_to
    return headers


class LinkMaker:
    """Per-subscriber preferences and unsubscribe URLs, reversing each route once.

    The unsubscribe token names `newsletter_id`, the newsletter the email comes
    from: its one-click unsubscribe ends that subscription only. It also names
    `issue_id`, so the issue's report can count the unsubscribes it caused.
    """

    def __init__(self, newsletter_id: int | None = None, issue_id: int | None = None) -> None:
        self.newsletter_id = newsletter_id
        self.issue_id = issue_id
        self.prefixes = {
            name: absolute_url(reverse(f"newsletter:{name}", args=["TOKEN"])).split("TOKEN")
            for name in ("unsubscribe", "preferences")
        }
        self.mailto = unsubscribe_mailto()

    def url(self, purpose: str, token: str) -> str:
        before, after = self.prefixes[purpose]
        return before + token + after

    def links_and_headers(self, subscriber) -> tuple[dict[str, str], dict[str, str]]:
        """The body's links and the List-Unsubscribe headers, signing each token once."""
        unsubscribe = tokens.unsubscribe_token(subscriber, self.newsletter_id, self.issue_id)
        preferences = tokens.make_token(subscriber, "preferences")
        links = {
            "unsubscribe_url": self.url("unsubscribe", unsubscribe),
            "preferences_url": self.url("preferences", preferences),
        }
        headers = unsubscribe_headers(links["unsubscribe_url"], unsubscribe, self.mailto)
        return links, headers


def _fold(name: str, value: str) -> bytes:
    """One header line, folded and RFC 2047-encoded as the standard library sees fit."""
    # A line break in a value would start a new header: never let one through.
    if name == "Subject":
        return outgoing.subject_line(value)
    value = one_line(value)
    return SMTP.fold_binary(name, SMTP.header_factory(name, value))


def _plain(name: str, value: str) -> bytes:
    """An ASCII header we generated ourselves, kept verbatim.

    The standard library would turn a long unbreakable value (a List-Unsubscribe
    URL) into encoded words, which mail clients do not read in such headers.
    Lists of <...> items are folded after their commas instead.
    """
    value = one_line(value)
    if not value.isascii():
        return _fold(name, value)
    folded = value.replace(">, <", ">,\r\n <")
    return f"{name}: {folded}\r\n".encode()


def _base64(text: str) -> bytes:
    encoded = base64.b64encode(text.encode())
    lines = [encoded[i : i + 76] for i in range(0, len(encoded), 76)]
    return b"\r\n".join(lines) + b"\r\n"


# RFC 5322 allows 998 characters a line; wrap well below it, since the personal
# links substituted later are longer than their placeholders.
HTML_LINE_LENGTH = 800


def seven_bit_html(html: str) -> str | None:
    """The HTML as 7-bit ASCII lines, ready to send without a transfer encoding.

    Non-ASCII characters become character references; long lines are broken
    between two tags ("><"), where a line break changes nothing visible. Returns
    None when a long line has no such place, and the caller falls back to base64.
    Done once per variant, it spares every copy the encoding of the whole body.
    """
    lines = []
    for line in html.encode("ascii", "xmlcharrefreplace").decode().splitlines():
        while len(line) > HTML_LINE_LENGTH:
            cut = line.rfind("><", 0, HTML_LINE_LENGTH)
            if cut <= 0:
                return None
            lines.append(line[: cut + 1])
            line = line[cut + 1 :]
        lines.append(line)
    return "\r\n".join(lines) + "\r\n"


class MessageFactory:
    """Builds each copy of one issue; create one per batch."""

    def __init__(self, issue: Issue, renditions: dict[str, IssueRendition]) -> None:
        self.issue = issue
        self.renditions = renditions
        self.shared = b"".join(_fold(k, v) for k, v in common_headers(issue).items())
        self.shared += b"MIME-Version: 1.0\r\n"
        self.links = LinkMaker(issue.newsletter_id, issue.pk)
        self.envelope_sender = issue.newsletter.sender_email
        self.ascii_html = {key: seven_bit_html(r.html) for key, r in renditions.items()}

    def build(self, delivery: Delivery) -> bytes:
        subscriber = delivery.subscriber
        rendition = self.renditions[delivery.variant_key]
        ascii_html = self.ascii_html[delivery.variant_key]
        links, unsubscribe_headers = self.links.links_and_headers(subscriber)
        body = personalise(
            RenderedEmail(ascii_html or rendition.html, rendition.text), self.issue.pk, links
        )
        boundary = "=_" + secrets.token_hex(12)
        personal = {
            "To": subscriber.email,
            "Date": outgoing.date_header(),
            "Message-ID": message_id(self.issue, delivery.pk),
            **unsubscribe_headers,
            "Content-Type": f'multipart/alternative; boundary="{boundary}"',
        }
        parts = [self.shared, *(_plain(k, v) for k, v in personal.items()), b"\r\n"]
        for subtype, content, is_ascii in (
            ("plain", body.text, False),
            ("html", body.html, ascii_html is not None),
        ):
            parts += [
                f"--{boundary}\r\n".encode(),
                f'Content-Type: text/{subtype}; charset="utf-8"\r\n'.encode(),
                b"Content-Transfer-Encoding: 7bit\r\n\r\n"
                if is_ascii
                else b"Content-Transfer-Encoding: base64\r\n\r\n",
                content.encode("ascii", "xmlcharrefreplace") if is_ascii else _base64(content),
            ]
        parts.append(f"--{boundary}--\r\n".encode())
        return dkim_signing.sign(b"".join(parts))


# --- List-Unsubscribe headers -------------------------------------------------------------


def unsubscribe_mailto() -> str:
    configured = settings.NEWSLETTER_UNSUBSCRIBE_MAILTO
    return normalise_email(configured or parseaddr(settings.DEFAULT_FROM_EMAIL)[1])


def list_unsubscribe_headers(
    subscriber: Subscriber, newsletter: Newsletter | None = None
) -> dict[str, str]:
    """RFC 2369 + RFC 8058 headers for one subscriber's copy of a newsletter.

    The URL and subject carry only a signed token (URL-safe base64 and ':')
    naming the subscriber and the newsletter, never the address, so nothing
    user-controlled reaches the header.
    """
    token = tokens.unsubscribe_token(subscriber, newsletter.pk if newsletter else None)
    return unsubscribe_headers(tokens.link("unsubscribe", token), token, unsubscribe_mailto())


def unsubscribe_headers(url: str, token: str, mailto: str) -> dict[str, str]:
    """The same headers from parts already made (bulk sending makes each token once)."""
    return {
        "List-Unsubscribe": f"<{url}>, <mailto:{mailto}?subject=unsubscribe%20{token}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


# --- Confirmation email -------------------------------------------------------------------


def sender_of(newsletters: list[Newsletter]) -> str:
    """A From header built from checked parts: no CR/LF can reach the header."""
    if newsletters:
        name = " ".join(newsletters[0].sender_name.split())
        address = newsletters[0].sender_email
    else:
        name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((name, normalise_email(address)))


def confirmation_message(
    subscriber: Subscriber, newsletters: list[Newsletter], confirm_url: str
) -> EmailMultiAlternatives:
    """The confirmation email for one subscription request, in the subscriber's language."""
    with translation.override(subscriber.locale):
        subject = _("Conferma la tua iscrizione")
        rendered = render_email(
            "newsletter/email/confirmation.mjml",
            {
                "subject": subject,
                "preheader": _("Un clic per confermare: senza conferma non riceverai nulla."),
                "newsletters": newsletters,
                "confirm_url": confirm_url,
                "sender_name": newsletters[0].sender_name if newsletters else "Notiziario",
                "postal_address": newsletters[0].postal_address if newsletters else "",
                "expiry_days": tokens.LIFETIMES["confirm"].days,
            },
            language=subscriber.locale,
            text_template="newsletter/email/confirmation.txt",
        )
    message = EmailMultiAlternatives(
        subject=subject,
        body=rendered.text,
        from_email=sender_of(newsletters),
        to=[subscriber.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(rendered.html, "text/html")
    return message


# --- A copy as a Django message -----------------------------------------------------------


def build_message(
    issue: Issue, rendition: IssueRendition, delivery: Delivery, links: LinkMaker
) -> EmailMultiAlternatives:
    """One copy as a Django message, for backends other than SMTP (anymail)."""
    subscriber = delivery.subscriber
    personal, unsubscribe_headers = links.links_and_headers(subscriber)
    body = personalise(RenderedEmail(rendition.html, rendition.text), issue.pk, personal)
    return compose(
        issue,
        body,
        to=subscriber.email,
        headers={"Message-ID": message_id(issue, delivery.pk), **unsubscribe_headers},
    )


def compose(
    issue: Issue, body: RenderedEmail, *, to: str, headers: dict[str, str]
) -> EmailMultiAlternatives:
    """multipart/alternative, text first and then HTML, with the bulk-mail headers."""
    common = common_headers(issue)
    message = EmailMultiAlternatives(
        subject=common.pop("Subject"),
        body=body.text,
        from_email=common.pop("From"),
        to=[to],
        reply_to=[common.pop("Reply-To")] if "Reply-To" in common else None,
        headers={"Date": outgoing.date_header(), **common, **headers},
    )
    message.attach_alternative(body.html, "text/html")
    return message
