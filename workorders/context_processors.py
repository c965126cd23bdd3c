from django.conf import settings


def upload_limits(request):
    """The upload caps, shown beside every file field."""
    return {
        "max_file_bytes": settings.CENTER_UPLOAD_MAX_FILE_BYTES,
        "max_request_bytes": settings.CENTER_UPLOAD_MAX_REQUEST_BYTES,
        "max_files": settings.CENTER_UPLOAD_MAX_FILES,
    }
