"""How much of a request body the application will take in, before any view sees it.

Two guards, both reading the ``CENTER_UPLOAD_*`` settings at each request:

- ``BodySizeLimit`` (middleware) answers 413 to a body whose ``Content-Length`` is over
  ``CENTER_UPLOAD_MAX_BODY_BYTES``, without reading any of it. nginx refuses the same size first
  (``client_max_body_size`` in deploy/nginx/center.conf); this guard holds where nginx is not in
  front (the development server, gunicorn reached directly). A body without Content-Length
  (chunked) reaches Django as an empty one, so there is nothing else to check.
- ``PerFileCap`` (the first upload handler) keeps at most ``CENTER_UPLOAD_MAX_FILE_BYTES`` plus
  one chunk of each file: the rest still goes by on the wire (the body is already capped) but is
  neither kept in memory nor written to a temporary file. The truncated file stays in
  ``request.FILES`` under its name, so the product's size check refuses it with a message naming it
  and the fields typed around it survive. Of a file past ``CENTER_UPLOAD_MAX_FILES`` it keeps
  nothing. Django itself refuses (400) a request with more than ``DATA_UPLOAD_MAX_NUMBER_FILES``.
"""
from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.http import JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _


class PerFileCap(FileUploadHandler):
    """Passes each file's chunks on to the storing handlers until the file is one byte over the
    cap, then swallows the rest (``received_past_cap`` counts what went by unkept). Of a file past
    ``CENTER_UPLOAD_MAX_FILES`` in the request it keeps nothing: the product refuses that many
    files whatever they hold, and the empty file still counts towards the refusal."""

    def __init__(self, request=None):
        super().__init__(request)
        self.received_past_cap = 0
        self._passed = 0
        self._files = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self._files += 1
        self._passed = 0

    def receive_data_chunk(self, raw_data, start):
        if self._files > settings.CENTER_UPLOAD_MAX_FILES or self._passed > settings.CENTER_UPLOAD_MAX_FILE_BYTES:
            self.received_past_cap += len(raw_data)
            return None  # the handlers after this one never see it
        self._passed += len(raw_data)
        return raw_data

    def file_complete(self, file_size):
        return None  # the storing handler after this one returns the file


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class BodySizeLimit:
    """413 for a body over ``CENTER_UPLOAD_MAX_BODY_BYTES``, judged by its Content-Length alone.

    Pages get a page saying the limits and that the browser still holds what was typed (going back
    shows the form as it was); ``/api/`` gets ``{"detail": ...}`` as the API's other errors are."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.CENTER_UPLOAD_MAX_BODY_BYTES
        if _content_length(request) <= limit:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": _("The request body is larger than %(limit)s.") % {"limit": filesizeformat(limit)}},
                status=413,
            )
        return render(request, "413.html", {"body_limit": limit}, status=413)
