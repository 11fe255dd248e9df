"""Newsletter endpoints of the public API (mounted under /api/v2/ by config/urls.py).

GET  newsletters/    the public newsletters, for building signup forms elsewhere
POST subscriptions/  ask for a subscription (double opt-in follows by email)

CORS comes from django-cors-headers (CORS_URLS_REGEX covers /api/v2/). The
subscription endpoint needs no cookie and no CSRF token: it changes nothing
until the person confirms from their inbox, and it takes only application/json,
which a browser sends cross-site only after a CORS preflight.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from web.client_ip import client_ip
from web.params import MAX_ID

from . import archive
from .forms import SubscribeForm, public_newsletters, topics_for
from .models import Cadence, ConsentSource, Newsletter
from .subscriptions import RateLimited, RequestInfo, check_ip_rate_limit, subscribe

MAX_BODY_BYTES = 16 * 1024

WEEKDAYS = {
    "it": ["domenica", "lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato"],
    "en": ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
}
CADENCE_WORDS = {
    "it": {
        Cadence.DAILY: "ogni giorno alle {time}",
        Cadence.WEEKLY: "ogni {weekday} alle {time}",
        Cadence.MONTHLY: "il giorno {day} di ogni mese alle {time}",
    },
    "en": {
        Cadence.DAILY: "every day at {time}",
        Cadence.WEEKLY: "every {weekday} at {time}",
        Cadence.MONTHLY: "on day {day} of every month at {time}",
    },
}


def cadence_in_words(newsletter: Newsletter, language: str) -> str:
    """'ogni lunedì alle 09:00' / 'every Monday at 09:00', in the newsletter's own language."""
    language = language if language in CADENCE_WORDS else "en"
    send_time = newsletter.send_time
    time = send_time.strftime("%H:%M") if hasattr(send_time, "strftime") else str(send_time)[:5]
    return CADENCE_WORDS[language][newsletter.cadence].format(
        time=time,
        weekday=WEEKDAYS[language][newsletter.send_weekday],
        day=newsletter.send_day_of_month,
    )


def newsletter_summary(newsletter: Newsletter) -> dict:
    language = newsletter.locale.language_code
    return {
        "name": newsletter.name,
        "slug": newsletter.slug,
        "locale": language,
        "description": newsletter.description,
        "topics": [{"slug": topic.slug, "name": topic.name} for topic in topics_for(newsletter)],
        "cadence": newsletter.cadence,
        "cadence_in_words": cadence_in_words(newsletter, language),
    }


@require_GET
def newsletters(request: HttpRequest) -> JsonResponse:
    items = [newsletter_summary(item) for item in public_newsletters().order_by("name")]
    # A form built elsewhere links its consent checkbox to the same privacy notice.
    meta = {"total_count": len(items), "privacy_url": settings.NEWSLETTER_PRIVACY_URL}
    response = JsonResponse({"meta": meta, "items": items})
    response["Cache-Control"] = "public, max-age=300"
    return response


def _errors(errors: dict[str, list[str]], status: int = 400) -> JsonResponse:
    return JsonResponse({"errors": errors}, status=status)


