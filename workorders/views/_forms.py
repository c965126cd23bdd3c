"""What the portal and desk views share: reading and keeping uploads."""
from __future__ import annotations


from workorders import upload_stash
from workorders.exceptions import WorkOrderError
from workorders.uploads import check_files


def new_uploads(request, field: str = "attachments") -> list[tuple[str, bytes]]:
    return [(upload.name, upload.read()) for upload in request.FILES.getlist(field)]


def kept_uploads(request) -> tuple[list[dict], list[tuple[str, bytes]]]:
    """The files stashed by an earlier failed attempt that the person still wants (``kept`` tokens)."""
    described, loaded = [], []
    for token in request.POST.getlist("kept"):
        meta = upload_stash.describe(user=request.user, token=token)
        if meta is None:
            continue
        item = upload_stash.load(user=request.user, token=token)
        if item is not None:
            described.append(meta)
            loaded.append(item)
    return described, loaded


def keep_for_retry(request, kept: list[dict], files: list[tuple[str, bytes]]) -> tuple[list[dict], list[str]]:
    """Stash each new upload that passes the checks on its own so the retry needs no re-picking.

    Returns every kept file (old and new) and the messages about the files that were refused.
    """
    refused = []
    kept = list(kept)
    for name, content in files:
        try:
            check_files([(name, content)])
        except WorkOrderError as error:
            refused.append(error.message)
            continue
        kept.append(upload_stash.stash(user=request.user, name=name, content=content))
    return kept, refused


def discard_kept(kept: list[dict]) -> None:
    upload_stash.discard(tokens=[item["token"] for item in kept])
