"""Files under the attachments folder that no row refers to, deleted after a day.

The storage writes each file whole or not at all and a failed transaction deletes its files, so
orphans come only from a process killed mid-write (a ``.<hex>.partial`` temporary file, or an empty
claimed name: ``core.storage``) or from a clean-up the disk refused. Like the stash's purge, this
touches files only, never rows, so it has no actor and no permission row.
"""
from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from django.conf import settings

from workorders.models import ATTACHMENTS_FOLDER, Attachment

logger = logging.getLogger(__name__)

#: A file written less than this long ago may belong to a submission whose row is not committed yet.
MIN_AGE_SECONDS = 24 * 3600
#: Names checked against the rows per query.
BATCH = 500


def sweep_orphan_files(*, now: float | None = None) -> int:
    """Delete every file under ``MEDIA_ROOT/attachments`` that no ``Attachment`` row refers to and
    that was last written more than a day ago; returns how many went (and logs it).

    Never deletes a file a row refers to (the rows are read just before each batch is deleted, and
    a new row only ever refers to a file written moments before) nor a fresh file. Symbolic links
    are neither followed nor deleted. Idempotent; safe beside the web processes and twice at once."""
    media = Path(settings.MEDIA_ROOT)
    folder = media / ATTACHMENTS_FOLDER
    limit = (time.time() if now is None else now) - MIN_AGE_SECONDS
    removed = 0
    batch: dict[str, Path] = {}
    for path in _old_files(folder, limit):
        batch[path.relative_to(media).as_posix()] = path
        if len(batch) >= BATCH:
            removed += _delete_unreferenced(batch)
            batch = {}
    if batch:
        removed += _delete_unreferenced(batch)
    logger.info("orphan attachments: %d files no row refers to deleted", removed)
    return removed


def _old_files(folder: Path, limit: float):
    for directory, _folders, names in os.walk(folder):
        for name in names:
            path = Path(directory) / name
            try:
                stat = path.lstat()
            except FileNotFoundError:
                continue
            if path.is_symlink() or stat.st_mtime >= limit:
                continue
            yield path


def _delete_unreferenced(batch: dict[str, Path]) -> int:
    referenced = set(Attachment.objects.filter(file__in=list(batch)).values_list("file", flat=True))
    removed = 0
    for name, path in batch.items():
        if name in referenced:
            continue
        try:
            path.unlink()
        except FileNotFoundError:
            continue  # another sweep took it
        except OSError:
            logger.exception("orphan attachment could not be deleted: %s", name)
            continue
        removed += 1
    return removed
