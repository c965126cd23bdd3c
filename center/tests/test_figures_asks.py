"""Issue 18's figures against a fixture counted by hand: on time against the original clock and
against the extended due dates, acknowledgement, the departments' requests to the center and the
third-party pauses, each to the month its event happened in (July and August 2026, no holidays).

    dept A (JT)
      a0  issued 06-22 (June); extension asked 06-30, granted 07-01 for 2 wd;
          third-party pause ended 06-30 (June: not counted)
      a1  the issue's story: issued 07-06, original due 07-20, extended by 20 wd to 08-17 (asked 07-14,
          granted 07-15), done 07-28 (16 wd after issue): late on the original clock, on time extended;
          acknowledged 07-06 14:30 (due 07-07) in 4.5 h
      a2  issued 07-07, due 07-21, done 07-16; acknowledged 07-08 17:00 (due 07-08) in 7.5 h
      a3  issued 07-24, acknowledged 07-28 09:00 (due 07-27, late) in 23 h; re-route asked 07-28,
          refused 07-29; extension asked 07-30, pending
      a4  issued 07-31, acknowledged 08-04 00:30 Shanghai (08-03 in UTC; due 08-03: late) in 15 h;
          re-route asked 08-04, granted 08-05 (withdrawn; b3 took it over)
      a5  made before the original clock was kept (no original due date, no ack due day): issued
          07-09, due 07-23, done 07-22
    dept B (JW)
      b1  issued 07-06, open; third-party pause 07-08..07-13 (3 wd); extension asked 07-09, refused
          07-10; a pause going on asked 07-10, granted (no figure); the center extended it directly
          on 08-03 by 3 wd
      b2  issued 07-20, original due 08-07 (a 4 wd pause for material), due 08-18 (and an extension
          asked 07-31 for 7 wd, granted 08-03 for 5, and a 2 wd third-party pause ended 08-03),
          done 08-11: late on the original clock, on time extended; acknowledged 07-20 11:00 in 1 h
      b3  issued 08-05 (from a4's re-route), open; a third-party pause still running
"""
from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from center.dashboards.figures import refresh_figures
from center.models import DepartmentMonth
from workorders.models import Assignment, ClockPause, DepartmentAsk

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
D = datetime.date
JUN, JUL, AUG = D(2026, 6, 1), D(2026, 7, 1), D(2026, 8, 1)
ASK, STATUS = DepartmentAsk.Kind, DepartmentAsk.Status
NEW_FIGURES = ("issued", "resolved", "resolved_on_time", "resolved_on_time_extended", "acknowledged",
               "acknowledged_in_time", "ack_median_working_hours", "reroutes_asked", "reroutes_approved",
               "reroutes_refused", "extensions_asked", "extensions_granted", "extension_days_granted",
               "third_party_pause_days")


def _at(day, hour=10, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute), SH)


def _assignment(department, issued, due, *, original="same", closed=None, acked=None, hours=None, ack_due="next",
                status=None):
    from workorders.tests.factories import AssignmentFactory, WorkOrderFactory

    return AssignmentFactory(
        work_order=WorkOrderFactory(lead_department=department), department=department, issued_on=issued,
        issued_at=_at(issued), due_date=due, original_due_date=due if original == "same" else original,
        ack_due_on=(issued + datetime.timedelta(days=1) if ack_due == "next" else ack_due),
        acknowledged_at=acked, ack_working_hours=None if hours is None else Decimal(hours),
        closed_on=closed, closed_at=_at(closed, 16) if closed else None,
        status=status or (Assignment.Status.DONE if closed else Assignment.Status.IN_PROGRESS),
        sla_state=Assignment.SlaState.DONE if closed else Assignment.SlaState.ON_TRACK)


def _ask(assignment, kind, asked, *, status=STATUS.PENDING, decided=None, days=None, granted=None, by_center=False):
    return DepartmentAsk.objects.create(
        assignment=assignment, kind=kind, status=status, text="理由", asked_at=_at(asked), asked_on=asked,
        decided_at=_at(decided, 15) if decided else None, decided_on=decided, working_days=days,
        working_days_granted=granted, by_center=by_center,
        reason_category=DepartmentAsk.RerouteReason.NOT_COMPETENT if kind == ASK.REROUTE else "")


def _pause(assignment, started, ended=None, days=None, reason=ClockPause.Reason.WAITING_FOR_THIRD_PARTY):
    return ClockPause.objects.create(
        assignment=assignment, reason=reason, started_at=_at(started), started_on=started,
        ended_at=_at(ended) if ended else None, ended_on=ended, working_days=days,
        third_party_name="上海申通地铁集团有限公司" if reason == ClockPause.Reason.WAITING_FOR_THIRD_PARTY else "")


