"""Files kept for a retry after a form error, so that nobody has to pick them again.

When a form with files fails validation, the view stashes the checked files under random
tokens (bound to the user) and renders the tokens as hidden fields; the next submission loads
them back. Stashed files live under MEDIA_ROOT/stash/ and are removed once used; old ones expire
after ``CENTER_UPLOAD_STASH_HOURS`` (``purge_stash``).
"""
from __future__ import annotations

import json
import re
import secrets
import time
from pathlib import Path

from django.conf import settings

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def _folder() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "stash"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stash(*, user, name: str, content: bytes) -> dict:
    """Keep one file for the user; returns ``{"token", "name", "size"}`` for the form."""
    token = secrets.token_urlsafe(24)
    folder = _folder()
    (folder / f"{token}.bin").write_bytes(content)
    (folder / f"{token}.json").write_text(json.dumps({"user": user.pk, "name": name, "size": len(content)}))
    return {"token": token, "name": name, "size": len(content)}


def describe(*, user, token: str) -> dict | None:
    """What a token holds, if it is the user's and still there; None otherwise."""
    if not TOKEN_PATTERN.match(token or ""):
        return None
    meta_file = _folder() / f"{token}.json"
    if not meta_file.exists():
        return None
    meta = json.loads(meta_file.read_text())
    if meta["user"] != user.pk:
        return None
    return {"token": token, "name": meta["name"], "size": meta["size"]}


def load(*, user, token: str) -> tuple[str, bytes] | None:
    """(name, content) of a token of the user's; None when it is not theirs or gone."""
    meta = describe(user=user, token=token)
    if meta is None:
        return None
    return meta["name"], (_folder() / f"{token}.bin").read_bytes()


def discard(*, tokens) -> None:
    folder = _folder()
    for token in tokens:
        if TOKEN_PATTERN.match(token or ""):
            for suffix in (".bin", ".json"):
                (folder / f"{token}{suffix}").unlink(missing_ok=True)


def purge_stash(*, older_than_hours: int | None = None) -> int:
    hours = settings.CENTER_UPLOAD_STASH_HOURS if older_than_hours is None else older_than_hours
    limit = time.time() - hours * 3600
    removed = 0
    for path in _folder().glob("*.bin"):
        if path.stat().st_mtime < limit:
            discard(tokens=[path.stem])
            removed += 1
    return removed
