"""The center's dashboard with many departments' requests waiting for it (issue 18).

    python -m bench.center_queue                         # a quick look: 50 pending asks, SQLite
    python -m bench.center_queue --n 1000 --database postgres   # the issue's figure (< 150 ms median)

Seeds N requests, each with a work order and one open assignment spread over 20 departments, and a
pending request to the center on each assignment (re-routes, extensions and pauses going on in
turn). Measures ``GET /center/`` as center staff: median and max ms over --repeat requests, and the
SQL statements of one request (which must not grow with N: the pending list is one query, limited
to a page).
"""
import argparse
import statistics
import time

from bench._common import machine, peak_rss_mb, print_table, setup_django
from bench._db import base_rows, migrate, use_bench_database

DEPARTMENTS = 20


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=50, help="pending asks")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    label = use_bench_database(args.database, name="center_bench_queue")
    setup_django()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from bench._seed import seed_requests
    from core import roles
    from departments.models import Department

    setup_test_environment()
    settings.DEBUG = False  # as in production: no query log kept in memory
    migrate()
    rows = base_rows("ask")
    departments = [rows["department"]] + [
        Department.objects.create(name_zh=f"基准部门{i}", name_en=f"Bench department {i}", short_code=f"Q{i}")
        for i in range(1, DEPARTMENTS)
    ]
    started = time.perf_counter()
    per_department = max(1, args.n // DEPARTMENTS)
    for department in departments:
        seed_requests(per_department, enterprise=rows["enterprise"], project=rows["project"], department=department)
    asked = _seed_asks(rows["officer"])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"{label}: {asked:,} pending asks seeded in {time.perf_counter() - started:.1f} s ({machine()})")

    staff = get_user_model().objects.create_user("ask-staff", "ask-staff@example.com", "x")
    staff.groups.add(Group.objects.get(name=roles.CENTER_STAFF))
    client = Client()
    client.force_login(staff)
    assert client.get("/center/").status_code == 200  # warm up
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/center/")
    statements = len(queries)  # read now: the next request clears the query log
    timings = []
    for _ in range(args.repeat):
        begin = time.perf_counter()
        response = client.get("/center/")
        timings.append((time.perf_counter() - begin) * 1000)
    assert response.status_code == 200
    print_table([{"page": "/center/ (staff)", "pending asks": f"{asked:,}", "rows shown": len(response.context["asks"]),
                  "median ms": f"{statistics.median(timings):.1f}", "max ms": f"{max(timings):.1f}",
                  "SQL": statements}])
    print(f"peak RSS {peak_rss_mb():.0f} MB")


def _seed_asks(officer) -> int:
    """One pending ask on every open assignment, in bulk (kinds in turn; a pause ask has its pause)."""
    import datetime

    from django.db import transaction
    from django.utils import timezone

    from workorders.models import Assignment, ClockPause, DepartmentAsk

    now = timezone.now()
    today = timezone.localdate()
    kinds = [DepartmentAsk.Kind.REROUTE, DepartmentAsk.Kind.EXTENSION, DepartmentAsk.Kind.PAUSE]
    assignments = list(Assignment.objects.order_by("pk"))
    with transaction.atomic():
        paused = [a for i, a in enumerate(assignments) if kinds[i % 3] == DepartmentAsk.Kind.PAUSE]
        Assignment.objects.filter(pk__in=[a.pk for a in paused]).update(status=Assignment.Status.PAUSED,
                                                                       sla_state=Assignment.SlaState.PAUSED)
        pauses = {p.assignment_id: p for p in ClockPause.objects.bulk_create([
            ClockPause(assignment=a, reason=ClockPause.Reason.WAITING_FOR_THIRD_PARTY, third_party_name="申通地铁集团",
                       requested_by=officer, started_at=now, started_on=today,
                       resumes_on=today + datetime.timedelta(days=7)) for a in paused])}
        DepartmentAsk.objects.bulk_create([
            DepartmentAsk(
                assignment=a, kind=kinds[i % 3], text=f"基准申请 {i}", asked_by=officer,
                asked_at=now - datetime.timedelta(minutes=i), asked_on=today,
                reason_category="not_competent" if kinds[i % 3] == DepartmentAsk.Kind.REROUTE else "",
                working_days=5 if kinds[i % 3] == DepartmentAsk.Kind.EXTENSION else None,
                pause=pauses.get(a.pk))
            for i, a in enumerate(assignments)
        ])
    return len(assignments)


if __name__ == "__main__":
    main()
