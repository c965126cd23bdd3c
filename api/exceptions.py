"""The one place where a service's refusal becomes an API answer.

A domain error (``core.errors.DomainError``) raised by any service that an API view calls is
answered as JSON keyed by the field it belongs to (``non_field_errors`` when it belongs to none),
the same shape as DRF's own validation errors: 403 when the rule was who may act, else 400. API views
therefore call the services and catch nothing.
"""
from __future__ import annotations

from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError


def as_api_error(error: DomainError) -> exceptions.APIException:
    if error.code == "forbidden":
        return exceptions.PermissionDenied(str(error.message))
    return exceptions.ValidationError({field or "non_field_errors": [str(m) for m in messages]
                                       for field, messages in error.errors.items()})


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        exc = as_api_error(exc)
    return drf_exception_handler(exc, context)
