"""Responses that the browser saves instead of showing: every download of the product is built here."""
from django.http import FileResponse, HttpResponse


def download_response(content, *, filename: str, content_type: str) -> HttpResponse:
    """Generated content (an export, a calendar, a PDF) as ``Content-Disposition: attachment``
    under ``filename`` (an ASCII name the product built, never one typed by a user)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def file_download(handle, *, filename: str, content_type: str) -> FileResponse:
    """A stored file (an upload) as a download that no browser renders or sniffs: attachment under
    ``filename`` (the server-made name ending with the checked type's extension),
    ``X-Content-Type-Options: nosniff``, and never kept in a shared cache."""
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# What a spreadsheet (Excel, WPS, LibreOffice) reads as the start of a formula, a tab and a carriage
# return included (they hide a formula behind a cell that looks blank).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(text: str) -> str:
    """Text for a cell of any export (CSV or Excel): a leading apostrophe when a spreadsheet would
    read it as a formula, so that it shows as typed and runs nothing. Numbers and dates are not
    text: the exports pass them through unchanged."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text
