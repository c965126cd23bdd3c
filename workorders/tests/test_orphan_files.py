"""Issue 25, part 1: files no row refers to (left by a process killed mid-write, or by a failed
clean-up on a sick disk) are deleted by a beat task after a day, never a file a row refers to, nor
a fresh one (a submission in flight writes its file before its row commits)."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from workorders import tasks
from workorders.services import orphans
from workorders.tests.factories import AttachmentFactory

DAY = 24 * 3600


def _file(relative: str, *, age: float) -> Path:
    path = Path(django_settings.MEDIA_ROOT) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.4 orphan")
    then = time.time() - age
    os.utime(path, (then, then))
    return path


def _age(path: Path, age: float) -> None:
    then = time.time() - age
    os.utime(path, (then, then))


@pytest.mark.django_db
def test_only_old_files_no_row_refers_to_are_deleted():
    old_row = AttachmentFactory()
    fresh_row = AttachmentFactory()
    old_row_path = Path(old_row.file.path)
    _age(old_row_path, 30 * DAY)
    old_orphan = _file("attachments/ab/0123456789abcdef.pdf", age=DAY + 60)
    old_partial = _file("attachments/cd/.fedcba9876543210.partial", age=2 * DAY)
    fresh_orphan = _file("attachments/ab/fresh.pdf", age=DAY - 60)  # a submission in flight
    stashed = _file("stash/7/sometoken.bin", age=30 * DAY)  # not an attachment: the stash's purge owns it
    assert orphans.sweep_orphan_files() == 2
    assert not old_orphan.exists() and not old_partial.exists()
    assert old_row_path.exists() and Path(fresh_row.file.path).exists()
    assert fresh_orphan.exists() and stashed.exists()
    assert orphans.sweep_orphan_files() == 0  # idempotent


@pytest.mark.django_db
def test_referenced_files_are_kept_across_batches(monkeypatch):
    monkeypatch.setattr(orphans, "BATCH", 2)
    rows = [AttachmentFactory() for _ in range(5)]
    for row in rows:
        _age(Path(row.file.path), 3 * DAY)
    orphan = _file("attachments/ef/orphan.docx", age=3 * DAY)
    assert orphans.sweep_orphan_files() == 1
    assert all(Path(row.file.path).exists() for row in rows) and not orphan.exists()


@pytest.mark.django_db
def test_nothing_to_sweep_before_the_first_upload():
    assert orphans.sweep_orphan_files() == 0


def test_the_task_calls_the_service(monkeypatch):
    monkeypatch.setattr(tasks, "sweep_orphan_files", lambda: 3)
    assert tasks.sweep_orphan_attachments() == 3


def test_the_sweep_is_in_the_beat_schedule():
    entries = [entry for entry in django_settings.CELERY_BEAT_SCHEDULE.values()
               if entry["task"] == "workorders.tasks.sweep_orphan_attachments"]
    assert len(entries) == 1 and entries[0]["schedule"] <= DAY
    assert tasks.sweep_orphan_attachments.name == "workorders.tasks.sweep_orphan_attachments"
