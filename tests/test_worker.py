"""A real Celery worker (and beat) on the embedded broker executes our tasks: no mocks, no eager mode."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection

from center.models import WorkerHeartbeat

ROOT = Path(__file__).resolve().parent.parent


def _database_url() -> str:
    """The URL of the test database, so that the worker process writes where the test reads."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Stack:
    """Celery processes started as the Procfile starts them, on a broker in a temporary folder."""

    def __init__(self, tmp_path):
        self.broker = f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}"
        self.backend = f"db+sqlite:///{tmp_path / 'results.sqlite3'}"
        self.env = {
            **os.environ,
            "CENTER_VAR_DIR": str(tmp_path),
            "CELERY_BROKER_URL": self.broker,
            "CELERY_RESULT_BACKEND": self.backend,
            "DATABASE_URL": _database_url(),
            "SECRET_KEY": settings.SECRET_KEY,
            "CENTER_HEARTBEAT_SECONDS": "1",
        }
        self.processes = []
        self.client = Celery("test-client", broker=self.broker, backend=self.backend)

    def start(self, *arguments):
        if not self.processes:
            # As ./run does: the queues exist before the worker and beat race to declare them.
            subprocess.run([sys.executable, "manage.py", "prepare_broker"], cwd=ROOT, env=self.env, check=True,
                           capture_output=True)
        self.processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "center", *arguments, "--loglevel=INFO"],
                cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            )
        )

    def stop(self):
        for process in self.processes:
            process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                output, _ = process.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                output, _ = process.communicate()
            print(output)  # shown by pytest when a test fails


@pytest.fixture
def stack(tmp_path):
    celery_stack = Stack(tmp_path)
    yield celery_stack
    celery_stack.stop()


WORKER = ("worker", "--pool=solo", "--without-gossip", "--without-mingle", "--without-heartbeat")


def _wait_for(predicate, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


@pytest.mark.worker
def test_worker_executes_a_task_and_returns_its_result(stack):
    stack.start(*WORKER)
    result = stack.client.send_task("center.tasks.ping", args=["你好"])
    assert result.get(timeout=60) == {"pong": "你好"}


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_beat_schedules_the_heartbeat_and_the_worker_records_it(stack):
    assert not WorkerHeartbeat.objects.exists()
    stack.start(*WORKER)
    stack.start("beat", "--schedule", str(Path(stack.env["CENTER_VAR_DIR"]) / "beat-schedule"))
    assert _wait_for(WorkerHeartbeat.objects.exists), "no heartbeat recorded within 60 s"
    first = WorkerHeartbeat.objects.get().last_seen
    assert _wait_for(lambda: WorkerHeartbeat.objects.get().last_seen > first), "the heartbeat did not repeat"
    assert WorkerHeartbeat.objects.count() == 1
