"""The server-error pages, and the database outage answered as 503 with ``Retry-After``.

``server_error`` is the project's ``handler500``. Django calls it for every exception nothing else
handled, wherever it was raised: in a view, in any middleware's request or response phase
(sessions, authentication, the staff time-out...) or in the API, because the handler wraps each
middleware layer in ``convert_exception_to_response``, which turns the exception into this view's
answer inside that layer. A middleware cannot do the same job: ``process_exception`` sees only the
view's exceptions, and an outer middleware's ``get_response`` never sees an exception raised in
an inner layer, only the 500 response already made from it. This view runs inside that ``except``
block, so ``sys.exc_info()`` is the exception being handled, and Django still logs it (with the
traceback, at error level) after this view has answered.

A database that cannot be reached (``OperationalError``, ``InterfaceError``) is a 503 with
``Retry-After``; anything else is a 500. Pages are rendered from ``templates/errors/`` with a plain
context: no context processors (the unread-notifications count and ``request.user`` would query
the database that is down), no session, no user menu; the language comes from the request's
language cookie or ``Accept-Language`` (Chinese first). The API (``/api/``) answers in its JSON
error shape, ``{"detail": ...}``.
"""
from __future__ import annotations

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext

DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)

# When even the frame cannot be rendered (a broken template or static manifest): both languages.
_FALLBACK = {
    500: "<!DOCTYPE html><html lang=\"zh-hans\"><meta charset=\"utf-8\"><title>服务器错误 Server error</title>"
         "<h1>服务器出错，请稍后再试。</h1><p>Something went wrong on our side. Please try again later.</p></html>",
    503: "<!DOCTYPE html><html lang=\"zh-hans\"><meta charset=\"utf-8\"><title>服务暂不可用 Service unavailable</title>"
         "<h1>服务暂不可用，请稍后再试。</h1><p>The service is temporarily unavailable. Please try again later.</p></html>",
}


def is_database_unavailable(error: BaseException | None) -> bool:
    """Whether the error (or one it was raised from) says the database cannot be reached."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, DATABASE_UNAVAILABLE):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def server_error(request, *args, **kwargs):
    """handler500: the 503 outage answer for a database that cannot be reached, else the 500 page."""
    unavailable = is_database_unavailable(sys.exc_info()[1])
    status = 503 if unavailable else 500
    with translation.override(translation.get_language_from_request(request)):
        response = _api_error(status) if request.path_info.startswith("/api/") else _page(status)
    if unavailable:
        response["Retry-After"] = str(settings.CENTER_OUTAGE_RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _api_error(status: int) -> JsonResponse:
    if status == 503:
        detail = gettext("The service is temporarily unavailable. Please try again later.")
    else:
        detail = gettext("A server error occurred.")
    return JsonResponse({"detail": detail}, status=status, json_dumps_params={"ensure_ascii": False})


def _page(status: int) -> HttpResponse:
    try:
        body = loader.get_template(f"errors/{status}.html").render(
            {"retry_after": settings.CENTER_OUTAGE_RETRY_AFTER_SECONDS}
        )
    except Exception:  # noqa: BLE001 - the error page itself must not fail
        body = _FALLBACK[status]
    return HttpResponse(body, status=status)
