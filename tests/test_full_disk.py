"""Issue 25, part 1: a full upload disk.

The disk is a real small filesystem (a tmpfs of 1 MB mounted at a temporary folder, unmounted after
the test), filled as the reliability probe filled it: completely, or with a few hundred KB left so
that the old code left a partial file. Where this sandbox cannot mount (not root), those tests are
skipped and the storage's own test below (a write that fails half way, injected at the file) still
runs. Each test failed before the fix: a bare 500, the typed form lost, a 0-byte or partial file
left in ``attachments/``.
"""
from __future__ import annotations

import errno
import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from center.tests.factories import WorkerHeartbeatFactory
from core.storage import WholeFileSystemStorage
from workorders.models import Attachment, RequestEvent, ServiceRequest
from workorders.services import request_material
from workorders.tests import samples

SIZE = 1024 * 1024


@pytest.fixture(autouse=True)
def _language_restored():
    language = translation.get_language()
    yield
    translation.activate(language)


@contextmanager
def _tmpfs(path: Path, size: int = SIZE):
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"this sandbox cannot mount a tmpfs: {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        if subprocess.run(["umount", str(path)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(path)], check=True)


def _fill(disk: Path, *, leave: int = 0) -> Path:
    """Fill the filesystem at ``disk`` to the last byte, then give back ``leave`` bytes."""
    filler = disk / "filler"
    block = b"\0" * 64 * 1024
    with open(filler, "wb") as handle:
        try:
            while True:
                handle.write(block)
                handle.flush()
        except OSError as error:
            assert error.errno == errno.ENOSPC
    written = filler.stat().st_size
    os.truncate(filler, max(written - leave, 0))
    return filler


def _files_on(disk: Path, *, besides: Path | None = None) -> list[Path]:
    return [path for path in disk.rglob("*") if path.is_file() and path != besides and path.name != ".lock"]


@pytest.fixture
def full_media(settings, tmp_path):
    """MEDIA_ROOT (attachments and the stash) on a 1 MB tmpfs, full; yields (disk, filler)."""
    with _tmpfs(tmp_path / "small-disk") as disk:
        settings.MEDIA_ROOT = disk
        yield disk, _fill(disk)


@pytest.fixture
def full_attachments(settings, tmp_path):
    """Only the attachments on their own full volume; the stash (MEDIA_ROOT/stash) has room."""
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    with _tmpfs(media / "attachments") as disk:
        yield disk, _fill(disk)


def _pdf(name: str, size: int) -> SimpleUploadedFile:
    body = samples.pdf()
    return SimpleUploadedFile(name, body + b"0" * (size - len(body)), content_type="application/pdf")


def _client(user, language="zh-hans") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language, raise_request_exception=False)
    client.force_login(user)
    return client


def _form(world, **overrides):
    data = {"kind": "blocker", "project": world.project_a.pk, "title": "施工许可受阻",
            "description": "临时用地手续办理缓慢，影响开工。", "submission_token": "disk-" + "z" * 30}
    data.update(overrides)
    return data


def _rows():
    return ServiceRequest.objects.count(), Attachment.objects.count(), RequestEvent.objects.count()


# --- the portal's request form ----------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("leave", [0, 320 * 1024], ids=["no-byte-free", "320KB-free"])
def test_a_request_on_a_full_disk_keeps_the_form_and_leaves_no_row_and_no_file(world, full_media, settings, leave):
    disk, filler = full_media
    if leave:
        os.truncate(filler, filler.stat().st_size - leave)  # the probe's "320 KB free": a partial file before
    before = _rows()
    response = _client(world.user_a).post("/requests/new/", {**_form(world), "attachments": [_pdf("规划图.pdf", 600 * 1024)]})
    assert response.status_code == 200  # was a bare 500
    assert _rows() == before
    assert _files_on(disk, besides=filler) == []  # no 0-byte, partial or temporary file
    page = response.content.decode()
    # Beside the file field, in Chinese first; the person is asked to attach again (the stash is full too).
    errors = response.context["file_errors"]
    assert any("存储空间" in message for message in errors)
    assert any("重新" in message for message in errors)
    field = page[page.index('id="field-attachments"'):]
    assert "存储空间" in field[:field.index("</ul>")]
    # What they typed is still in the form.
    assert "施工许可受阻" in page and "临时用地手续办理缓慢，影响开工。" in page
    assert response.context["kept"] == []


@pytest.mark.django_db
def test_the_message_is_in_english_for_an_english_reader(world, full_media):
    response = _client(world.user_a, "en").post("/requests/new/", {**_form(world), "attachments": [_pdf("a.pdf", 4000)]})
    assert response.status_code == 200
    assert any("storage" in message for message in response.context["file_errors"])


