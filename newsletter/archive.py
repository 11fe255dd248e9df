"""The public archive of sent issues: on the site and in the API, with no personal links."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_GET

from cms.links import absolute_url
from web.params import MAX_ID, InvalidParameter, parse_whole_number

from . import rendering
from .models import Issue, IssueState, Newsletter

API_PAGE_SIZE = 20
API_MAX_PAGE_SIZE = 100


def sent_issues():
    return (
        Issue.objects.filter(
            state=IssueState.SENT, newsletter__is_public=True, newsletter__is_active=True
        )
        .select_related("newsletter", "newsletter__locale")
        .order_by("-send_finished_at", "-pk")
    )


def public_html(issue: Issue) -> str:
    """The email as every subscriber saw it, with the personal links made generic."""
    rendition = issue.renditions.filter(variant_key="").first()
    if rendition is None:
        raise Http404("This issue has no archived copy.")
    return rendering.without_personal_links(
        rendering.RenderedEmail(rendition.html, rendition.text), issue.pk
    ).html


def with_main_landmark(html: str) -> str:
    """The email's body inside <main>: on the site, the issue is the page's main content
    (screen readers jump to it; axe-core wants every part of a page in a landmark)."""
    body = html.find("<body")
    end = html.rfind("</body>")
    if body < 0 or end < 0:
        return html
    start = html.index(">", body) + 1
    return f"{html[:start]}<main>{html[start:end]}</main>{html[end:]}"


@require_GET
def archive_index(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    issues = sent_issues()
    newsletter = None
    if slug is not None:
        newsletter = get_object_or_404(Newsletter, slug=slug, is_public=True, is_active=True)
        issues = issues.filter(newsletter=newsletter)
    # One newsletter's archive speaks its language; the list of all, the reader's.
    language = newsletter.locale.language_code if newsletter else translation.get_language()
    with translation.override(language):
        return render(
            request,
            "newsletter/archive_index.html",
            {
                "issues": issues[:200],
                "newsletter": newsletter,
                "canonical_url": absolute_url(request.path),
            },
        )


@require_GET
def archive_issue(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    issue = get_object_or_404(sent_issues(), newsletter__slug=slug, number=number)
    response = HttpResponse(
        with_main_landmark(public_html(issue)), content_type="text/html; charset=utf-8"
    )
    response["Cache-Control"] = "public, max-age=3600"
    return response


# --- API ------------------------------------------------------------------------------------


def issue_summary(issue: Issue) -> dict:
    return {
        "id": issue.pk,
        "newsletter": {"slug": issue.newsletter.slug, "name": issue.newsletter.name},
        "locale": issue.newsletter.locale.language_code,
        "number": issue.number,
        "subject": issue.subject,
        "preheader": issue.preheader,
        "sent_at": issue.send_finished_at.isoformat() if issue.send_finished_at else None,
        "archive_url": rendering.archive_url(issue),
        "detail_url": absolute_url(reverse("newsletter-api-issue", args=[issue.pk])),
    }


def issue_detail(issue: Issue) -> dict:
    return {
        **issue_summary(issue),
        "window": {"start": issue.window_start.isoformat(), "end": issue.window_end.isoformat()},
        "items": [
            {
                "title": item.title,
                "standfirst": item.standfirst,
                "url": item.url,
                "image": {"url": item.image_url, "alt": item.image_alt} if item.image_url else None,
                "published_at": item.published_at.isoformat(),
                "key_figures": item.key_figures,
            }
            for item in issue.items.all()
        ],
        "more": {"count": issue.more_count, "url": issue.more_url} if issue.more_count else None,
    }


def _bad_request(field: str, message: str) -> JsonResponse:
    return JsonResponse({"errors": {field: [message]}}, status=400)


@require_GET
def api_issues(request: HttpRequest) -> JsonResponse:
    issues = sent_issues()
    slug = request.GET.get("newsletter")
    if slug is not None:
        # A NUL cannot be in a slug, and PostgreSQL refuses it in a query.
        if "\x00" in slug or not (
            Newsletter.objects.filter(slug=slug, is_public=True, is_active=True).exists()
        ):
            return _bad_request("newsletter", f"No public newsletter has the slug {slug[:60]!r}.")
        issues = issues.filter(newsletter__slug=slug)
    try:
        limit = parse_whole_number(
            "limit",
            request.GET.get("limit", str(API_PAGE_SIZE)),
            minimum=1,
            maximum=API_MAX_PAGE_SIZE,
        )
        offset = parse_whole_number("offset", request.GET.get("offset", "0"), maximum=MAX_ID)
    except InvalidParameter as error:
        return _bad_request(error.parameter, error.message + ".")
    page = [issue_summary(issue) for issue in issues[offset : offset + limit]]
    response = JsonResponse({"meta": {"total_count": issues.count()}, "items": page})
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
def api_issue(request: HttpRequest, pk: int) -> JsonResponse:
    issue = sent_issues().filter(pk=pk).first()
    if issue is None:
        return JsonResponse({"message": "No sent public issue has this id."}, status=404)
    response = JsonResponse(issue_detail(issue))
    response["Cache-Control"] = "public, max-age=300"
    return response
