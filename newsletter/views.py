"""Hosted pages: subscribe form, confirm, preferences and one-click unsubscribe.

Every GET is safe: link scanners and mail-client previews follow links, so
only a POST confirms or unsubscribes.
"""

from __future__ import annotations

from dataclasses import replace

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from web.client_ip import client_ip

from . import attribution, subscriptions, tokens
from .addresses import mask_email
from .forms import PreferencesForm, SubscribeForm
from .models import ConsentSource, Newsletter, Subscriber, SubscriberStatus
from .subscriptions import RequestInfo


def _frameable(response: HttpResponse) -> HttpResponse:
    """Let the sites named in settings embed this page, and no one else."""
    ancestors = " ".join(settings.NEWSLETTER_FORM_FRAME_ANCESTORS) or "'none'"
    response["Content-Security-Policy"] = f"frame-ancestors {ancestors}"
    return response


@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        initial = {
            "newsletters": request.GET.getlist("newsletter"),
            "source": request.GET.get("source", "")[:200],
            "locale": translation.get_language(),
        }
        form = SubscribeForm(initial=initial)
        return _frameable(render(request, "newsletter/subscribe.html", _subscribe_context(form)))
    try:
        subscriptions.check_ip_rate_limit(client_ip(request))
    except subscriptions.RateLimited as limited:
        response = render(request, "newsletter/rate_limited.html", status=429)
        response["Retry-After"] = str(limited.retry_after)
        return _frameable(response)
    form = SubscribeForm(request.POST)
    if form.is_bot:
        return _frameable(render(request, "newsletter/subscribe_done.html"))
    if not form.is_valid():
        return _frameable(
            render(request, "newsletter/subscribe.html", _subscribe_context(form), status=400)
        )
    who = RequestInfo.from_request(request, ConsentSource.FORM, form.cleaned_data["source"])
    subscriptions.subscribe(
        form.cleaned_data["email"], form.selection(), form.cleaned_data["locale"], who
    )
    return _frameable(render(request, "newsletter/subscribe_done.html"))


def _subscribe_context(form: SubscribeForm) -> dict:
    return {"form": form, "privacy_url": settings.NEWSLETTER_PRIVACY_URL}


def _invalid_link(request: HttpRequest) -> HttpResponse:
    return render(request, "newsletter/invalid_link.html", status=400)


def _already_confirmed(request: HttpRequest, token: str) -> HttpResponse:
    subscriber = tokens.read_token(token, "confirm")  # read_confirmation has just checked it
    with translation.override(subscriber.locale):
        return render(request, "newsletter/already_confirmed.html")


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscriber, selection = subscriptions.read_confirmation(token)
    except subscriptions.AlreadyConfirmed:
        return _already_confirmed(request, token)
    except subscriptions.InvalidLink:
        return _invalid_link(request)
    with translation.override(subscriber.locale):
        if request.method == "GET":
            return render(
                request,
                "newsletter/confirm.html",
                {"newsletters": selection.newsletters(), "subscriber": subscriber},
            )
        try:
            subscriber = subscriptions.confirm(
                token, RequestInfo.from_request(request, ConsentSource.EMAIL)
            )
        except subscriptions.AlreadyConfirmed:
            return _already_confirmed(request, token)
        except subscriptions.InvalidLink:
            return _invalid_link(request)
        return render(
            request,
            "newsletter/confirmed.html",
            {
                "newsletters": selection.newsletters(),
                "preferences_url": tokens.preferences_url(subscriber),
            },
        )


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscriber = tokens.read_token(token, "preferences")
    except tokens.InvalidToken:
        return _invalid_link(request)
    if subscriber.status not in subscriptions.MAILABLE:
        with translation.override(subscriber.locale):
            return render(request, "newsletter/unsubscribed.html", status=200)
    who = RequestInfo.from_request(request, ConsentSource.EMAIL)
    saved = False
    if request.method == "POST" and "unsubscribe_all" in request.POST:
        subscriptions.unsubscribe(subscriber, who)
        with translation.override(subscriber.locale):
            return render(request, "newsletter/unsubscribed.html")
    if request.method == "POST":
        form = PreferencesForm(request.POST, language=subscriber.locale)
        if form.is_valid():
            subscriber = subscriptions.update_preferences(
                subscriber, form.selection(), form.cleaned_data["locale"], who
            )
            if subscriber.status == SubscriberStatus.UNSUBSCRIBED:
                with translation.override(subscriber.locale):
                    return render(request, "newsletter/unsubscribed.html")
            saved = True
            form = _preferences_form(subscriber)
    else:
        form = _preferences_form(subscriber)
    with translation.override(subscriber.locale):
        return render(
            request,
            "newsletter/preferences.html",
            {"form": form, "saved": saved, "masked_email": mask_email(subscriber.email)},
            status=200 if form.is_bound is False or not form.errors else 400,
        )


