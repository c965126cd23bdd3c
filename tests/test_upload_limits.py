"""Issue 17, finding 3: uploads cannot fill the disk or a worker's memory.

Each test reproduces one way of the assessment's attack (many files stashed after a form error, the
stash never purged, no body limit, a big file read whole before the size check) and failed before
the fix. The stash folder is the test's own (``MEDIA_ROOT`` in a temporary folder, conftest.py).
"""
from __future__ import annotations

import io
import os
import re
import runpy
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http.multipartparser import MultiPartParser
from django.test import Client, RequestFactory
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from core.upload_limits import BodySizeLimit, PerFileCap
from workorders import tasks, upload_stash
from workorders.models import Attachment, ServiceRequest
from workorders.services.stash import purge_expired_stash
from workorders.tests import samples

ROOT = Path(__file__).resolve().parents[1]
CHUNK = 64 * 1024


@pytest.fixture(autouse=True)
def _language_restored():
    """The English client below leaves English active in this thread (LocaleMiddleware does not
    undo it); later tests that compare labels expect the default language again."""
    language = translation.get_language()
    yield
    translation.activate(language)


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")  # the messages below are matched in English
    client.force_login(user)
    return client


def _pdf(name: str, size: int) -> SimpleUploadedFile:
    body = samples.pdf()
    return SimpleUploadedFile(name, body + b"0" * (size - len(body)), content_type="application/pdf")


def _stash_bytes() -> int:
    folder = Path(django_settings.MEDIA_ROOT) / "stash"
    return sum(path.stat().st_size for path in folder.rglob("*.bin")) if folder.exists() else 0


def _stash_files() -> list[Path]:
    folder = Path(django_settings.MEDIA_ROOT) / "stash"
    return [path for path in folder.rglob("*") if path.is_file() and path.name != ".lock"] if folder.exists() else []


def _too_short(world, **overrides):
    """The assessment's form: a description the service refuses as too short."""
    data = {"kind": "blocker", "project": world.project_a.pk, "title": "道路未开通", "description": "太短",
            "submission_token": "tok-" + "y" * 30}
    data.update(overrides)
    return data


# --- count and total, before stashing ------------------------------------------------------------

@pytest.mark.django_db
def test_sixty_files_after_a_form_error_stash_no_more_than_the_limits(world):
    files = [_pdf(f"附件{n}.pdf", 2000) for n in range(60)]
    response = _client(world.user_a).post("/requests/new/", {**_too_short(world), "attachments": files})
    assert response.status_code == 200
    assert "description" in response.context["form"].errors
    errors = response.context["file_errors"]
    assert any(f"At most {django_settings.CENTER_UPLOAD_MAX_FILES} files" in message for message in errors), errors
    kept = response.context["kept"]
    assert len(kept) <= django_settings.CENTER_UPLOAD_MAX_FILES
    assert _stash_bytes() <= django_settings.CENTER_UPLOAD_MAX_FILES * 2000
    page = response.content.decode()
    assert "道路未开通" in page and 'id="field-attachments"' in page  # what was typed, the message at the field
    assert not ServiceRequest.objects.filter(submission_token=_too_short(world)["submission_token"]).exists()


@pytest.mark.django_db
def test_the_total_cap_applies_before_stashing(world, settings):
    settings.CENTER_UPLOAD_MAX_REQUEST_BYTES = 5000
    files = [_pdf(f"图{n}.pdf", 2000) for n in range(4)]
    response = _client(world.user_a).post("/requests/new/", {**_too_short(world), "attachments": files})
    assert response.status_code == 200
    assert sum(item["size"] for item in response.context["kept"]) <= 5000
    assert _stash_bytes() <= 5000
    assert any("together are larger than" in message for message in response.context["file_errors"])


@pytest.mark.django_db
def test_kept_files_count_towards_the_limits_of_the_retry(world, settings):
    settings.CENTER_UPLOAD_MAX_FILES = 3
    client = _client(world.user_a)
    first = client.post("/requests/new/", {**_too_short(world), "attachments": [_pdf(f"a{n}.pdf", 1000) for n in range(3)]})
    tokens = [item["token"] for item in first.context["kept"]]
    assert len(tokens) == 3
    second = client.post("/requests/new/", {**_too_short(world), "kept": tokens,
                                             "attachments": [_pdf(f"b{n}.pdf", 1000) for n in range(3)]})
    assert [item["token"] for item in second.context["kept"]] == tokens
    assert _stash_bytes() == 3000


