"""A small HTTP client that fills in and posts the site's own forms, as a browser would: it reads a
page's form (hidden fields, the CSRF token, the selected options), changes the named fields and
posts it to the form's action."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin

import requests

DEMO_PASSWORD = "demo-pass-2026"


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form = None
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"id": a.get("id"), "action": a.get("action") or "", "method": (a.get("method") or "get").lower(),
                          "fields": []}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("file", "submit", "button", "image", "reset"):
                self._form["fields"].append([a["name"], a.get("value", "on" if kind in ("checkbox", "radio") else "")])
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]
            self._form["fields"].append(self._textarea)
        elif tag == "select" and a.get("name"):
            self._select = {"name": a["name"], "first": None, "chosen": None}
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select["first"] is None and value:
                self._select["first"] = value  # the first real choice, as a person would pick one
            if "selected" in a:
                self._select["chosen"] = value

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select is not None and self._form is not None:
            chosen = self._select["chosen"] if self._select["chosen"] is not None else self._select["first"]
            if chosen is not None:
                self._form["fields"].append([self._select["name"], chosen])
            self._select = None
        elif tag == "form":
            self._form = None


def forms_in(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


class FormError(AssertionError):
    pass


def submit(session: requests.Session, base: str, path: str, *, form_id: str | None = None, field: str | None = None,
           data: dict | None = None, files: dict | None = None, name: str | None = None, expect: int = 302,
           **request_options):
    """GET ``path``, take the form with ``form_id`` (or the first one holding ``field``), set ``data``
    over its own values and POST it (with ``files``) without following the redirect. Under locust, an
    answer other than ``expect`` counts as a failed request."""
    named = {"name": f"{name} (form)"} if name and _is_locust(session) else {}
    page = session.get(urljoin(base, path), **named, **request_options)
    if page.status_code != 200:
        raise FormError(f"GET {path}: HTTP {page.status_code}")
    candidates = [f for f in forms_in(page.text) if f["method"] == "post"]
    form = next((f for f in candidates if (form_id and f["id"] == form_id)
                 or (field and any(k == field for k, _ in f["fields"]))), None)
    if form is None:
        raise FormError(f"no form {form_id or field!r} on {path}")
    values = {}
    for key, value in form["fields"]:
        values.setdefault(key, value)
    values.update(data or {})
    target = urljoin(page.url, form["action"] or page.url)
    if not _is_locust(session):
        return session.post(target, data=values, files=files, allow_redirects=False, **request_options)
    with session.post(target, data=values, files=files, allow_redirects=False, name=name, catch_response=True,
                      **request_options) as response:
        if response.status_code != expect:
            response.failure(f"HTTP {response.status_code}, wanted {expect}")
        return response


def _is_locust(session) -> bool:
    return type(session).__module__.startswith("locust")


def log_in(session, base: str, username: str, password: str = DEMO_PASSWORD, **options):
    response = submit(session, base, "/accounts/login/", field="username",
                      data={"username": username, "password": password}, name="log in", **options)
    if response.status_code != 302:
        raise FormError(f"log in as {username}: HTTP {response.status_code}")
    return response


def links(html: str, pattern: str) -> list[str]:
    """The distinct hrefs on a page that match ``pattern`` (a regular expression), in page order."""
    found = re.findall(r'href="(' + pattern + r')"', html)
    return list(dict.fromkeys(found))
