"""Demo newsletters for `manage.py load_demo`: an Italian weekly and an English monthly."""

from __future__ import annotations

import datetime

from wagtail.models import Locale

from .models import Cadence, Newsletter, Weekday

POSTAL_ADDRESS = "Notiziario, Piazza della Signoria 1, 50122 Firenze FI, Italia"

DEMO_NEWSLETTERS = [
    {
        "slug": "innovazione-in-toscana",
        "language": "it",
        "name": "Innovazione in Toscana",
        "description": "Ogni lunedì le notizie della settimana su innovazione, ricerca e imprese in Toscana.",
        "cadence": Cadence.WEEKLY,
        "send_weekday": Weekday.MONDAY,
        "send_time": datetime.time(9, 0),
        "sender_name": "Innovazione in Toscana",
        "intro": "Ecco le notizie della settimana.",
    },
    {
        "slug": "tuscany-innovation-monthly",
        "language": "en",
        "name": "Tuscany Innovation Monthly",
        "description": "Once a month, the month's news on innovation, research and business in Tuscany.",
        "cadence": Cadence.MONTHLY,
        "send_day_of_month": 1,
        "send_time": datetime.time(10, 0),
        "sender_name": "Tuscany Innovation",
        "intro": "Here is what happened this month.",
    },
]


def load(stdout) -> list[Newsletter]:
    """Create the demo newsletters; running it again changes nothing."""
    created_or_found = []
    for spec in DEMO_NEWSLETTERS:
        spec = dict(spec)
        locale, _ = Locale.objects.get_or_create(language_code=spec.pop("language"))
        newsletter, created = Newsletter.objects.get_or_create(
            slug=spec.pop("slug"),
            defaults={
                **spec,
                "locale": locale,
                "sender_email": "notizie@localhost",
                "postal_address": POSTAL_ADDRESS,
            },
        )
        stdout.write(f"{'Created' if created else 'Kept'} newsletter {newsletter.name}\n")
        created_or_found.append(newsletter)
    return created_or_found
