from django.conf import settings
from django.utils.functional import SimpleLazyObject

from workorders.uploads import file_too_big_message, request_too_big_message, too_many_files_message


def _messages() -> dict:
    return {"count": too_many_files_message(), "total": request_too_big_message(),
            "file": file_too_big_message("{name}")}


def upload_limits(request):
    """The upload caps, shown beside every file field, and the server's own messages for them
    (static/js/files.js shows them before a form is sent; built only when a page uses them)."""
    return {
        "max_file_bytes": settings.CENTER_UPLOAD_MAX_FILE_BYTES,
        "max_request_bytes": settings.CENTER_UPLOAD_MAX_REQUEST_BYTES,
        "max_files": settings.CENTER_UPLOAD_MAX_FILES,
        "upload_messages": SimpleLazyObject(_messages),
    }