@pytest.fixture
def asked(world):
    a, b = world.dept_a, world.dept_b
    f = {}
    f["a0"] = _assignment(a, D(2026, 6, 22), D(2026, 7, 8), original=D(2026, 7, 6))
    _ask(f["a0"], ASK.EXTENSION, D(2026, 6, 30), status=STATUS.GRANTED, decided=D(2026, 7, 1), days=2, granted=2)
    _pause(f["a0"], D(2026, 6, 24), D(2026, 6, 30), 4)
    f["a1"] = _assignment(a, D(2026, 7, 6), D(2026, 8, 17), original=D(2026, 7, 20), closed=D(2026, 7, 28),
                          acked=_at(D(2026, 7, 6), 14, 30), hours="4.5")
    _ask(f["a1"], ASK.EXTENSION, D(2026, 7, 14), status=STATUS.GRANTED, decided=D(2026, 7, 15), days=20, granted=20)
    f["a2"] = _assignment(a, D(2026, 7, 7), D(2026, 7, 21), closed=D(2026, 7, 16), acked=_at(D(2026, 7, 8), 17),
                          hours="7.5")
    f["a3"] = _assignment(a, D(2026, 7, 24), D(2026, 8, 7), ack_due=D(2026, 7, 27), acked=_at(D(2026, 7, 28), 9),
                          hours="23.0")
    _ask(f["a3"], ASK.REROUTE, D(2026, 7, 28), status=STATUS.REFUSED, decided=D(2026, 7, 29))
    _ask(f["a3"], ASK.EXTENSION, D(2026, 7, 30), days=5)
    f["a4"] = _assignment(a, D(2026, 7, 31), D(2026, 8, 14), ack_due=D(2026, 8, 3), acked=_at(D(2026, 8, 4), 0, 30),
                          hours="15.0", status=Assignment.Status.WITHDRAWN)
    f["a5"] = _assignment(a, D(2026, 7, 9), D(2026, 7, 23), original=None, ack_due=None, closed=D(2026, 7, 22))
    f["b1"] = _assignment(b, D(2026, 7, 6), D(2026, 7, 29))
    _pause(f["b1"], D(2026, 7, 8), D(2026, 7, 13), 3)
    _ask(f["b1"], ASK.EXTENSION, D(2026, 7, 9), status=STATUS.REFUSED, decided=D(2026, 7, 10), days=10)
    _ask(f["b1"], ASK.PAUSE, D(2026, 7, 10), status=STATUS.GRANTED, decided=D(2026, 7, 10))
    _ask(f["b1"], ASK.EXTENSION, D(2026, 8, 3), status=STATUS.GRANTED, decided=D(2026, 8, 3), days=3, granted=3,
         by_center=True)
    f["b2"] = _assignment(b, D(2026, 7, 20), D(2026, 8, 18), original=D(2026, 8, 7), closed=D(2026, 8, 11),
                          acked=_at(D(2026, 7, 20), 11), hours="1.0")
    _ask(f["b2"], ASK.EXTENSION, D(2026, 7, 31), status=STATUS.GRANTED, decided=D(2026, 8, 3), days=7, granted=5)
    _pause(f["b2"], D(2026, 7, 22), D(2026, 7, 28), 4, reason=ClockPause.Reason.WAITING_FOR_MATERIAL)
    _pause(f["b2"], D(2026, 7, 30), D(2026, 8, 3), 2)
    f["b3"] = _assignment(b, D(2026, 8, 5), D(2026, 8, 19))
    _ask(f["a4"], ASK.REROUTE, D(2026, 8, 4), status=STATUS.GRANTED, decided=D(2026, 8, 5))
    _pause(f["b3"], D(2026, 8, 6))
    f["world"] = world
    return f


def _figures(department, month):
    row = DepartmentMonth.objects.get(department=department, month=month)
    return tuple(getattr(row, name) for name in NEW_FIGURES)


@pytest.mark.django_db
def test_each_new_figure_matches_the_hand_count(asked):
    result = refresh_figures(months=[JUL, AUG])
    a, b = asked["world"].dept_a, asked["world"].dept_b
    assert result.rows == 6

    # issued resolved on-time extended ack in-time median         re-routes  extensions  pause days
    assert _figures(a, JUL) == (5, 3, 2, 3, 4, 2, Decimal("11.3"), 1, 0, 1, 2, 2, 22, 0)
    assert _figures(a, AUG) == (0, 0, 0, 0, 0, 0, None, 1, 1, 0, 0, 0, 0, 0)
    assert _figures(b, JUL) == (2, 0, 0, 0, 1, 1, Decimal("1.0"), 0, 0, 0, 2, 0, 0, 3)
    assert _figures(b, AUG) == (1, 1, 0, 1, 0, 0, None, 0, 0, 0, 0, 2, 8, 2)
    assert _figures(None, JUL) == (7, 3, 2, 3, 5, 3, Decimal("7.5"), 1, 0, 1, 4, 2, 22, 3)
    assert _figures(None, AUG) == (1, 1, 0, 1, 0, 0, None, 1, 1, 0, 0, 2, 8, 2)
    # The rates the pages show.
    july = DepartmentMonth.objects.get(department=a, month=JUL)
    assert (july.on_time_rate, july.on_time_extended_rate, july.ack_in_time_rate) == (66.7, 100.0, 40.0)
    # June was not asked for: a0's June request and pause are in no row.
    assert not DepartmentMonth.objects.filter(month=JUN).exists()


