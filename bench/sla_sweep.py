"""The SLA sweep over many open assignments on PostgreSQL.

    python -m bench.sla_sweep --n 100000            # 10000, 100000, 1000000 for the recorded table

Creates a fresh database ``center_bench``, 100 departments (each with an officer and a head),
center staff and a leader, N/100 requests with their work orders, and N open assignments (one per
work order and department) inserted server-side with ``generate_series``. Due dates are spread
from 12 days late to 25 days ahead, so about a third are due soon or late. 5 % are not acknowledged
and their acknowledgement was due days ago (the sweep tells their heads and center staff once); the
others were acknowledged. 1 % are paused for a third party whose 5 working days ran out two days
ago (the sweep resumes them by itself). Then times one sweep and a second one: wall seconds, SQL
statements, transitions, acknowledgement reminders, pauses resumed, digests, peak RSS of this process.
"""
import argparse
import time

from bench._common import peak_rss_mb, print_table, setup_django
from bench._db import migrate, use_bench_database

DEPARTMENTS = 100


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--profile", action="store_true", help="also print the first sweep's statements by time")
    args = parser.parse_args()
    label = use_bench_database("postgres")
    setup_django()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from workorders.services.sla_sweep import run_sweep

    settings.DEBUG = False
    migrate()
    started = time.perf_counter()
    _seed(args.n)
    print(f"{label}: {args.n:,} open assignments seeded in {time.perf_counter() - started:.1f} s; "
          f"RSS before sweeping {peak_rss_mb():.0f} MB")
    rows = []
    for run in ("first sweep", "second sweep"):
        with CaptureQueriesContext(connection) as queries:
            begin = time.perf_counter()
            result = run_sweep()
            seconds = time.perf_counter() - begin
            statements = len(queries)
        if args.profile and run == "first sweep":
            for query in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:12]:
                print(f"  {float(query['time']):7.3f} s  {' '.join(query['sql'].split())[:150]}")
        rows.append({"run": run, "N": f"{args.n:,}", "seconds": f"{seconds:.2f}", "SQL": statements,
                     "transitions": f"{result.transitions:,}", "ack reminders": f"{result.ack_reminders:,}",
                     "resumed": f"{result.resumed:,}", "digests": result.digests,
                     "peak RSS MB": f"{peak_rss_mb():.0f}"})
    print_table(rows)


def _seed(n: int):
    """Departments, people and N/100 requests with work orders through the ORM; assignments in SQL."""
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection, transaction
    from django.utils import timezone

    from core import roles
    from departments.models import Department, Officer
    from projects.models import Enterprise, InvestmentProject, Town
    from workorders.models import Assignment, ClockPause, ServiceRequest, WorkOrder

    User = get_user_model()
    now, today = timezone.now(), timezone.localdate()
    with transaction.atomic():
        departments = Department.objects.bulk_create([
            Department(name_zh=f"部门{i}", name_en=f"Department {i}", short_code=f"D{i}") for i in range(DEPARTMENTS)])
        users = User.objects.bulk_create([User(username=f"u{i}", email=f"u{i}@example.com") for i in range(2 * DEPARTMENTS + 2)])
        Officer.objects.bulk_create(
            [Officer(user=users[2 * i], department=d, display_name=f"经办{i}") for i, d in enumerate(departments)]
            + [Officer(user=users[2 * i + 1], department=d, role=Officer.Role.HEAD, display_name=f"负责{i}")
               for i, d in enumerate(departments)])
        users[-2].groups.add(Group.objects.get(name=roles.CENTER_STAFF))
        users[-1].groups.add(Group.objects.get(name=roles.LEADER))
        town = Town.objects.create(name_zh="基准镇", name_en="Bench town")
        enterprise = Enterprise.objects.create(name="基准企业", credit_code="91310113MA1GKW0L3M", contact_name="张三",
                                               contact_mobile="13800000000", contact_email="bench@example.com")
        project = InvestmentProject.objects.create(enterprise=enterprise, town=town, name="基准项目",
                                                   total_investment=Decimal("1"))
    orders = -(-n // DEPARTMENTS)
    for start in range(0, orders, 5000):
        with transaction.atomic():
            requests = ServiceRequest.objects.bulk_create([
                ServiceRequest(tracking_number=f"B{start + i:012d}", enterprise=enterprise, project=project,
                               kind="blocker", title="基准", description="基准数据", status="in_progress")
                for i in range(min(5000, orders - start))])
            WorkOrder.objects.bulk_create([
                WorkOrder(request=r, problem="基准", lead_department=departments[0], issued_at=now) for r in requests])
    first_wo = WorkOrder.objects.order_by("id").values_list("id", flat=True).first()
    first_dept = departments[0].pk
    # Every 20th assignment is not acknowledged, its acknowledgement due three days ago; every 100th
    # (offset by one, so the two sets do not meet) is paused for a third party since ten days ago,
    # its limit two days ago.
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {Assignment._meta.db_table} (work_order_id, department_id, role, status, sla_state,
                    escalation_level, issued_at, issued_on, sla_working_days, due_date, original_due_date,
                    paused_working_days, extension_working_days, third_party_paused_working_days, reply,
                    ack_due_on, acknowledged_at)
                SELECT %s + (g / %s), %s + (g %% %s), 'co_handling',
                       CASE WHEN g %% 100 = 1 THEN 'paused' ELSE 'in_progress' END,
                       CASE WHEN g %% 100 = 1 THEN 'paused' ELSE 'on_track' END, 0, %s,
                       %s::date - 30, 10, due, due, 0, 0, 0, '', %s::date - 3,
                       CASE WHEN g %% 20 = 0 THEN NULL ELSE %s::timestamptz END
                FROM (SELECT g, %s::date + ((g::bigint * 7919) %% 38 - 12)::int AS due
                      FROM generate_series(0, %s - 1) AS g) AS s""",
            [first_wo, DEPARTMENTS, first_dept, DEPARTMENTS, now, today, today, now, today, n])
        cursor.execute(
            f"""INSERT INTO {ClockPause._meta.db_table} (assignment_id, reason, note, third_party_name, resumes_on,
                    resumed_automatically, started_at, started_on)
                SELECT id, 'third_party', '等待地铁保护区评估', '申通地铁集团', %s::date - 2, FALSE,
                       %s::timestamptz - interval '10 days', %s::date - 10
                FROM {Assignment._meta.db_table} WHERE status = 'paused'""",
            [today, now, today])
        cursor.execute("ANALYZE")
    assert Assignment.objects.count() == n


if __name__ == "__main__":
    main()
