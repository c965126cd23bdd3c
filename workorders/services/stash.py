"""Files held for a person's retry after a form error (``workorders.upload_stash`` stores them).

Nothing here touches the database's rows: the stash is files on disk, bounded three ways: per
form (no more files and bytes than the submission itself could carry), per account (the quota)
and in time (the purge). Not exported by ``workorders.services`` with the state changes: there is
no one to refuse (an account only ever reaches its own stash), so the permission table has no row
for these.
"""
from __future__ import annotations

import logging

from django.conf import settings
from django.db.models import Sum
from django.template.defaultfilters import filesizeformat
from django.utils.translation import ngettext

from workorders import upload_stash
from workorders.exceptions import WorkOrderError
from workorders.models import ServiceRequest
from workorders.uploads import check_files, request_too_big_message, too_many_files_message

logger = logging.getLogger(__name__)


def keep_for_retry(*, actor, kept: list[dict], files: list[tuple[str, bytes]],
                   request: ServiceRequest | None = None) -> tuple[list[dict], list[str]]:
    """Stash, for the actor's next attempt, the new files that pass the checks, in order, while
    the files kept so far and these stay within what one submission may carry
    (``CENTER_UPLOAD_MAX_FILES`` and ``CENTER_UPLOAD_MAX_REQUEST_BYTES``, counting the files
    ``request`` already has when answering for it) and within the account's stash quota.

    Returns every kept file (old and new) and the messages for the file field: why a file was
    refused, and how many were not kept (to attach again). Never raises for a file: a failed
    write (a full disk) is logged and reported as not kept.
    """
    kept = list(kept)
    already = 0
    if request is not None:
        already = request.attachments.aggregate(total=Sum("size"))["total"] or 0
    count, total = len(kept), already + sum(item["size"] for item in kept)
    messages: list[str] = []
    over_count = over_total = over_quota = failed = 0
    for name, content in files:
        if count + 1 > settings.CENTER_UPLOAD_MAX_FILES:
            over_count += 1
            continue
        try:
            check_files([(name, content)])
        except WorkOrderError as error:
            messages.append(error.message)
            continue
        if total + len(content) > settings.CENTER_UPLOAD_MAX_REQUEST_BYTES:
            over_total += 1
            continue
        try:
            kept.append(upload_stash.stash(user=actor, name=name, content=content))
        except upload_stash.StashFull:
            over_quota += 1
            continue
        except OSError:
            logger.exception("a file could not be stashed for a retry (user %s)", actor.pk)
            failed += 1
            continue
        count, total = count + 1, total + len(content)
    if over_count:
        messages.append(too_many_files_message())
        messages.append(_not_kept(over_count))
    if over_total:
        messages.append(request_too_big_message())
        messages.append(_not_kept(over_total))
    if over_quota:
        messages.append(ngettext(
            "%(count)d file was not kept for your next attempt: you already have files waiting for a retry, "
            "up to %(limit)s. Attach it again when you send the form.",
            "%(count)d files were not kept for your next attempt: you already have files waiting for a retry, "
            "up to %(limit)s. Attach them again when you send the form.",
            over_quota,
        ) % {"count": over_quota, "limit": filesizeformat(settings.CENTER_UPLOAD_STASH_QUOTA_BYTES)})
    if failed:
        messages.append(ngettext(
            "%(count)d file could not be kept for your next attempt. Attach it again when you send the form.",
            "%(count)d files could not be kept for your next attempt. Attach them again when you send the form.",
            failed,
        ) % {"count": failed})
    return kept, messages


def _not_kept(count: int) -> str:
    return ngettext("%(count)d of the files you picked was not kept.",
                    "%(count)d of the files you picked were not kept.", count) % {"count": count}


def purge_expired_stash() -> int:
    """Delete the stashed files older than ``CENTER_UPLOAD_STASH_HOURS`` (every account's);
    returns how many went. Idempotent, safe to run beside the web processes and twice at once."""
    removed = upload_stash.purge_expired()
    if removed:
        logger.info("upload stash: %d expired files deleted", removed)
    return removed