@pytest.mark.django_db
def test_the_material_answer_counts_the_files_the_request_already_has(world, settings):
    from workorders.services import request_material

    request_material(actor=world.officer_a, assignment=world.assignment_a, text="请补充材料")
    already = world.attachment_a.size
    settings.CENTER_UPLOAD_MAX_REQUEST_BYTES = already + 3000
    url = f"/requests/{world.request_a.tracking_number}/material/{world.assignment_a.pk}/"
    # An empty answer is refused only when there are no files: make the service refuse the total instead.
    response = _client(world.user_a).post(url, {"text": "材料", "attachments": [_pdf(f"m{n}.pdf", 2000) for n in range(3)]})
    assert response.status_code == 400
    assert _stash_bytes() <= 3000


# --- per-account quota ---------------------------------------------------------------------------

@pytest.mark.django_db
def test_one_account_cannot_stash_past_its_quota_by_posting_again(world, settings):
    settings.CENTER_UPLOAD_MAX_REQUEST_BYTES = 5000
    settings.CENTER_UPLOAD_STASH_QUOTA_BYTES = 9000
    client = _client(world.user_a)
    for attempt in range(5):
        response = client.post("/requests/new/", {**_too_short(world, title=f"第{attempt}次"),
                                                   "attachments": [_pdf(f"p{attempt}-{n}.pdf", 2000) for n in range(2)]})
        assert response.status_code == 200
        assert _stash_bytes() <= 9000
    assert _stash_bytes() == 8000  # two attempts' worth fit in the quota, the third's did not
    errors = response.context["file_errors"]
    assert any("Attach them again" in message for message in errors), errors
    assert response.context["kept"] == []
    assert "第4次" in response.content.decode()  # what was typed is still there
    # The quota is the account's: another enterprise's account still gets its files kept.
    other = _client(world.user_b).post("/requests/new/", {**_too_short(world, project=world.project_b.pk),
                                                           "attachments": [_pdf("b.pdf", 2000)]})
    assert len(other.context["kept"]) == 1


def test_the_quota_check_and_the_write_happen_under_one_lock(db, settings):
    """Two stashes by one account cannot both pass the check: the second sees the first's bytes."""
    from projects.tests.factories import EnterpriseUserFactory

    settings.CENTER_UPLOAD_STASH_QUOTA_BYTES = 3000
    user = EnterpriseUserFactory()
    upload_stash.stash(user=user, name="a.pdf", content=b"%PDF-" + b"0" * 1995)
    with pytest.raises(upload_stash.StashFull):
        upload_stash.stash(user=user, name="b.pdf", content=b"%PDF-" + b"0" * 1995)
    assert upload_stash.usage(user=user) == 2000