@pytest.mark.django_db
def test_files_kept_in_the_stash_when_it_has_room_and_sent_once_the_disk_has_room(world, full_attachments):
    disk, filler = full_attachments
    client = _client(world.user_a)
    response = client.post("/requests/new/", {**_form(world), "attachments": [_pdf("规划图.pdf", 200 * 1024)]})
    assert response.status_code == 200
    assert any("存储空间" in message for message in response.context["file_errors"])
    assert [item["name"] for item in response.context["kept"]] == ["规划图.pdf"]
    assert ServiceRequest.objects.filter(title="施工许可受阻").count() == 0
    assert _files_on(disk, besides=filler) == []
    filler.unlink()  # the operator frees space; the person sends the form again with the kept file
    token = response.context["kept"][0]["token"]
    again = client.post("/requests/new/", {**_form(world), "kept": [token]})
    assert again.status_code == 302
    created = ServiceRequest.objects.get(title="施工许可受阻")
    assert [a.original_name for a in created.attachments.all()] == ["规划图.pdf"]
    assert len(_files_on(disk)) == 1


# --- the answer to a request for material -----------------------------------------------------------

@pytest.mark.django_db
def test_material_on_a_full_disk_leaves_the_assignment_waiting(world, full_media):
    disk, filler = full_media
    assignment = world.assignment_a
    request_material(actor=world.officer_a, assignment=assignment, text="请补充用地红线图")
    before = _rows()
    url = f"/requests/{world.request_a.tracking_number}/material/{assignment.pk}/"
    response = _client(world.user_a).post(url, {"text": "红线图见附件", "attachments": [_pdf("红线图.pdf", 8000)]})
    assert response.status_code == 400  # the page's answer to a refused form, not a 500
    assert any("存储空间" in message for message in response.context["file_errors"])
    assert "红线图见附件" in response.content.decode()
    assert _rows() == before
    assignment.refresh_from_db()
    assert assignment.status == "paused"  # the clock did not restart
    assert _files_on(disk, besides=filler) == []


# --- the API ------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_api_answers_503_with_retry_after_and_files_nothing(world, full_media, settings):
    disk, filler = full_media
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(world.user_a)
    body = {"kind": "blocker", "project": world.project_a.pk, "title": "接口提交", "description": "通过接口提交的诉求内容。"}
    before = _rows()
    response = client.post("/api/v1/requests/", {**body, "files": [_pdf("说明.pdf", 8000)]}, format="multipart",
                           HTTP_IDEMPOTENCY_KEY="disk-1")
    assert response.status_code == 503
    assert response["Retry-After"] == str(settings.CENTER_OUTAGE_RETRY_AFTER_SECONDS)
    assert "storage" in response.json()["detail"]
    assert _rows() == before
    assert _files_on(disk, besides=filler) == []
    filler.unlink()
    retried = client.post("/api/v1/requests/", {**body, "files": [_pdf("说明.pdf", 8000)]}, format="multipart",
                          HTTP_IDEMPOTENCY_KEY="disk-1")
    assert retried.status_code == 201 and len(retried.json()["attachments"]) == 1


# --- the storage itself, without a mount --------------------------------------------------------------

def test_a_write_that_fails_half_way_leaves_no_file(settings, tmp_path, monkeypatch):
    """The disk fills half way through a write (injected at the file): neither the final name nor
    the temporary one is left, and the error reaches the caller."""
    settings.MEDIA_ROOT = tmp_path / "media"
    real_fdopen = os.fdopen

    class HalfWritten:
        def __init__(self, handle):
            self.handle = handle

        def write(self, data):
            self.handle.write(data[: len(data) // 2])
            self.handle.flush()
            raise OSError(errno.ENOSPC, "No space left on device")

        def __getattr__(self, name):
            return getattr(self.handle, name)

    monkeypatch.setattr(os, "fdopen", lambda fd, mode="r", *a, **k: HalfWritten(real_fdopen(fd, mode, *a, **k)))
    with pytest.raises(OSError):
        default_storage.save("attachments/ab/file.pdf", ContentFile(b"x" * 100_000))
    folder = tmp_path / "media"
    assert [p for p in folder.rglob("*") if p.is_file()] == []


def test_the_default_storage_writes_whole_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    name = default_storage.save("attachments/ab/file.pdf", ContentFile(b"y" * 5000))
    assert isinstance(default_storage._wrapped, WholeFileSystemStorage)
    assert default_storage.open(name).read() == b"y" * 5000
    other = default_storage.save("attachments/ab/file.pdf", ContentFile(b"z"))  # never overwrites
    assert other != name and default_storage.open(name).read() == b"y" * 5000
    assert sorted(p.name for p in (tmp_path / "media" / "attachments" / "ab").iterdir()) == sorted(
        [Path(name).name, Path(other).name])


# --- what the operator sees -----------------------------------------------------------------------

@pytest.mark.django_db
def test_healthz_says_degraded_on_the_full_disk(full_media, settings, tmp_path):
    settings.CELERY_BROKER_URL = f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}"
    WorkerHeartbeatFactory()
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded" and body["disk"]["media"]["free_bytes"] < SIZE
    full_media[1].unlink()
    settings.CENTER_MEDIA_MIN_FREE_BYTES = SIZE // 2
    assert Client().get("/healthz").json()["status"] == "ok"
