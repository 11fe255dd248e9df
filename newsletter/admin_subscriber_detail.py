"""The subscriber page ("Controlla"): who they are, what they receive, and their history.

Subscriptions with their topics, the consent history as a timeline, the deliveries
(issue, state, time), bounces and complaints (the suppression of the address, soft
bounce count, refused deliveries). Times are shown in Europe/Rome (the project's
TIME_ZONE, which Wagtail uses unless the user chose another in their profile); an
empty date reads "—", never "None".
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.generic import InspectView

from .addresses import address_hash
from .models import DeliveryState, Suppression

MAX_DELIVERIES = 100
MAX_RECORDS = 200


class SubscriberInspectView(InspectView):
    template_name = "newsletter/admin/subscriber_detail.html"
    page_title = _("Iscritto")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        subscriber = self.object
        subscriptions = (
            subscriber.subscriptions.select_related("newsletter")
            .prefetch_related("topics")
            .order_by("newsletter__name")
        )
        deliveries = subscriber.deliveries.select_related("issue", "issue__newsletter").order_by(
            "-issue__created_at"
        )[:MAX_DELIVERIES]
        records = subscriber.consent_records.select_related("issue").order_by("-created_at")[
            :MAX_RECORDS
        ]
        suppression = (
            Suppression.objects.filter(address_hash=address_hash(subscriber.email))
            .select_related("issue")
            .first()
            if subscriber.email
            else None
        )
        refused = subscriber.deliveries.filter(state=DeliveryState.FAILED).count()
        context.update(
            {
                "subscriber": subscriber,
                "subscriptions": subscriptions,
                "deliveries": deliveries,
                "records": records,
                "suppression": suppression,
                "refused": refused,
            }
        )
        return context