def _preferences_form(subscriber) -> PreferencesForm:
    subscriptions = subscriber.subscriptions.select_related("newsletter").prefetch_related("topics")
    return PreferencesForm(
        language=subscriber.locale,
        initial={
            "newsletters": [item.newsletter.slug for item in subscriptions],
            "topics": sorted({topic.slug for item in subscriptions for topic in item.topics.all()}),
            "locale": subscriber.locale,
        },
    )


UNSUBSCRIBE_ACTIONS = ("", "everything", "resubscribe")


@csrf_exempt  # RFC 8058: mail providers POST without cookies or tokens; the signed URL is the proof.
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One-click unsubscribe from the newsletter the email came from, and the way back.

    A POST without `action` (what mail providers send: List-Unsubscribe=One-Click)
    ends the subscription the token names, or every one for an older token that
    names none. The page that follows offers `action=everything`, the preferences
    and, within NEWSLETTER_RESUBSCRIBE_DAYS, `action=resubscribe`.
    """
    try:
        subscriber, newsletter_id, data = tokens.read_unsubscribe_token(token)
    except tokens.InvalidToken:
        return _invalid_link(request)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action not in UNSUBSCRIBE_ACTIONS:
        return _invalid_link(request)
    newsletter = (
        Newsletter.objects.filter(pk=newsletter_id).first() if newsletter_id is not None else None
    )
    who = RequestInfo.from_request(request, ConsentSource.EMAIL)
    who = replace(who, issue_id=attribution.issue_from_token(data))
    with translation.override(subscriber.locale):
        if request.method == "GET" and _still_subscribed(subscriber, newsletter_id):
            return render(
                request,
                "newsletter/unsubscribe.html",
                {"newsletter": newsletter, "masked_email": mask_email(subscriber.email)},
            )
        if action == "resubscribe":
            try:
                subscriber = subscriptions.resubscribe(subscriber, newsletter_id, who)
            except subscriptions.CannotResubscribe:
                return render(
                    request,
                    "newsletter/resubscribe_expired.html",
                    {"days": settings.NEWSLETTER_RESUBSCRIBE_DAYS, "newsletter": newsletter},
                    status=409,
                )
            return render(
                request,
                "newsletter/resubscribed.html",
                {
                    "newsletter": newsletter,
                    "masked_email": mask_email(subscriber.email),
                    "preferences_url": tokens.preferences_url(subscriber),
                },
            )
        if request.method == "POST":
            if action == "everything" or newsletter_id is None:
                subscriber = subscriptions.unsubscribe(subscriber, who)
                newsletter = None
            else:
                subscriber = subscriptions.unsubscribe_from(subscriber, newsletter_id, who)
        return _unsubscribed(request, subscriber, newsletter, newsletter_id)


def _still_subscribed(subscriber: Subscriber, newsletter_id: int | None) -> bool:
    if subscriber.status not in subscriptions.MAILABLE:
        return False
    return (
        newsletter_id is None
        or subscriber.subscriptions.filter(newsletter_id=newsletter_id).exists()
    )


def _unsubscribed(request, subscriber, newsletter, newsletter_id) -> HttpResponse:
    """Done: what ended, and what the person may do next."""
    still_active = subscriber.status in subscriptions.MAILABLE and subscriber.subscriptions.exists()
    return render(
        request,
        "newsletter/unsubscribed.html",
        {
            "newsletter": newsletter,
            "masked_email": mask_email(subscriber.email),
            "still_active": still_active,
            "preferences_url": tokens.preferences_url(subscriber) if still_active else "",
            "can_resubscribe": subscriptions.can_resubscribe(subscriber, newsletter_id),
        },
    )