@csrf_exempt
def subscriptions(request: HttpRequest) -> JsonResponse:
    # Only JSON: a cross-site page can send text/plain or a form without a CORS
    # preflight, but not application/json, so browsers ask this site's CORS first.
    if request.method != "POST":
        response = _errors({"__all__": [_("Metodo non consentito: usa POST.")]}, status=405)
        response["Allow"] = "POST"
        return response
    if request.content_type != "application/json":
        return _errors({"__all__": [_("Il corpo deve essere application/json.")]}, status=415)
    try:
        check_ip_rate_limit(client_ip(request))
    except RateLimited as limited:
        response = _errors({"__all__": [_("Troppe richieste. Riprova più tardi.")]}, status=429)
        response["Retry-After"] = str(limited.retry_after)
        return response
    try:
        declared_length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared_length = 0
    if declared_length > MAX_BODY_BYTES or len(request.body) > MAX_BODY_BYTES:
        return _errors({"__all__": [_("Richiesta troppo grande.")]}, status=413)
    try:
        payload = json.loads(request.body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return _errors({"__all__": [_("Il corpo della richiesta non è JSON valido.")]})
    if not isinstance(payload, dict):
        return _errors({"__all__": [_("Serve un oggetto JSON.")]})
    if payload.get("consent") is not True:
        # Only the JSON literal true counts as consent, never "yes" or 1.
        payload = {**payload, "consent": False}
    form = SubscribeForm(data={**payload, "website": ""})
    if not form.is_valid():
        return _errors(
            {
                field: [error["message"] for error in items]
                for field, items in form.errors.get_json_data().items()
            }
        )
    language = form.cleaned_data["locale"]
    who = RequestInfo.from_request(request, ConsentSource.API, form.cleaned_data["source"])
    subscribe(form.cleaned_data["email"], form.selection(), language, who)
    with translation.override(language):
        return JsonResponse(
            {
                "status": "pending",
                "detail": _(
                    "Se l'indirizzo può ricevere email, ti abbiamo inviato un link per confermare l'iscrizione."
                ),
            },
            status=202,
        )


urlpatterns = [
    path("newsletters/", newsletters, name="newsletter-api-newsletters"),
    path("subscriptions/", subscriptions, name="newsletter-api-subscriptions"),
    path("issues/", archive.api_issues, name="newsletter-api-issues"),
    path("issues/<int:pk>/", archive.api_issue, name="newsletter-api-issue"),
]


# --- OpenAPI --------------------------------------------------------------------------------
# The newsletter's part of /api/schema/. cms serves the document but never imports
# newsletter: config/urls.py hands this part to cms.api.schema.views().

_STRING = {"type": "string"}
_INTEGER = {"type": "integer"}
_URL = {"type": "string", "format": "uri"}


def _schema_ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(description: str, schema: dict, **extra) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": schema}},
        **extra,
    }


_FIELD_ERRORS = _json(
    "The errors, by field ('__all__' for the request as a whole).", _schema_ref("FieldErrors")
)
_RETRY_AFTER = {"Retry-After": {"schema": _INTEGER}}

