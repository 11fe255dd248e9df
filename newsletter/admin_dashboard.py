"""The newsletter panel on the Wagtail admin home, and the per-issue report.

The panel: subscribers per newsletter with a 12-week growth line (inline SVG drawn
on the server: no chart library, no CDN), the last issues with sent / failed /
bounced / complained / unsubscribed counts, and the next scheduled issue with the
number of people it will reach. The report: the same counts for one issue, the
unsubscribes and bounces it caused, its delivery timeline and the failed and
uncertain deliveries with their reason.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import include, path
from wagtail import hooks
from wagtail.admin.ui.components import Component

from . import reports
from .models import Issue, Newsletter


def dashboard_context() -> dict:
    newsletters = []
    for newsletter in Newsletter.objects.filter(is_active=True).order_by("name"):
        growth = reports.growth(newsletter)
        newsletters.append(
            {
                "newsletter": newsletter,
                "growth": growth,
                "chart": reports.sparkline([value for _when, value in growth.points]),
            }
        )
    upcoming = reports.next_scheduled_issue()
    return {
        "newsletters": newsletters,
        "recent_issues": reports.recent_issues(),
        "upcoming": upcoming,
        "upcoming_recipients": reports.recipient_count(upcoming) if upcoming else 0,
    }


class NewsletterPanel(Component):
    name = "newsletter"
    order = 50
    template_name = "newsletter/admin/dashboard_panel.html"

    def get_context_data(self, parent_context=None) -> dict:
        return dashboard_context()


@hooks.register("construct_homepage_panels")
def add_newsletter_panel(request: HttpRequest, panels: list) -> None:
    if request.user.has_perm("newsletter.view_issue"):
        panels.append(NewsletterPanel())


def with_web_link(item):
    """The item with ``link`` set to its URL when that is an absolute http(s) address."""
    parts = urlsplit(item.url)
    item.link = item.url if parts.scheme in ("http", "https") and parts.netloc else ""
    return item


@permission_required("newsletter.view_issue", raise_exception=True)
def issue_report(request: HttpRequest, pk: int) -> HttpResponse:
    issue = get_object_or_404(Issue.objects.select_related("newsletter"), pk=pk)
    timeline = reports.delivery_timeline(issue)
    return TemplateResponse(
        request,
        "newsletter/admin/issue_report.html",
        {
            "issue": issue,
            "counts": reports.issue_counts([issue])[issue.pk],
            "timeline": timeline,
            "bars": list(zip(timeline, reports.bars([n for _when, n in timeline]), strict=True)),
            "problems": reports.problem_deliveries(issue),
            "unsubscribes": reports.attributed_unsubscribes(issue),
            "suppressions": reports.attributed_suppressions(issue),
            "counting_clicks": issue.newsletter.count_clicks,
            "items": [with_web_link(item) for item in issue.items.order_by("position")],
            # Addresses are for those who may see subscribers, not everyone who sees issues.
            "show_addresses": request.user.has_perm("newsletter.view_subscriber"),
        },
    )


@hooks.register("register_admin_urls")
def register_report_urls():
    urls = [path("<int:pk>/", issue_report, name="issue")]
    return [path("newsletter-reports/", include((urls, "newsletter_reports")))]
