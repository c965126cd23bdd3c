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
        self.client.conf.task_default_queue = "default"  # our tasks' queue (CELERY_TASK_DEFAULT_QUEUE)

    def start(self, *arguments):
        if not self.processes:
            # As ./run does: the queues exist before the worker and beat race to declare them.
            subprocess.run([sys.executable, "manage.py", "prepare_broker"], cwd=ROOT, env=self.env, check=True,
                           capture_output=True)
        log = Path(self.env["CENTER_VAR_DIR"]) / f"process-{len(self.processes)}.log"
        with open(log, "w") as handle:
            process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "center", *arguments, "--loglevel=INFO"],
                cwd=ROOT, env=self.env, stdout=handle, stderr=subprocess.STDOUT, text=True,
            )
        process.log = log
        self.processes.append(process)
        return process

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            print(process.log.read_text())  # shown by pytest when a test fails


@pytest.fixture
def stack(tmp_path):
    celery_stack = Stack(tmp_path)
    yield celery_stack
    celery_stack.stop()


WORKER = ("worker", "-Q", ",".join(settings.CENTER_CELERY_QUEUES), "--pool=solo", "--without-gossip", "--without-mingle",
          "--without-heartbeat")


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


def _output(process) -> str:
    return process.log.read_text()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_only_one_beat_sends_the_schedule_and_a_standby_takes_over(stack):
    """Two beats (as on two hosts, each with its own schedule file): the second stands by and sends
    nothing while the first lives; when the first is killed, the second takes the lock and sends."""
    var = Path(stack.env["CENTER_VAR_DIR"])
    first = stack.start("beat", "--schedule", str(var / "first-schedule"))
    assert _wait_for(lambda: "Sending due task heartbeat" in _output(first)), _output(first)
    second = stack.start("beat", "--schedule", str(var / "second-schedule"))
    assert _wait_for(lambda: "standing by" in _output(second)), _output(second)
    time.sleep(4)  # four heartbeat intervals
    assert "Sending due task" not in _output(second)
    assert _output(first).count("Sending due task heartbeat") >= 3
    assert not (var / "second-schedule").exists() and not list(var.glob("second-schedule.*"))

    first.kill()  # SIGKILL: no clean release; the lock goes with the process (or its connection)
    first.wait()
    assert _wait_for(lambda: "beat lock taken" in _output(second), seconds=30), _output(second)
    assert _wait_for(lambda: "Sending due task heartbeat" in _output(second), seconds=30), _output(second)


@pytest.mark.django_db(transaction=True)
def test_the_beat_lock_is_exclusive_within_one_machine_and_released(tmp_path, settings):
    from center.beat import beat_lock

    settings.VAR_DIR = tmp_path
    one, two = beat_lock(), beat_lock()
    assert one.acquire() and one.held()
    assert not two.acquire() and not two.held()
    one.release()
    assert not one.held()
    assert two.acquire() and two.held()
    two.release()
