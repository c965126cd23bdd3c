"""The load test's people (locust): enterprises submitting requests with an attachment and reading
their timelines, officers listing their desk and replying, other systems listing through the API.

Enterprises and officers start signed in (STACK_SESSIONS: session cookies the stack test made by
logging in once per account), as people who signed in this morning: 50 sign-ins in the first
seconds, each a deliberately slow password hash, would measure a burst that does not happen. Two
more users sign in through the login form over and over, so that sign-in stays in the mix.

Run by ``python -m stacktest``; alone: ``locust -f stacktest/locustfile.py --headless -u 50 -r 10
-t 60s --host http://127.0.0.1:8000`` with STACK_ENTERPRISES, STACK_OFFICERS, STACK_API_TOKEN and
STACK_SAMPLE_PDF set (the stack test sets them; without STACK_SESSIONS each user logs in first).
"""
import itertools
import json
import os
import random
from pathlib import Path

from locust import HttpUser, between, task

from stacktest.web import links, log_in, submit

ENTERPRISES = itertools.cycle(os.environ.get("STACK_ENTERPRISES", "lets,minhong,tiancheng").split(","))
OFFICERS = itertools.cycle(os.environ.get("STACK_OFFICERS", "officer_jt,officer_jw,officer_jj,officer_tc").split(","))
TOKEN = os.environ.get("STACK_API_TOKEN", "")
PDF = Path(os.environ["STACK_SAMPLE_PDF"]).read_bytes() if os.environ.get("STACK_SAMPLE_PDF") else b"%PDF-1.4\n%%EOF\n"
SESSIONS = json.loads(Path(os.environ["STACK_SESSIONS"]).read_text()) if os.environ.get("STACK_SESSIONS") else {}


def signed_in(user: HttpUser, username: str) -> None:
    """Use the account's session made before the test, or log in when there is none."""
    cookies = SESSIONS.get(username)
    if not cookies:
        log_in(user.client, user.host, username)
        return
    for name, value in cookies.items():
        user.client.cookies.set(name, value)


class Enterprise(HttpUser):
    weight = 4
    wait_time = between(0.5, 2)

    def on_start(self):
        signed_in(self, next(ENTERPRISES))
        self.timelines = []

    @task(3)
    def my_requests(self):
        page = self.client.get("/requests/", name="enterprise: my requests")
        self.timelines = links(page.text, r"/requests/BS\d{16}/") or self.timelines

    @task(4)
    def timeline(self):
        if not self.timelines:
            return self.my_requests()
        self.client.get(random.choice(self.timelines), name="enterprise: timeline")

    @task(1)
    def submit_request(self):
        submit(self.client, self.host, "/requests/new/", form_id="request-form", name="enterprise: submit",
               data={"kind": "blocker", "title": "负载测试：道路未通", "description": "负载测试提交的诉求，附现场照片。"},
               files={"attachments": ("现场照片.pdf", PDF, "application/pdf")})


class Officer(HttpUser):
    weight = 4
    wait_time = between(0.5, 2)

    def on_start(self):
        signed_in(self, next(OFFICERS))
        self.assignments = []

    @task(4)
    def desk(self):
        page = self.client.get("/desk/", name="officer: desk list")
        self.assignments = links(page.text, r"/desk/assignments/\d+/") or self.assignments

    @task(1)
    def reply(self):
        if not self.assignments:
            return self.desk()
        submit(self.client, self.host, random.choice(self.assignments), form_id="reply-form", name="officer: reply",
               data={"reply-text": "负载测试答复：已收到，正在办理。"})


class ApiClient(HttpUser):
    weight = 2
    wait_time = between(0.5, 2)

    def on_start(self):
        self.client.headers["Authorization"] = f"Token {TOKEN}"

    @task(2)
    def requests(self):
        self.client.get("/api/v1/requests/?page_size=50", name="api: list requests")

    @task(1)
    def assignments(self):
        self.client.get("/api/v1/assignments/?page_size=50", name="api: list assignments")


class SigningIn(HttpUser):
    """Someone arriving: the login form, their list of requests, then the browser is closed."""
    fixed_count = 2
    wait_time = between(3, 6)

    @task
    def sign_in(self):
        self.client.cookies.clear()
        log_in(self.client, self.host, next(ENTERPRISES))
        self.client.get("/requests/", name="enterprise: my requests")
