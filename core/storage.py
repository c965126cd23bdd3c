"""The file storage of uploads: a file is there whole, or not at all.

Django's ``FileSystemStorage`` opens the final name and writes into it, so a disk that fills half
way through (``ENOSPC``) or any other write error leaves a 0-byte or partial file under a name no
row will ever refer to. ``WholeFileSystemStorage`` writes under a hidden temporary name in the
same folder, flushes it to the disk (``fsync``: a network or delayed-allocation filesystem reports
a full disk only then), claims the final name (created exclusively, so an existing file is never
overwritten) and renames the temporary file onto it. Whatever fails, the temporary file and the
claimed name are removed before the error goes on to the caller. Only a process killed in the
middle can leave a temporary file (``.<hex>.partial``) or an empty claimed name: no row refers to
either, and the orphan sweep (``workorders.services.orphans``) deletes them after a day.
"""
from __future__ import annotations

import contextlib
import os
import posixpath
import uuid

from django.core.files.storage import FileSystemStorage

PARTIAL_SUFFIX = ".partial"


class WholeFileSystemStorage(FileSystemStorage):
    def _save(self, name, content):
        folder = posixpath.dirname(name)
        temporary_path = self.path(posixpath.join(folder, f".{uuid.uuid4().hex}{PARTIAL_SUFFIX}"))
        claimed_path = None
        try:
            # The parent writes the temporary file (folders, chunks, permissions and group as usual);
            # a random name cannot collide, so it is the name we chose.
            temporary_path = self.path(super()._save(os.path.relpath(temporary_path, self.location), content))
            _flush_to_disk(temporary_path)
            name, claimed_path = self._claim(name)
            os.replace(temporary_path, claimed_path)
        except BaseException:
            for path in (temporary_path, claimed_path):
                if path is not None:
                    with contextlib.suppress(OSError):  # never hides the error that got us here
                        os.unlink(path)
            raise
        return name

    def _claim(self, name: str) -> tuple[str, str]:
        """Create the final name exclusively (another name if it exists); returns (name, path)."""
        while True:
            path = self.path(name)
            try:
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            except FileExistsError:
                name = self.get_available_name(name)
                continue
            return os.path.relpath(path, self.location).replace("\\", "/"), path


def _flush_to_disk(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
