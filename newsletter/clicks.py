"""Click counts that track no one (opt-in per newsletter, off by default).

When a newsletter counts clicks, each news link in its emails points at
``/newsletter/c/<issue id>/<item id>/`` instead of the news page. The URL is the same
for every subscriber (it carries the issue and the frozen item, never a person), so
a click says "someone opened this item of this issue" and nothing else. The redirect
looks the item up by primary key within that issue and goes only to the URL frozen
in it: no other destination can be reached through it (no open redirect), and each
request costs two indexed statements whatever the size of the issue.

Only an issue whose sending has started is public: the links of a draft or approved
issue would tell anyone counting ids what the next issue holds. Those answer 404 to
the public; an editor who may view issues (following a link of "send a test to me")
is redirected, and never counted.
"""

from __future__ import annotations

import copy
from urllib.parse import urlsplit

from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .models import IssueItem, IssueState
from .tokens import absolute_url

# States in which an issue has reached (some) subscribers: its links are public.
MAILED_STATES = {IssueState.SENDING, IssueState.SENT, IssueState.PAUSED}


def redirect_url(item: IssueItem) -> str:
    return absolute_url(reverse("newsletter:click", args=[item.issue_id, item.pk]))


def counted_items(issue, items: list) -> list:
    """The items as the email shows them: through the redirect when the newsletter counts
    clicks (copies; the frozen items keep their real URLs)."""
    if not issue.newsletter.count_clicks:
        return items
    shown = []
    for item in items:
        if item.pk is not None:
            item = copy.copy(item)
            item.url = redirect_url(item)
        shown.append(item)
    return shown


@never_cache
@require_GET
def follow(request: HttpRequest, issue_id: int, item_id: int) -> HttpResponse:
    found = (
        IssueItem.objects.filter(pk=item_id, issue_id=issue_id)
        .values_list(
            "url", "issue__newsletter__count_clicks", "issue__send_started_at", "issue__state"
        )
        .first()
    )
    if found is None:
        raise Http404
    url, counting, started_at, state = found
    started = started_at is not None or state in MAILED_STATES
    if not started and not request.user.has_perm("newsletter.view_issue"):
        raise Http404
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise Http404  # frozen items hold absolute web addresses; anything else is not followed
    if counting and started:
        IssueItem.objects.filter(pk=item_id).update(clicks=F("clicks") + 1)
    response = HttpResponseRedirect(url)
    response["Referrer-Policy"] = "no-referrer"
    return response
