"""Files kept for a retry after a form error, so that nobody has to pick them again.

When a form with files fails validation, the view stashes the checked files under random tokens
and renders the tokens as hidden fields; the next submission loads them back. Each account's
files live in their own folder, ``MEDIA_ROOT/stash/<user id>/<token>.bin`` with ``<token>.json``
beside it (the name the person gave), so a token works only for the account that stashed it.

Guarantees: one account never holds more than ``CENTER_UPLOAD_STASH_QUOTA_BYTES`` (checked and
written under that account's lock, so two requests at once cannot both pass the check); a write
that fails (a full disk) leaves no partial file; entries older than ``CENTER_UPLOAD_STASH_HOURS``
are never handed out and are deleted by ``purge_expired`` (the beat task ``purge_upload_stash``).
What may be stashed for a form (its count and total) is decided by
``workorders.services.stash.keep_for_retry``.
"""
from __future__ import annotations

import fcntl
import json
import os
import re
import secrets
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
TEMPORARY_SUFFIX = ".tmp"


class StashFull(Exception):
    """The account's stash quota would be exceeded; nothing was written."""


def root() -> Path:
    """The stash's folder (``MEDIA_ROOT/stash``); it may not exist yet."""
    return Path(settings.MEDIA_ROOT) / "stash"


def _folder(user) -> Path:
    folder = root() / str(int(user.pk))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _expiry_limit(now: float | None = None) -> float:
    return (time.time() if now is None else now) - settings.CENTER_UPLOAD_STASH_HOURS * 3600


@contextmanager
def _locked(folder: Path):
    """The account's folder lock (an flock, released by the kernel if the process dies)."""
    fd = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _write_whole(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that it is either there whole or not at all."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}{TEMPORARY_SUFFIX}")
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _entries(folder: Path):
    for path in folder.glob("*.bin"):
        if TOKEN_PATTERN.match(path.stem):
            yield path


def _remove(folder: Path, token: str) -> None:
    for suffix in (".bin", ".json"):
        (folder / f"{token}{suffix}").unlink(missing_ok=True)


def usage(*, user) -> int:
    """Bytes the account has stashed and not yet expired (expired entries are deleted on the way)."""
    folder = _folder(user)
    limit, total = _expiry_limit(), 0
    for path in _entries(folder):
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        if stat.st_mtime < limit:
            _remove(folder, path.stem)
        else:
            total += stat.st_size
    return total


def stash(*, user, name: str, content: bytes) -> dict:
    """Keep one file for the user; returns ``{"token", "name", "size"}`` for the form.

    Raises ``StashFull`` when the account's quota would be exceeded and ``OSError`` when the disk
    refuses the write; in both cases nothing of the file is left behind."""
    folder = _folder(user)
    with _locked(folder):
        if usage(user=user) + len(content) > settings.CENTER_UPLOAD_STASH_QUOTA_BYTES:
            raise StashFull
        token = secrets.token_urlsafe(24)
        _write_whole(folder / f"{token}.bin", content)
        try:
            _write_whole(folder / f"{token}.json", json.dumps({"name": name}).encode())
        except BaseException:
            _remove(folder, token)
            raise
    return {"token": token, "name": name, "size": len(content)}


def describe(*, user, token: str) -> dict | None:
    """What a token holds, if it is the user's, whole and not expired; None otherwise."""
    if not TOKEN_PATTERN.match(token or ""):
        return None
    folder = _folder(user)
    try:
        stat = (folder / f"{token}.bin").stat()
        meta = json.loads((folder / f"{token}.json").read_text())
    except (FileNotFoundError, ValueError):
        return None
    if stat.st_mtime < _expiry_limit():
        return None
    return {"token": token, "name": meta["name"], "size": stat.st_size}


def load(*, user, token: str) -> tuple[str, bytes] | None:
    """(name, content) of a token of the user's; None when it is not theirs, expired or gone."""
    meta = describe(user=user, token=token)
    if meta is None:
        return None
    try:
        return meta["name"], (_folder(user) / f"{token}.bin").read_bytes()
    except FileNotFoundError:
        return None


def discard(*, user, tokens) -> None:
    """Delete the user's entries for these tokens (used ones); other accounts' are untouched."""
    folder = _folder(user)
    for token in tokens:
        if TOKEN_PATTERN.match(token or ""):
            _remove(folder, token)


def purge_expired(*, now: float | None = None) -> int:
    """Delete every entry older than ``CENTER_UPLOAD_STASH_HOURS`` (of any account, and of the
    earlier flat layout), and leftovers of interrupted writes; returns how many stashed files went."""
    folder = root()
    if not folder.exists():
        return 0
    limit, removed = _expiry_limit(now), 0
    for path in folder.rglob("*"):
        if not path.is_file() or path.name == ".lock":
            continue
        try:
            if path.stat().st_mtime >= limit:
                continue
        except FileNotFoundError:
            continue
        if path.suffix == ".bin" and TOKEN_PATTERN.match(path.stem):
            _remove(path.parent, path.stem)
            removed += 1
        elif path.name.endswith(TEMPORARY_SUFFIX) or path.suffix == ".json":
            path.unlink(missing_ok=True)
    return removed
