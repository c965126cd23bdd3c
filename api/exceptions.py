"""The one place where a service's refusal becomes an API answer.

A domain error (``core.errors.DomainError``) raised by any service that an API view calls is
answered as JSON keyed by the field it belongs to (``non_field_errors`` when it belongs to none),
the same shape as DRF's own validation errors: 403 when the rule was who may act, else 400. API views
therefore call the services and catch nothing.

A storage error (``core.errors.STORAGE_UNAVAILABLE``: the disk is full) is not the client's fault:
it is answered 503 with ``Retry-After`` and ``{"detail": ...}``, the answer of a database outage
(``center.errors``), so a client has one "try again later" case, and generic HTTP clients retry it
(a 507, WebDAV's "Insufficient Storage", is read as final by most of them). Nothing was filed, and
the ``Idempotency-Key`` makes the retry safe.
"""
from __future__ import annotations

from django.conf import settings
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import STORAGE_UNAVAILABLE, DomainError


class StorageUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = STORAGE_UNAVAILABLE


def as_api_error(error: DomainError) -> exceptions.APIException:
    if error.code == "forbidden":
        return exceptions.PermissionDenied(str(error.message))
    if error.code == STORAGE_UNAVAILABLE:
        return StorageUnavailable(str(error.message))
    return exceptions.ValidationError({field or "non_field_errors": [str(m) for m in messages]
                                       for field, messages in error.errors.items()})


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        exc = as_api_error(exc)
    response = drf_exception_handler(exc, context)
    if isinstance(exc, StorageUnavailable) and response is not None:
        response["Retry-After"] = str(settings.CENTER_OUTAGE_RETRY_AFTER_SECONDS)
    return response
