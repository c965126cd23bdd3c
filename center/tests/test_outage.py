"""A database that cannot be reached: 503 with Retry-After and the outage page (Chinese first,
English on request), the API's JSON error; the 500 page in both languages; /healthz unchanged.

The outage is real: the connection is closed and the settings point where nothing answers (a
SQLite file in a folder that does not exist, a PostgreSQL port where nothing listens), so Django's
own connect raises ``OperationalError`` wherever the request first touches the database."""
import contextlib
import socket

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import path

from center.errors import server_error
import center.urls as site_urls


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # free once the socket closes: nothing listens there


@contextlib.contextmanager
def database_unreachable(tmp_path):
    """Until the block ends, every new connection to the default database is refused."""
    saved_settings = dict(connection.settings_dict)
    # The in-memory SQLite test database ignores close() (it would be lost), so the live
    # connection is set aside and put back; on PostgreSQL it is simply set aside as well.
    saved_connection = connection.connection
    connection.connection = None
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = str(tmp_path / "no-such-folder" / "center.sqlite3")
    else:
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(_closed_port()))
    try:
        yield
    finally:
        if connection.connection is not None:  # not expected: nothing can connect
            connection.connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved_settings)
        connection.connection = saved_connection
        connection.errors_occurred = False


@pytest.fixture
def outage(tmp_path):
    return lambda: database_unreachable(tmp_path)


def _page_client(**headers):
    return Client(raise_request_exception=False, **headers)


def _assert_outage_page(response, *, text):
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.content.decode()
    assert text in body
    assert "site-header" in body  # the site's frame
    assert "Traceback" not in body and "OperationalError" not in body and "Server Error (500)" not in body


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_database_in_a_middleware_answers_503_in_chinese(outage, settings):
    """A signed-in visitor: the session is loaded by the middlewares (the staff time-out asks who
    the user is) before any view runs."""
    settings.CENTER_OUTAGE_RETRY_AFTER_SECONDS = 30
    client = _page_client()
    client.cookies[settings.SESSION_COOKIE_NAME] = "x" * 32
    with outage():
        response = client.get("/notifications/")
    _assert_outage_page(response, text="服务暂时不可用")
    assert "30 秒" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_database_in_a_view_answers_503_in_english_when_asked(outage, settings):
    """An anonymous visitor on a page that reads the database, English by cookie or by header."""
    by_cookie = _page_client()
    by_cookie.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    by_header = _page_client(HTTP_ACCEPT_LANGUAGE="en")
    with outage():
        responses = [by_cookie.get("/verify/JJ-2025-000001/"), by_header.get("/verify/JJ-2025-000001/")]
    for response in responses:
        _assert_outage_page(response, text="Service temporarily unavailable")
        assert "服务暂时不可用" not in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_database_answers_the_api_in_its_json_error_shape(outage):
    client = _page_client(HTTP_AUTHORIZATION="Token " + "a" * 40, HTTP_ACCEPT_LANGUAGE="en")
    with outage():
        response = client.get("/api/v1/departments/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "The service is temporarily unavailable. Please try again later."}
    with outage():
        chinese = _page_client(HTTP_AUTHORIZATION="Token " + "a" * 40).get("/api/v1/departments/")
    assert chinese.status_code == 503 and "暂时不可用" in chinese.json()["detail"]


@pytest.mark.django_db(transaction=True)
def test_healthz_still_reports_the_database_as_json(outage, settings, tmp_path):
    settings.CELERY_BROKER_URL = f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}"
    with outage():
        response = _page_client().get("/healthz")
    assert response.status_code == 503
    assert "Retry-After" not in response
    body = response.json()
    assert body["ok"] is False and body["database"] == {"ok": False, "error": "OperationalError"}


@pytest.mark.django_db(transaction=True)
def test_the_database_is_back_after_the_outage(outage):
    with outage():
        assert _page_client().get("/verify/JJ-2025-000001/").status_code == 503
    assert _page_client().get("/verify/JJ-2025-000001/").status_code in (200, 404)


def _boom(request):
    raise ValueError("a bug")


urlpatterns = [path("boom/", _boom), path("api/boom/", _boom), *site_urls.urlpatterns]
handler500 = site_urls.handler500  # the site's own


@pytest.mark.django_db
@pytest.mark.urls(__name__)
@pytest.mark.parametrize(("language", "text", "other"), [
    ("zh-hans", "抱歉，系统出现错误", "Something went wrong"),
    ("en", "Sorry, something went wrong on our side", "系统出现错误"),
])
def test_a_bug_answers_the_500_page_in_the_visitors_language(language, text, other):
    response = _page_client(HTTP_ACCEPT_LANGUAGE=language).get("/boom/")
    assert response.status_code == 500
    assert "Retry-After" not in response
    body = response.content.decode()
    assert text in body and other not in body
    assert "site-header" in body
    assert "Traceback" not in body and "a bug" not in body


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_bug_in_the_api_answers_json():
    response = _page_client(HTTP_ACCEPT_LANGUAGE="en").get("/api/boom/")
    assert response.status_code == 500
    assert response.json() == {"detail": "A server error occurred."}


@pytest.mark.parametrize(("error", "status"), [(ValueError("a bug"), 500), (OperationalError("down"), 503)])
def test_the_error_pages_render_without_touching_the_database(rf, error, status):
    """This test may not touch the database (pytest-django refuses): had the page tried, it would
    have fallen back to the bare text, without the site's frame."""
    try:
        raise error
    except Exception:  # noqa: BLE001 - as Django calls the handler: inside the except block
        response = server_error(rf.get("/anything/"))
    assert response.status_code == status
    assert "site-header" in response.content.decode()
