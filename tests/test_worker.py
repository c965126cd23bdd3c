"""A real Celery worker (and beat) on the embedded broker executes our tasks: no mocks, no eager mode."""
import datetime
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection
from django.utils import timezone

from center.models import PeriodicRun, WorkerHeartbeat

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


def _sweep():
    return PeriodicRun.objects.filter(name="sla-sweep").first()


def _wait_for_sweep_count(count, seconds):
    _wait_for(lambda: _sweep() is not None and _sweep().run_count >= count, seconds=seconds)
    return _sweep()


def _when_seen(process, text, seconds=60):
    """The moment ``text`` first appears in the process's log (polled every 0.2 s), or None."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if text in _output(process):
            return timezone.now()
        time.sleep(0.2)
    return None


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_beat_that_takes_over_sends_the_overdue_sweep_at_once_and_never_twice_in_a_round(stack):
    """Issue 25, part 5. The sweep every 10 s. Beat A sends it and is killed (-9) mid-interval;
    B starts once the round is overdue: B sends the sweep within a few seconds of taking the lock
    (not a full interval later). B is killed right after its send and C starts at once: C does not
    send it again within the interval, and sends it when the interval ends. Each round once: the
    record counts three sends and the worker ran the sweep three times."""
    interval = 10
    stack.env["CENTER_SLA_SWEEP_SECONDS"] = str(interval)
    var = Path(stack.env["CENTER_VAR_DIR"])
    worker = stack.start(*WORKER)
    first = stack.start("beat", "--schedule", str(var / "a-schedule"))
    sent_by_a = _wait_for_sweep_count(1, seconds=60)
    assert sent_by_a is not None and sent_by_a.run_count == 1, _output(first)
    time.sleep(2)
    first.kill()  # mid-interval, no clean release
    first.wait()
    overdue_at = sent_by_a.last_run_at + datetime.timedelta(seconds=interval + 1)
    time.sleep(max(0.0, (overdue_at - timezone.now()).total_seconds()))

    second = stack.start("beat", "--schedule", str(var / "b-schedule"))
    taken_by_b = _when_seen(second, "beat lock taken")
    assert taken_by_b is not None, _output(second)
    sent_by_b = _wait_for_sweep_count(2, seconds=interval)
    assert sent_by_b.run_count == 2, _output(second)
    assert sent_by_b.last_run_at - taken_by_b < datetime.timedelta(seconds=3), (taken_by_b, sent_by_b.last_run_at)
    second.kill()  # right after its send
    second.wait()

    third = stack.start("beat", "--schedule", str(var / "c-schedule"))
    taken_by_c = _when_seen(third, "beat lock taken")
    assert taken_by_c is not None, _output(third)
    sent_by_c = _wait_for_sweep_count(3, seconds=interval + 10)
    assert sent_by_c.run_count == 3, _output(third)
    due = max(sent_by_b.last_run_at + datetime.timedelta(seconds=interval), taken_by_c)
    assert sent_by_b.last_run_at + datetime.timedelta(seconds=interval) <= sent_by_c.last_run_at
    assert sent_by_c.last_run_at - due < datetime.timedelta(seconds=3), (due, sent_by_c.last_run_at)

    sends = [_output(beat).count("Sending due task sla-sweep") for beat in (first, second, third)]
    assert sends == [1, 1, 1], sends
    ran = lambda: re.findall(r"Task workorders\.tasks\.sla_sweep\[[^]]+\] succeeded", _output(worker))  # noqa: E731
    assert _wait_for(lambda: len(ran()) >= 3, seconds=30), _output(worker)
    time.sleep(1)
    assert len(ran()) == 3, _output(worker)
    assert _sweep().run_count == 3


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