@pytest.mark.django_db
def test_an_extension_never_raises_the_on_time_rate_against_the_original_clock(world):
    """The issue's story: the Transportation Commission's deadline was extended by 20 working days
    and it finished 16 working days after issue. Opened and extended through the services."""
    from workdays.calendar import get_calendar
    from workorders.services.clock import move_due_date
    from workorders.services.work_orders import open_assignment
    from workorders.tests.factories import WorkOrderFactory

    calendar = get_calendar()
    assignment = open_assignment(actor=world.staff, work_order=WorkOrderFactory(lead_department=world.dept_a),
                                 department=world.dept_a, role=Assignment.Role.LEAD, at=_at(D(2026, 7, 6)))
    assert assignment.original_due_date == assignment.due_date == D(2026, 7, 20)
    move_due_date(actor=world.staff, assignment=assignment, working_days=20, reason="等待申通地铁集团评估")
    _ask(assignment, ASK.EXTENSION, D(2026, 7, 14), status=STATUS.GRANTED, decided=D(2026, 7, 15), days=20,
         granted=20)
    finished = calendar.add_working_days(assignment.issued_on, 16)
    Assignment.objects.filter(pk=assignment.pk).update(
        status=Assignment.Status.DONE, sla_state=Assignment.SlaState.DONE, closed_on=finished,
        closed_at=_at(finished, 16), working_days_taken=16)

    refresh_figures(months=[JUL])
    row = DepartmentMonth.objects.get(department=world.dept_a, month=JUL)
    assert (row.resolved, row.resolved_on_time, row.resolved_on_time_extended) == (1, 0, 1)
    assert (row.on_time_rate, row.on_time_extended_rate) == (0.0, 100.0)
    assert (row.extensions_asked, row.extensions_granted, row.extension_days_granted) == (1, 1, 20)


@pytest.mark.django_db
def test_the_refresh_takes_the_same_statements_with_one_row_of_each_kind_or_many(world):
    """Six aggregate queries (and the delete and the insert) whatever the rows."""
    def make(n):
        for i in range(n):
            department = (world.dept_a, world.dept_b)[i % 2]
            day = D(2026, 7, 1 + i % 28)
            one = _assignment(department, day, D(2026, 8, 20), original=D(2026, 7, 31), closed=D(2026, 8, 3),
                              acked=_at(day, 11), hours=f"{i % 7}.{i % 10}")
            _ask(one, ASK.EXTENSION, day, status=STATUS.GRANTED, decided=D(2026, 8, 3), days=5, granted=4)
            _ask(one, ASK.REROUTE, day, status=(STATUS.REFUSED, STATUS.PENDING)[i % 2],
                 decided=D(2026, 8, 4) if i % 2 == 0 else None)
            _pause(one, day, D(2026, 7, 30), 1 + i % 3)

    make(1)
    with CaptureQueriesContext(connection) as one:
        refresh_figures(months=[JUL, AUG])
    make(30)
    with CaptureQueriesContext(connection) as many:
        refresh_figures(months=[JUL, AUG])
    assert len(one.captured_queries) == len(many.captured_queries)
    assert DepartmentMonth.objects.get(department=None, month=AUG).extensions_granted == 31
    assert len([q for q in many.captured_queries if "GROUP BY" in q["sql"]]) == 6


@pytest.mark.django_db
def test_the_leader_page_and_its_downloads_show_the_new_figures(asked):
    import csv
    import io

    from django.test import Client

    refresh_figures(months=[JUL, AUG])
    leader = Client()
    leader.force_login(asked["world"].leader)
    response = leader.get("/leader/?month=2026-07")
    assert response.status_code == 200
    page = response.content.decode()
    # Both on-time rates side by side, each said against what; the chart draws both.
    assert "按原定期限按时办结率 (%)</th><th class=\"num\">含批准延期按时办结率 (%)" in page
    months = response.context["departments_month"]
    assert [row[4:6] for row in months.rows] == [[66.7, 100.0], [None, None]] and months.footer[4:6] == [66.7, 100.0]
    assert 'fill="#8cb4dc" data-value="100.0"' in page
    asks = response.context["departments_asks"]
    #                      ack  in time median          re-routes  extensions   pause days
    assert asks.rows == [["区交通委", 4, 40.0, Decimal("11.3"), 1, 0, 1, 2, 2, 22, 0],
                         ["区建设管理委", 1, 50.0, Decimal("1.0"), 0, 0, 0, 2, 0, 0, 3]]
    assert asks.footer == ["全区", 5, 42.9, Decimal("7.5"), 1, 0, 1, 4, 2, 22, 3]
    assert "签收与向中心申请情况" in page and "申请退单" in page

    download = leader.get("/leader/export/departments-asks.csv?month=2026-07")
    assert "departments-asks-2026-07.csv" in download["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8")[1:])))
    assert rows[0][:4] == ["部门", "已签收", "按时签收率 (%)", "签收用时中位数（工作小时）"]
    assert rows[-1] == ["全区", "5", "42.9", "7.5", "1", "0", "1", "4", "2", "22", "3"]
