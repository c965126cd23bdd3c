"""The beat's decision, with the database: what a beat that takes the lock sends at once, what it
never sends twice within an interval, and that each send is recorded (center/beat.py). The
real-process failover (kill -9 of the sending beat) is in tests/test_worker.py."""
import datetime

import pytest
from celery import Celery, current_app

from center.beat import LockedScheduler
from center.health.services import claim_periodic_run
from center.models import PeriodicRun

INTERVAL = datetime.timedelta(seconds=60)
T0 = datetime.datetime(2026, 12, 1, 10, 0, tzinfo=datetime.timezone.utc)


class Clock:
    def __init__(self):
        self.now = T0

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def new_beat(settings, tmp_path, clock):
    """A beat over a one-task schedule (the sweep, every 60 s), with a clock the test moves and a
    broker that records what is sent."""
    settings.VAR_DIR = tmp_path
    beats = []
    # The schedule file stores entries without their app (Celery pickles them so): they ask the
    # current app for the time, so the test's app is made current for the test.
    previous_app = current_app._get_current_object()

    def start(name="beat"):
        app = Celery("beat-test", broker="memory://", set_as_current=True)
        app.conf.beat_schedule = {"sla-sweep": {"task": "workorders.tasks.sla_sweep", "schedule": INTERVAL.total_seconds()}}
        app.conf.result_expires = None  # no Celery clean-up entry: the schedule is the sweep alone
        app.now = clock
        scheduler = LockedScheduler(app=app, schedule_filename=str(tmp_path / f"{name}-schedule"))
        scheduler.sent = []
        scheduler.apply_async = lambda entry, producer=None, advance=True, **kwargs: scheduler.sent.append(
            (entry.name, clock.now))
        beats.append(scheduler)
        return scheduler

    yield start
    for scheduler in beats:
        scheduler.close()
    previous_app.set_current()


def _record(last_run_at, count=1):
    PeriodicRun.objects.update_or_create(name="sla-sweep", defaults={"last_run_at": last_run_at, "run_count": count})


def _run(scheduler, clock, *, until, step=datetime.timedelta(seconds=1)):
    while clock.now < until:
        scheduler.tick()
        clock.now += step


@pytest.mark.django_db
def test_a_task_never_sent_is_sent_at_once_and_recorded(new_beat, clock):
    beat = new_beat()
    beat.tick()
    assert beat.sent == [("sla-sweep", T0)]
    run = PeriodicRun.objects.get(name="sla-sweep")
    assert (run.last_run_at, run.run_count) == (T0, 1)


@pytest.mark.django_db
def test_a_beat_taking_over_sends_the_overdue_round_at_once(new_beat, clock):
    """The dead beat sent the sweep 90 s ago (interval 60 s): the new beat sends it now, not a
    full interval after it started."""
    _record(T0 - datetime.timedelta(seconds=90), count=7)
    beat = new_beat()
    beat.tick()
    assert beat.sent == [("sla-sweep", T0)]
    run = PeriodicRun.objects.get(name="sla-sweep")
    assert (run.last_run_at, run.run_count) == (T0, 8)


@pytest.mark.django_db
def test_a_beat_taking_over_keeps_the_rhythm_of_the_dead_one(new_beat, clock):
    """Sent 20 s ago: nothing now, and the next round 40 s from now (not 60 s), then every 60 s."""
    _record(T0 - datetime.timedelta(seconds=20))
    beat = new_beat()
    _run(beat, clock, until=T0 + datetime.timedelta(seconds=39))
    assert beat.sent == []
    _run(beat, clock, until=T0 + datetime.timedelta(seconds=101))
    assert beat.sent == [("sla-sweep", T0 + datetime.timedelta(seconds=40)),
                         ("sla-sweep", T0 + datetime.timedelta(seconds=100))]
    assert PeriodicRun.objects.get(name="sla-sweep").run_count == 3


@pytest.mark.django_db
def test_a_beat_never_sends_what_another_sent_within_its_interval(new_beat, clock):
    """The beat's own schedule says due, but another beat recorded a send 10 s ago (as if both had
    believed themselves the holder): not sent; it takes the other's rhythm."""
    beat = new_beat()
    beat.tick()  # sent at T0
    clock.now = T0 + datetime.timedelta(seconds=60)
    _record(T0 + datetime.timedelta(seconds=50), count=2)  # the other beat's send
    _run(beat, clock, until=T0 + datetime.timedelta(seconds=109))
    assert beat.sent == [("sla-sweep", T0)]
    _run(beat, clock, until=T0 + datetime.timedelta(seconds=111))
    assert beat.sent == [("sla-sweep", T0), ("sla-sweep", T0 + datetime.timedelta(seconds=110))]
    assert PeriodicRun.objects.get(name="sla-sweep").run_count == 3


@pytest.mark.django_db
def test_a_send_the_broker_refuses_is_taken_back_and_tried_again(new_beat, clock):
    _record(T0 - datetime.timedelta(seconds=90), count=4)
    beat = new_beat()
    attempts = []

    def refuse_once(entry, producer=None, advance=True, **kwargs):
        attempts.append(clock.now)
        if len(attempts) == 1:
            raise ConnectionError("broker down")

    beat.apply_async = refuse_once
    beat.tick()
    run = PeriodicRun.objects.get(name="sla-sweep")
    assert (run.last_run_at, run.run_count) == (T0 - datetime.timedelta(seconds=90), 4)
    clock.now += datetime.timedelta(seconds=1)
    beat.tick()
    assert attempts == [T0, T0 + datetime.timedelta(seconds=1)]
    assert PeriodicRun.objects.get(name="sla-sweep").run_count == 5


@pytest.mark.django_db
def test_one_round_is_granted_once():
    assert claim_periodic_run(name="sla-sweep", now=T0, interval=INTERVAL).granted
    second = claim_periodic_run(name="sla-sweep", now=T0 + datetime.timedelta(seconds=59), interval=INTERVAL)
    assert not second.granted and second.previous == T0
    assert claim_periodic_run(name="sla-sweep", now=T0 + INTERVAL, interval=INTERVAL).granted
    run = PeriodicRun.objects.get(name="sla-sweep")
    assert (run.last_run_at, run.run_count) == (T0 + INTERVAL, 2)
