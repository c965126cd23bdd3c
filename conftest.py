import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files of a test go to a temporary folder, never into var/."""
    settings.MEDIA_ROOT = tmp_path / "uploads"


@pytest.fixture(autouse=True)
def _similarity_index_in_tmp(settings, tmp_path):
    """The similar-case index of a test (rebuilt when a model case is marked, or by the demo) is
    written to and read from a temporary file, never var/'s; no index loaded by an earlier test is
    kept."""
    from workorders import similarity

    settings.CENTER_SIMILARITY_INDEX_PATH = str(tmp_path / "model-case-index.joblib")
    similarity._loaded.update(mtime=None, index=None)


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    skip = pytest.mark.skip(reason="needs PostgreSQL (run with DATABASE_URL=postgres://...)")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create many users; a fast hasher keeps them quick (production keeps Django's default)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _stamp_keys_in_tmp(settings, tmp_path):
    """Each test signs with its own key folder (generated on first use), never var/'s."""
    from workorders import signing

    settings.CENTER_STAMP_KEY_DIR = str(tmp_path / "stamp-keys")
    settings.CENTER_STAMP_GENERATE_KEYS = True
    signing.reset_cache()
    yield
    signing.reset_cache()


@pytest.fixture(autouse=True)
def _fresh_cache(settings, tmp_path):
    """Each test has its own empty cache (the rate limits', the API throttles' and the sessions'
    counts start at zero), in the embedded store the processes of a real set-up share, never var/'s."""
    settings.CACHES = {"default": {"BACKEND": "core.sqlite_cache.SQLiteCache", "LOCATION": str(tmp_path / "cache.sqlite3")}}


@pytest.fixture(autouse=True)
def _steady_rate_clock(monkeypatch):
    """The rate limits' and throttles' windows are aligned to the clock; in a test the clock stands
    one second into a day (so into a minute and an hour too), so that no window ends halfway
    through a test's requests."""
    from core import ratelimit

    monkeypatch.setattr(ratelimit, "clock", lambda: 86400.0 * 20_833 + 1)  # 2027-01-15 00:00:01 UTC


@pytest.fixture
def api_unthrottled(settings):
    """For a test that walks every route, or fuzzes the API, as one user within one window: the API
    throttles (tested in api/tests/test_limits.py) would answer 429 before the rule under test."""
    settings.CENTER_API_RATE_PER_TOKEN = settings.CENTER_API_RATE_PER_USER = "1000000/minute"


@pytest.fixture
def queued_emails(monkeypatch):
    """The outbox's send task runs as a worker would, at once, each time it is queued; the list
    counts the times. With ``django_capture_on_commit_callbacks(execute=True)`` a test sees the
    e-mails leave after the commit."""
    from notifications import tasks

    queued = []

    def apply_async(*args, **kwargs):  # queued by name, as a signature
        queued.append(True)
        tasks.send_pending_emails()  # in this process, as the worker would (no result backend)

    monkeypatch.setattr(tasks.send_pending_emails, "apply_async", apply_async)
    return queued


@pytest.fixture
def world(db):
    """Two enterprises, two departments, staff and a leader (tests/world.py)."""
    from tests.world import build_world

    return build_world()


@pytest.fixture
def rich_world(world):
    """The world plus a stamp, a commitment, an agenda item, a model case and a department's pending
    request to the center, so that every route has a real object to aim at."""
    from center.models import AgendaItem
    from workorders.tests.factories import ApprovalFactory, CommitmentFactory, DepartmentAskFactory, ModelCaseFactory

    world.approval = ApprovalFactory(assignment=world.assignment_a, serial="JT-2026-000001")
    world.commitment = CommitmentFactory(request=world.request_a, department=world.dept_a, approval=world.approval)
    world.item = AgendaItem.objects.create(session=world.session, kind="other", title="x", department=world.dept_a,
                                           position=1)
    world.case = ModelCaseFactory(work_order=world.assignment_b.work_order)
    world.ask = DepartmentAskFactory(assignment=world.assignment_b)
    return world
