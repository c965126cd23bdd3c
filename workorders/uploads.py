"""Checking uploaded files by their content, not their name.

Accepted: PDF, JPEG, PNG, Office documents (DOC/XLS/PPT and DOCX/XLSX/PPTX) and OFD (the Chinese
fixed-layout format, a ZIP holding ``OFD.xml``). Anything else is refused with a message naming
the file. ZIP-based formats are opened to check what they hold and how big they unpack (a bomb
is refused); images are checked for absurd pixel sizes.
"""
from __future__ import annotations

import hashlib
import io
import re
import struct
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from workorders.exceptions import WorkOrderError

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PNG = b"\x89PNG\r\n\x1a\n"
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_IMAGE_PIXELS = 80_000_000  # 20k × 4k; a 20k × 20k picture is refused


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content: bytes
    content_type: str
    extension: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


def _zip_kind(content: bytes) -> tuple[str, str] | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    unpacked = sum(entry.file_size for entry in entries)
    packed = max(1, sum(entry.compress_size for entry in entries))
    if unpacked > MAX_UNPACKED_BYTES or unpacked / packed > MAX_COMPRESSION_RATIO:
        return ("bomb", "")
    names = {entry.filename for entry in entries}
    if "OFD.xml" in names:
        return ("application/ofd", ".ofd")
    if "[Content_Types].xml" in names:
        prefixes = {name.split("/", 1)[0] for name in names}
        if "word" in prefixes:
            return ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx")
        if "xl" in prefixes:
            return ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx")
        if "ppt" in prefixes:
            return ("application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx")
    return None


def _png_too_big(content: bytes) -> bool:
    width, height = struct.unpack(">II", content[16:24])
    return width * height > MAX_IMAGE_PIXELS


def _jpeg_too_big(content: bytes) -> bool | None:
    """Whether the frame is too big; None when there is no frame header at all."""
    index = 2
    while index + 9 < len(content):
        if content[index] != 0xFF:
            index += 1
            continue
        marker = content[index + 1]
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            height, width = struct.unpack(">HH", content[index + 5 : index + 9])
            return width * height > MAX_IMAGE_PIXELS
        length = struct.unpack(">H", content[index + 2 : index + 4])[0]
        index += 2 + length
    return None


def sniff(content: bytes) -> tuple[str, str] | None:
    """(content type, extension) of an accepted file, ``("bomb", "")`` or ``("huge-image", "")``, else None."""
    if content.startswith(b"%PDF-"):
        return ("application/pdf", ".pdf")
    if content.startswith(PNG):
        if len(content) < 24 or content[12:16] != b"IHDR":
            return None  # a PNG signature with something else behind it
        return ("huge-image", "") if _png_too_big(content) else ("image/png", ".png")
    if content.startswith(b"\xff\xd8\xff"):
        too_big = _jpeg_too_big(content)
        if too_big is None:
            return None  # no frame header: not a picture
        return ("huge-image", "") if too_big else ("image/jpeg", ".jpg")
    if content.startswith(OLE2):
        return ("application/vnd.ms-office", ".doc")
    if content.startswith(b"PK\x03\x04"):
        return _zip_kind(content)
    return None


# The extensions each accepted type may carry, the first being the one a download gets when the
# person's name ends with none of them. The OLE2 check does not tell DOC from XLS or PPT, so the
# person's choice among those three stands.
EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "application/vnd.ms-office": (".doc", ".xls", ".ppt"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (".pptx",),
    "application/ofd": (".ofd",),
}
UNKNOWN_EXTENSION = ".bin"
_ACCEPTED_EXTENSIONS = {extension for extensions in EXTENSIONS.values() for extension in extensions}
# What a name's last part must look like to count as an extension: a few letters or digits, at
# least one a letter ("纪要.2024.03" has none; "Mr.Smith" has one).
_EXTENSION = re.compile(r"\.(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{1,10}$")


