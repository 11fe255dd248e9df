"""Bad input answers 400 with a JSON body that names the parameter."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from rest_framework import status
from rest_framework.response import Response
from wagtail.api.v2.utils import BadRequestError

from cms.api.params import ParameterError
from web.params import InvalidParameter

__all__ = ["ParameterError", "bad_request", "error_response"]


def error_response(exc: Exception) -> Response | None:
    """The JSON answer for an exception the API expects, or None to let it raise."""
    if isinstance(exc, Http404):
        return Response({"message": str(exc) or "not found"}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, InvalidParameter):
        return bad_request(exc.message, exc.parameter)
    if isinstance(exc, BadRequestError):
        # Every parameter is parsed (cms.api.params) or checked inside params.about(),
        # which raises InvalidParameter; anything else is about no one parameter.
        return bad_request(str(exc), None)
    if isinstance(exc, ValidationError):
        return bad_request("; ".join(exc.messages), None)
    return None


def bad_request(message: str, parameter: str | None) -> Response:
    return Response(
        {"message": message, "parameter": parameter}, status=status.HTTP_400_BAD_REQUEST
    )