def test_a_failed_stash_write_leaves_no_partial_file(db, monkeypatch):
    from projects.tests.factories import EnterpriseUserFactory

    user = EnterpriseUserFactory()

    class HalfWritten:
        """A file that fills the disk half way through the write."""

        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, data):
            self.handle.write(data[: len(data) // 2])
            self.handle.flush()
            raise OSError(28, "No space left on device")

        def __getattr__(self, name):
            return getattr(self.handle, name)

    real_open = open

    def failing_open(path, mode="r", *args, **kwargs):
        handle = real_open(path, mode, *args, **kwargs)
        return HalfWritten(handle) if "w" in mode else handle

    monkeypatch.setattr(upload_stash, "open", failing_open, raising=False)
    with pytest.raises(OSError):
        upload_stash.stash(user=user, name="a.pdf", content=samples.pdf() * 100)
    assert _stash_files() == []


@pytest.mark.django_db
def test_a_failed_stash_write_tells_the_person_to_attach_again(world, monkeypatch):
    def disk_full(**kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(upload_stash, "stash", disk_full)
    response = _client(world.user_a).post("/requests/new/", {**_too_short(world), "attachments": [_pdf("a.pdf", 2000)]})
    assert response.status_code == 200
    assert response.context["kept"] == []
    assert any("again" in message for message in response.context["file_errors"])


# --- the per-file cap: an upload handler stops storing past it -----------------------------------

def _parse(body: bytes, request_meta: dict):
    factory_request = RequestFactory().generic("POST", "/", b"", content_type=MULTIPART_CONTENT)
    handlers = [PerFileCap(factory_request), MemoryFileUploadHandler(factory_request),
                TemporaryFileUploadHandler(factory_request)]
    meta = {**factory_request.META, **request_meta, "CONTENT_TYPE": MULTIPART_CONTENT, "CONTENT_LENGTH": str(len(body))}
    return MultiPartParser(meta, io.BytesIO(body), handlers).parse(), handlers


def test_the_handler_stores_at_most_the_cap_plus_one_chunk(settings):
    settings.CENTER_UPLOAD_MAX_FILE_BYTES = 100_000
    big = b"%PDF-" + os.urandom(2_000_000)
    body = encode_multipart(BOUNDARY, {"title": "标题", "attachments": SimpleUploadedFile("big.pdf", big),
                                       "after": "还在"})
    (post, files), handlers = _parse(body, {})
    [stored] = files.getlist("attachments")
    assert 100_000 < stored.size <= 100_000 + CHUNK
    assert post["title"] == "标题" and post["after"] == "还在"  # the fields around the file survive
    assert handlers[0].received_past_cap > 0  # it saw the rest go by without keeping it


def test_the_handler_leaves_files_under_the_cap_whole(settings):
    settings.CENTER_UPLOAD_MAX_FILE_BYTES = 100_000
    small = samples.pdf() + b"0" * 90_000
    body = encode_multipart(BOUNDARY, {"attachments": [SimpleUploadedFile("a.pdf", small), SimpleUploadedFile("b.pdf", small)]})
    (_post, files), _handlers = _parse(body, {})
    assert [upload.read() for upload in files.getlist("attachments")] == [small, small]


def test_the_handler_is_installed_for_every_request():
    assert django_settings.FILE_UPLOAD_HANDLERS[0] == "core.upload_limits.PerFileCap"


@pytest.mark.django_db
def test_a_file_over_the_cap_is_not_read_whole_through_the_form(world, settings, monkeypatch):
    settings.CENTER_UPLOAD_MAX_FILE_BYTES = 100_000
    received = []
    for handler_class in (MemoryFileUploadHandler, TemporaryFileUploadHandler):
        original = handler_class.receive_data_chunk

        def counting(self, raw_data, start, original=original):
            received.append(len(raw_data))
            return original(self, raw_data, start)

        monkeypatch.setattr(handler_class, "receive_data_chunk", counting)
    data = {"kind": "blocker", "project": world.project_a.pk, "title": "大文件", "description": "道路未开通，影响竣工验收。",
            "submission_token": "tok-" + "z" * 30, "attachments": [_pdf("大.pdf", 3_000_000)]}
    response = _client(world.user_a).post("/requests/new/", data)
    assert response.status_code == 200
    assert any("大.pdf" in message and "larger than" in message for message in response.context["file_errors"])
    assert sum(received) <= 100_000 + CHUNK
    assert _stash_bytes() == 0 and not Attachment.objects.filter(original_name="大.pdf").exists()


@pytest.mark.django_db
def test_a_file_over_the_cap_is_not_read_whole_through_the_api(world, settings, monkeypatch):
    from api.models import ApiClient
    from rest_framework.test import APIClient

    settings.CENTER_UPLOAD_MAX_FILE_BYTES = 100_000
    received = []
    original = MemoryFileUploadHandler.receive_data_chunk
    monkeypatch.setattr(MemoryFileUploadHandler, "receive_data_chunk",
                        lambda self, raw_data, start: received.append(len(raw_data)) or original(self, raw_data, start))
    account = ApiClient(name="erp", user=world.user_a, scope="write")
    token = account.issue_token()
    account.save()
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    body = {"project": world.project_a.pk, "kind": "blocker", "title": "接口大文件", "description": "道路未开通，影响竣工验收。",
            "files": [_pdf("大.pdf", 1_000_000)]}
    response = api.post("/api/v1/requests/", body, format="multipart")
    assert response.status_code == 400
    assert any("larger than" in message for message in response.json()["attachments"])
    assert 100_000 < sum(received) <= 100_000 + CHUNK
    assert not ServiceRequest.objects.filter(title="接口大文件").exists()


# --- the body cap, checked on Content-Length before anything reads the body ----------------------

class Untouchable(io.BytesIO):
    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def test_a_body_over_the_cap_is_refused_before_it_is_read(settings):
    settings.CENTER_UPLOAD_MAX_BODY_BYTES = 1000
    request = RequestFactory().generic("POST", "/requests/new/", content_type=MULTIPART_CONTENT)
    request.META["CONTENT_LENGTH"] = "5000"
    request.META["wsgi.input"] = Untouchable()
    request._stream = Untouchable()
    reached = []
    response = BodySizeLimit(lambda request: reached.append(request))(request)
    assert response.status_code == 413 and reached == []


def test_a_body_under_the_cap_goes_through(settings):
    settings.CENTER_UPLOAD_MAX_BODY_BYTES = 1000
    request = RequestFactory().post("/requests/new/", data=b"x" * 500, content_type="application/octet-stream")
    reached = []
    BodySizeLimit(lambda request: reached.append(request) or "answer")(request)
    assert reached == [request]


@pytest.mark.django_db
def test_a_body_over_the_cap_gets_a_page_that_says_what_to_do(world, settings):
    settings.CENTER_UPLOAD_MAX_BODY_BYTES = 200_000
    data = {**_too_short(world), "attachments": [_pdf("a.pdf", 150_000), _pdf("b.pdf", 150_000)]}
    response = _client(world.user_a).post("/requests/new/", data)
    assert response.status_code == 413
    assert [template.name for template in response.templates][0] == "413.html"
    with translation.override("zh-hans"):
        assert filesizeformat(200_000) in response.content.decode()  # the limit, in the person's units
    assert _stash_bytes() == 0


@pytest.mark.django_db
def test_an_api_body_over_the_cap_gets_json(world, settings):
    settings.CENTER_UPLOAD_MAX_BODY_BYTES = 1000
    response = Client().post("/api/v1/requests/", data=b"{" + b" " * 5000 + b"}", content_type="application/json")
    assert response.status_code == 413 and response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()


def test_the_body_cap_leaves_room_for_the_files_and_the_form():
    assert django_settings.CENTER_UPLOAD_MAX_BODY_BYTES > django_settings.CENTER_UPLOAD_MAX_REQUEST_BYTES
    assert django_settings.CENTER_UPLOAD_MAX_REQUEST_BYTES >= django_settings.CENTER_UPLOAD_MAX_FILE_BYTES


# --- DATA_UPLOAD_MAX_NUMBER_FILES ---------------------------------------------------------------

def test_django_refuses_a_flood_of_files_consistently_with_the_product_limit():
    """Up to ten times the limit, the form answers with its own message beside the field (what was
    typed kept); beyond that Django refuses the request before handling more files."""
    assert django_settings.DATA_UPLOAD_MAX_NUMBER_FILES == 10 * django_settings.CENTER_UPLOAD_MAX_FILES


def test_files_past_the_count_are_not_kept_by_the_handler(settings):
    settings.CENTER_UPLOAD_MAX_FILES = 2
    content = samples.pdf() + b"0" * 1000
    body = encode_multipart(BOUNDARY, {"attachments": [SimpleUploadedFile(f"{n}.pdf", content) for n in range(4)]})
    (_post, files), _handlers = _parse(body, {})
    assert [upload.size for upload in files.getlist("attachments")] == [len(content), len(content), 0, 0]


@pytest.mark.django_db
def test_one_file_too_many_gets_the_forms_message(world):
    count = django_settings.CENTER_UPLOAD_MAX_FILES + 1
    data = {"kind": "blocker", "project": world.project_a.pk, "title": "多个文件", "description": "道路未开通，影响竣工验收。",
            "submission_token": "tok-" + "m" * 30, "attachments": [_pdf(f"f{n}.pdf", 1000) for n in range(count)]}
    response = _client(world.user_a).post("/requests/new/", data)
    assert response.status_code == 200
    assert any("At most" in message for message in response.context["file_errors"])
    assert len(response.context["kept"]) <= django_settings.CENTER_UPLOAD_MAX_FILES


@pytest.mark.django_db
def test_a_flood_of_files_is_refused_by_django(world):
    count = django_settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1
    data = {**_too_short(world), "attachments": [_pdf(f"f{n}.pdf", 100) for n in range(count)]}
    response = _client(world.user_a).post("/requests/new/", data)
    assert response.status_code == 400
    assert _stash_bytes() == 0


# --- purging the stash ---------------------------------------------------------------------------

def _age(entry: dict, user, hours: float) -> None:
    then = time.time() - hours * 3600
    for path in (Path(django_settings.MEDIA_ROOT) / "stash").rglob(f"{entry['token']}.*"):
        os.utime(path, (then, then))


def test_the_purge_deletes_expired_entries_and_leaves_fresh_ones(db, settings):
    from projects.tests.factories import EnterpriseUserFactory

    settings.CENTER_UPLOAD_STASH_HOURS = 24
    user = EnterpriseUserFactory()
    old = upload_stash.stash(user=user, name="old.pdf", content=samples.pdf())
    fresh = upload_stash.stash(user=user, name="fresh.pdf", content=samples.pdf())
    _age(old, user, 25)
    _age(fresh, user, 23)
    assert purge_expired_stash() == 1
    assert upload_stash.describe(user=user, token=old["token"]) is None
    assert upload_stash.load(user=user, token=fresh["token"]) == ("fresh.pdf", samples.pdf())
    assert len([path for path in _stash_files() if old["token"] in path.name]) == 0
    assert purge_expired_stash() == 0


def test_an_expired_entry_is_not_used_even_before_the_purge(db, settings):
    from projects.tests.factories import EnterpriseUserFactory

    user = EnterpriseUserFactory()
    entry = upload_stash.stash(user=user, name="old.pdf", content=samples.pdf())
    _age(entry, user, settings.CENTER_UPLOAD_STASH_HOURS + 1)
    assert upload_stash.describe(user=user, token=entry["token"]) is None


def test_the_purge_also_clears_the_old_flat_layout_and_leftover_temporary_files(settings):
    folder = Path(settings.MEDIA_ROOT) / "stash"
    folder.mkdir(parents=True)
    leftovers = [folder / "abcdefghijklmnopqrstuvwx.bin", folder / "abcdefghijklmnopqrstuvwx.json", folder / "7" / ".x.bin.tmp"]
    for path in leftovers:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
        then = time.time() - 48 * 3600
        os.utime(path, (then, then))
    assert purge_expired_stash() == 1  # one stashed file; the leftover of a broken write goes too
    assert not any(path.exists() for path in leftovers)


def test_the_purge_task_calls_the_service(monkeypatch):
    monkeypatch.setattr(tasks, "purge_expired_stash", lambda: 7)
    assert tasks.purge_upload_stash() == 7


def test_the_purge_is_in_the_beat_schedule():
    entries = [entry for entry in django_settings.CELERY_BEAT_SCHEDULE.values()
               if entry["task"] == "workorders.tasks.purge_upload_stash"]
    assert len(entries) == 1
    assert entries[0]["schedule"] <= django_settings.CENTER_UPLOAD_STASH_HOURS * 3600 / 4
    assert tasks.purge_upload_stash.name == "workorders.tasks.purge_upload_stash"


# --- deploy/: nginx and gunicorn agree with the settings ----------------------------------------

_UNITS = {"": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}


def _nginx_size(text: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kmg]?)", text.strip().lower()).groups()
    return int(number) * _UNITS[unit]


def test_nginx_refuses_the_same_body_size_as_the_application():
    conf = (ROOT / "deploy" / "nginx" / "center.conf").read_text()
    sizes = re.findall(r"^\s*client_max_body_size\s+(\S+);", conf, flags=re.MULTILINE)
    assert sizes, "client_max_body_size is not set"
    assert {_nginx_size(size) for size in sizes} == {django_settings.CENTER_UPLOAD_MAX_BODY_BYTES}


def test_gunicorn_limits_the_headers_as_nginx_does(monkeypatch):
    """gunicorn limits only the request line and the headers (it has no body limit: nginx and the
    application limit the body). Its limits are nginx's header buffer, less the line end."""
    for name in list(os.environ):
        if name.startswith("GUNICORN_"):
            monkeypatch.delenv(name)
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    conf = (ROOT / "deploy" / "nginx" / "center.conf").read_text()
    count, size = re.search(r"^\s*large_client_header_buffers\s+(\d+)\s+(\S+);", conf, flags=re.MULTILINE).groups()
    buffer = _nginx_size(size)
    assert config["limit_request_line"] == buffer - 2
    assert config["limit_request_field_size"] == buffer - 2
    assert config["limit_request_fields"] >= int(count)
