"""Bad input answers 400 with a JSON body that names the parameter."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from rest_framework import status
from rest_framework.response import Response
from wagtail.api.v2.utils import BadRequestError

from web.params import InvalidParameter


class ParameterError(InvalidParameter, BadRequestError):
    """A bad query parameter, named in the 400 (web.params raises the plain InvalidParameter)."""


# Wagtail's own messages, and the parameter each one is about.
_WAGTAIL_MESSAGE_PREFIXES = {
    "query parameter is not an operation": None,  # names the parameters itself
    "unknown fields": "fields",
    "fields error": "fields",
    "does not support nested fields": "fields",
    "cannot order by": "order",
    "random ordering": "order",
    "type doesn't exist": "type",
    "search is disabled": "search",
    "filtering by tag with a search query": "search",
    "cannot filter by": "search",
    "ordering with a search query": "order",
    "parent page doesn't exist": "child_of",
    "ancestor page doesn't exist": "descendant_of",
    "descendant page doesn't exist": "ancestor_of",
    "translation_of page doesn't exist": "translation_of",
    "field filter error": None,
    "rich_text_format": "rich_text_format",
    "search_operator": "search_operator",
}


def parameter_of(message: str, query: dict) -> str | None:
    for prefix, parameter in _WAGTAIL_MESSAGE_PREFIXES.items():
        if prefix in message and parameter:
            return parameter
    # Most of Wagtail's messages start with, or quote, the parameter's name.
    for name in sorted(query, key=len, reverse=True):
        if name and name in message:
            return name
    return None


def error_response(exc: Exception, query: dict) -> Response | None:
    """The JSON answer for an exception the API expects, or None to let it raise."""
    if isinstance(exc, Http404):
        return Response({"message": str(exc) or "not found"}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, InvalidParameter):
        return bad_request(exc.message, exc.parameter)
    if isinstance(exc, BadRequestError):
        message = str(exc)
        return bad_request(message, parameter_of(message, query))
    if isinstance(exc, ValidationError):
        return bad_request("; ".join(exc.messages), None)
    return None


def bad_request(message: str, parameter: str | None) -> Response:
    return Response(
        {"message": message, "parameter": parameter}, status=status.HTTP_400_BAD_REQUEST
    )