def served_content_type(content_type: str) -> str:
    """The Content-Type a download gets: the checked type, or bytes for anything never accepted."""
    return content_type if content_type in EXTENSIONS else "application/octet-stream"


def download_name(name: str, content_type: str) -> str:
    """The name a file is downloaded and listed under: the person's name, but ending with the
    extension of the type its content was checked to be.

    Trailing extensions that are not the type's are dropped when the type's own stands before them
    ("invoice.pdf.bat" → "invoice.pdf"); otherwise the last one goes, with any before it that
    names another accepted type, and the type's is added ("report.html" → "report.pdf",
    "site.jpg.svg" → "site.png", but "Mr.Smith.html" → "Mr.Smith.pdf"). Trailing dots and spaces,
    which Windows drops (so "a.bat." is "a.bat" there), are dropped first.
    """
    allowed = EXTENSIONS.get(content_type, (UNKNOWN_EXTENSION,))
    base = clean_name(name).rstrip(". ")
    stem, found = base, None
    while (match := _EXTENSION.search(stem)) is not None:
        if match.group().lower() in allowed:
            found = stem
            break
        stem = stem[: match.start()].rstrip(". ")
    if found is not None:
        return found
    stem = base
    # The last extension goes, and before it any that claims another accepted type ("site.jpg.svg"
    # holding a PNG is "site.png"); a dotted name's other dots stay.
    if (last := _EXTENSION.search(stem)) is not None:
        stem = stem[: last.start()].rstrip(". ")
        while (match := _EXTENSION.search(stem)) is not None and match.group().lower() in _ACCEPTED_EXTENSIONS:
            stem = stem[: match.start()].rstrip(". ")
    return (stem or "file") + allowed[0]


def clean_name(name: str) -> str:
    """The base name a person gave, without folders or control characters, for display only."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(char for char in base if char.isprintable()).strip().lstrip(".")
    return base[:200] or "file"


def too_many_files_message() -> str:
    return _("At most %(count)d files can be attached.") % {"count": settings.CENTER_UPLOAD_MAX_FILES}


def file_too_big_message(name: str) -> str:
    return _("%(name)s is larger than %(limit)s.") % {"name": name, "limit": filesizeformat(settings.CENTER_UPLOAD_MAX_FILE_BYTES)}


def request_too_big_message() -> str:
    return _("The files together are larger than %(limit)s.") % {"limit": filesizeformat(settings.CENTER_UPLOAD_MAX_REQUEST_BYTES)}


def check_files(files: list[tuple[str, bytes]], *, already_bytes: int = 0) -> list[CheckedFile]:
    """Check each (name, content); raise ``WorkOrderError`` (field ``attachments``) at the first refusal."""
    if len(files) > settings.CENTER_UPLOAD_MAX_FILES:
        raise WorkOrderError(too_many_files_message(), code="too_many_files", field="attachments")
    checked, total = [], already_bytes
    for name, content in files:
        shown = clean_name(name)
        if len(content) > settings.CENTER_UPLOAD_MAX_FILE_BYTES:
            raise WorkOrderError(file_too_big_message(shown), code="file_too_big", field="attachments")
        total += len(content)
        if total > settings.CENTER_UPLOAD_MAX_REQUEST_BYTES:
            raise WorkOrderError(request_too_big_message(), code="request_too_big", field="attachments")
        kind = sniff(content)
        if kind is None:
            raise WorkOrderError(
                _("%(name)s is not a PDF, JPEG, PNG, Office or OFD file (checked by its content).") % {"name": shown},
                code="file_type", field="attachments",
            )
        if kind[0] in ("bomb", "huge-image"):
            raise WorkOrderError(
                _("%(name)s unpacks to an unreasonable size and was refused.") % {"name": shown},
                code="file_bomb", field="attachments",
            )
        checked.append(CheckedFile(shown, content, kind[0], kind[1], hashlib.sha256(content).hexdigest()))
    return checked
