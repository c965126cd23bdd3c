"""What the portal views share: reading uploads and keeping them for a retry."""
from __future__ import annotations

from django.conf import settings

from workorders import upload_stash
from workorders.services.stash import keep_for_retry as stash_for_retry


def new_uploads(request, field: str = "attachments") -> list[tuple[str, bytes]]:
    # Each file is at most CENTER_UPLOAD_MAX_FILE_BYTES plus one chunk (core.upload_limits.PerFileCap)
    # and the body at most CENTER_UPLOAD_MAX_BODY_BYTES, so reading them whole is bounded.
    return [(upload.name, upload.read()) for upload in request.FILES.getlist(field)]


def kept_uploads(request) -> tuple[list[dict], list[tuple[str, bytes]]]:
    """The files stashed by an earlier failed attempt that the person still wants (``kept`` tokens).

    Every one of the person's tokens is described (so the page lists them again), but contents are
    read only until they pass what one submission may carry: the service refuses it then anyway,
    and memory stays bounded by the limits rather than by the account's stash quota."""
    described, loaded, total = [], [], 0
    for token in dict.fromkeys(request.POST.getlist("kept")):
        meta = upload_stash.describe(user=request.user, token=token)
        if meta is None:
            continue
        described.append(meta)
        if len(loaded) > settings.CENTER_UPLOAD_MAX_FILES or total > settings.CENTER_UPLOAD_MAX_REQUEST_BYTES:
            continue
        item = upload_stash.load(user=request.user, token=token)
        if item is not None:
            loaded.append(item)
            total += len(item[1])
    return described, loaded


def keep_for_retry(request, kept: list[dict], files: list[tuple[str, bytes]], *, service_request=None
                   ) -> tuple[list[dict], list[str]]:
    """Keep what the next attempt may carry (``services.stash.keep_for_retry``); returns every
    kept file and the messages for the file field."""
    return stash_for_retry(actor=request.user, kept=kept, files=files, request=service_request)


def discard_kept(request, kept: list[dict]) -> None:
    upload_stash.discard(user=request.user, tokens=[item["token"] for item in kept])