OPENAPI: dict = {
    "paths": {
        "/api/v2/newsletters/": {
            "get": {
                "operationId": "list_newsletters",
                "tags": ["newsletters"],
                "summary": "The public newsletters, for building signup forms elsewhere.",
                "parameters": [],
                "responses": {
                    "200": _json(
                        "Every public, active newsletter.",
                        {
                            "type": "object",
                            "required": ["meta", "items"],
                            "properties": {
                                "meta": _schema_ref("ListingMeta"),
                                "items": {"type": "array", "items": _schema_ref("Newsletter")},
                            },
                        },
                    ),
                },
            }
        },
        "/api/v2/subscriptions/": {
            "post": {
                "operationId": "subscribe",
                "tags": ["newsletters"],
                "summary": "Ask for a subscription: a confirmation email follows (double opt-in). "
                "The answer is the same whatever the address; any other method answers 405 "
                "with Allow: POST.",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _schema_ref("SubscriptionRequest")}},
                },
                "responses": {
                    "202": _json(
                        "Pending: nothing is sent but the confirmation email.",
                        _schema_ref("SubscriptionPending"),
                    ),
                    "400": _FIELD_ERRORS,
                    "413": _FIELD_ERRORS,
                    "415": _FIELD_ERRORS,
                    "429": {**_FIELD_ERRORS, "headers": _RETRY_AFTER},
                },
            }
        },
        "/api/v2/issues/": {
            "get": {
                "operationId": "list_issues",
                "tags": ["newsletters"],
                "summary": "Sent issues of public newsletters, newest first, with no personal links.",
                "parameters": [
                    {
                        "name": "newsletter",
                        "in": "query",
                        "required": False,
                        "description": "A newsletter's slug.",
                        "schema": _STRING,
                    },
                    {
                        "name": "limit",
                        "in": "query",
                        "required": False,
                        "description": "How many issues (1 to 100, default 20).",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                    },
                    {
                        "name": "offset",
                        "in": "query",
                        "required": False,
                        "description": "How many issues to skip.",
                        "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID},
                    },
                ],
                "responses": {
                    "200": _json(
                        "A page of sent issues.",
                        {
                            "type": "object",
                            "required": ["meta", "items"],
                            "properties": {
                                "meta": _schema_ref("ListingMeta"),
                                "items": {"type": "array", "items": _schema_ref("IssueSummary")},
                            },
                        },
                    ),
                    "400": _FIELD_ERRORS,
                },
            }
        },
        "/api/v2/issues/{id}/": {
            "get": {
                "operationId": "get_issue",
                "tags": ["newsletters"],
                "summary": "One sent issue with its items, as every subscriber received it.",
                "parameters": [
                    {
                        "name": "id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                    }
                ],
                "responses": {
                    "200": _json("The issue.", _schema_ref("IssueDetail")),
                    "404": _json("No sent public issue has this id.", _schema_ref("Error")),
                },
            }
        },
    },
    "components": {
        "schemas": {
            "ListingMeta": {
                "type": "object",
                "required": ["total_count"],
                "properties": {"total_count": _INTEGER},
            },
            "FieldErrors": {
                "type": "object",
                "required": ["errors"],
                "properties": {
                    "errors": {
                        "type": "object",
                        "additionalProperties": {"type": "array", "items": _STRING},
                    }
                },
            },
            "Newsletter": {
                "type": "object",
                "required": [
                    "name",
                    "slug",
                    "locale",
                    "description",
                    "topics",
                    "cadence",
                    "cadence_in_words",
                ],
                "properties": {
                    "name": _STRING,
                    "slug": _STRING,
                    "locale": _STRING,
                    "description": _STRING,
                    "topics": {
                        "type": "array",
                        "description": "The topics a subscription may be narrowed to.",
                        "items": {
                            "type": "object",
                            "required": ["slug", "name"],
                            "properties": {"slug": _STRING, "name": _STRING},
                        },
                    },
                    "cadence": {"type": "string", "enum": [choice.value for choice in Cadence]},
                    "cadence_in_words": _STRING,
                },
            },
            "SubscriptionRequest": {
                "type": "object",
                "required": ["email", "newsletters", "consent"],
                "properties": {
                    "email": {"type": "string", "format": "email"},
                    "newsletters": {
                        "type": "array",
                        "items": _STRING,
                        "description": "Newsletter slugs.",
                    },
                    "topics": {
                        "type": "array",
                        "items": _STRING,
                        "description": "Topic slugs (optional).",
                    },
                    "locale": {"type": "string", "enum": ["it", "en"]},
                    "consent": {
                        "type": "boolean",
                        "enum": [True],
                        "description": "Only the JSON literal true counts.",
                    },
                    "source": {"type": "string", "description": "Where the form was (a URL)."},
                },
            },
            "SubscriptionPending": {
                "type": "object",
                "required": ["status", "detail"],
                "properties": {
                    "status": {"type": "string", "enum": ["pending"]},
                    "detail": _STRING,
                },
            },
            "IssueSummary": {
                "type": "object",
                "required": [
                    "id",
                    "newsletter",
                    "locale",
                    "number",
                    "subject",
                    "preheader",
                    "sent_at",
                    "archive_url",
                    "detail_url",
                ],
                "properties": {
                    "id": _INTEGER,
                    "newsletter": {
                        "type": "object",
                        "required": ["slug", "name"],
                        "properties": {"slug": _STRING, "name": _STRING},
                    },
                    "locale": _STRING,
                    "number": _INTEGER,
                    "subject": _STRING,
                    "preheader": _STRING,
                    "sent_at": {"type": "string", "format": "date-time", "nullable": True},
                    "archive_url": _URL,
                    "detail_url": _URL,
                },
            },
            "IssueItem": {
                "type": "object",
                "required": ["title", "standfirst", "url", "image", "published_at", "key_figures"],
                "properties": {
                    "title": _STRING,
                    "standfirst": _STRING,
                    "url": _URL,
                    "image": {
                        "type": "object",
                        "nullable": True,
                        "required": ["url", "alt"],
                        "properties": {"url": _URL, "alt": _STRING},
                    },
                    "published_at": {"type": "string", "format": "date-time"},
                    "key_figures": {"type": "array", "items": {}},
                },
            },
            "IssueDetail": {
                "allOf": [
                    _schema_ref("IssueSummary"),
                    {
                        "type": "object",
                        "required": ["window", "items", "more"],
                        "properties": {
                            "window": {
                                "type": "object",
                                "required": ["start", "end"],
                                "properties": {
                                    "start": {"type": "string", "format": "date-time"},
                                    "end": {"type": "string", "format": "date-time"},
                                },
                            },
                            "items": {"type": "array", "items": _schema_ref("IssueItem")},
                            "more": {
                                "type": "object",
                                "nullable": True,
                                "required": ["count", "url"],
                                "properties": {"count": _INTEGER, "url": _URL},
                            },
                        },
                    },
                ]
            },
        }
    },
}
