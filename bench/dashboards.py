"""The dashboards over many work orders on PostgreSQL.

    python -m bench.dashboards --n 1000000          # the recorded run (about 10 minutes to seed)
    python -m bench.dashboards --n 100000 --runs 5  # a quicker look

Creates a fresh database ``center_bench`` with 50 departments, 20 towns, N/10 projects (difficulty
lights and stages mixed), N requests, each with a work order, a lead assignment and every other one
a co-handling assignment (1.5 N assignments), spread over the last 36 months, inserted server-side
with ``generate_series``: 92 % resolved (1 to 30 days after they were issued, so about half
late), 8 % open (a third of those overdue, a ninth escalated), 70 % of the resolved rated, and a
sweep transition for every late one; issue 18's figures too: the original clock, 90 % acknowledged,
an extension granted for every 20th lead (with its request), a refused re-route for every 50th and
a third-party pause for every 15th resolved one. Then it times, as the leader and as center staff:

- the full rebuild of the monthly figures (``refresh_figures`` over every month) and the beat's
  refresh of the current and last month;
- ``/leader/`` and ``/center/`` through Django's test client (median of --runs, after one warm-up),
  with the SQL statement count;
- each leader table's CSV and Excel export.
"""
import argparse
import statistics
import time

from bench._common import machine, measure, print_table, setup_django
from bench._db import migrate, use_bench_database

DEPARTMENTS, TOWNS = 50, 20


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000, help="work orders")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    label = use_bench_database("postgres")
    setup_django()
    from django.conf import settings

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]
    migrate()
    started = time.perf_counter()
    leader, staff = _seed(args.n)
    print(f"{label}: {args.n:,} work orders seeded in {time.perf_counter() - started:.0f} s ({machine()})")

    from center.dashboards.figures import all_months, refresh_figures

    rows = []
    with measure() as full:
        result = refresh_figures(months=all_months())
    rows.append({"what": f"refresh_figures, all {len(result.months)} months", "median ms": f"{full['seconds'] * 1000:.0f}",
                 "SQL": full["sql"], "rows": result.rows})
    with measure() as recent:
        result = refresh_figures()
    rows.append({"what": "refresh_figures, this and last month (beat)", "median ms": f"{recent['seconds'] * 1000:.0f}",
                 "SQL": recent["sql"], "rows": result.rows})

    from django.test import Client

    for user, url in ((leader, "/leader/"), (staff, "/center/")):
        client = Client()
        client.force_login(user)
        rows.append(_timed(client, url, args.runs))
    client = Client()
    client.force_login(leader)
    for slug in ("projects-by-town", "overdue-by-department", "departments-month", "departments-asks",
                 "district-by-month", "escalated"):
        for fmt in ("csv", "xlsx"):
            rows.append(_timed(client, f"/leader/export/{slug}.{fmt}", max(3, args.runs // 3)))
    print_table(rows)


def _timed(client, url: str, runs: int) -> dict:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    times, statements = [], []
    for _ in range(runs):
        with measure() as figures:
            response = client.get(url)
        assert response.status_code == 200
        times.append(figures["seconds"] * 1000)
        statements.append(figures["sql"])
    return {"what": f"GET {url}", "median ms": f"{statistics.median(times):.0f}", "SQL": max(statements),
            "rows": f"{len(response.content):,} bytes"}


def _seed(n: int):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection, transaction
    from django.utils import timezone

    from core import roles
    from departments.models import Department
    from projects.models import Enterprise, InvestmentProject, Town
    from workorders.models import Assignment, ClockPause, DepartmentAsk, ServiceRequest, SlaTransition, WorkOrder

    User = get_user_model()
    with transaction.atomic():
        departments = Department.objects.bulk_create([
            Department(name_zh=f"部门{i:02d}", name_en=f"Department {i}", short_code=f"D{i:02d}")
            for i in range(DEPARTMENTS)])
        towns = Town.objects.bulk_create([Town(name_zh=f"基准镇{i:02d}", name_en=f"Town {i}") for i in range(TOWNS)])
        staff = User.objects.create(username="bench-staff")
        staff.groups.add(Group.objects.get(name=roles.CENTER_STAFF))
        leader = User.objects.create(username="bench-leader")
        leader.groups.add(Group.objects.get(name=roles.LEADER))
        enterprise = Enterprise.objects.create(name="基准企业", credit_code="91310113MA1GKW0L3M", contact_name="张三",
                                               contact_mobile="13800000000", contact_email="bench@example.com")
    now = timezone.now()
    d0, t0 = departments[0].pk, towns[0].pk
    projects = max(1, n // 10)
    table = {m: m._meta.db_table for m in (InvestmentProject, ServiceRequest, WorkOrder, Assignment, SlaTransition,
                                           DepartmentAsk, ClockPause)}
    statements = [
        (f"""INSERT INTO {table[InvestmentProject]} (enterprise_id, town_id, name, address, industry, total_investment,
                 stage, is_key_project, difficulty, created_at)
             SELECT %s, %s + g %% {TOWNS}, '基准项目' || g, '', '', 1,
                 (ARRAY['filing','land','planning_permit','construction_permit','under_construction',
                        'completion_inspection','in_operation'])[1 + g %% 7],
                 g %% 5 = 0, (ARRAY['green','green','yellow','red'])[1 + (g * 7) %% 4], %s
             FROM generate_series(0, %s - 1) g""", [enterprise.pk, t0, now, projects]),
        # Requests over the last 36 months (day g % 1095 back); 8 % still in progress.
        (f"""INSERT INTO {table[ServiceRequest]} (tracking_number, enterprise_id, project_id, kind, title, description,
                 status, submitted_at, decision_reason, rating_comment, resolved_at, rating, rated_at)
             SELECT 'B' || lpad(g::text, 12, '0'), %s,
                 (SELECT min(id) FROM {table[InvestmentProject]}) + g %% %s, 'blocker', '基准诉求', '基准数据',
                 CASE WHEN g %% 25 < 2 THEN 'in_progress' ELSE 'resolved' END,
                 %s::timestamptz - ((g %% 1095) || ' days')::interval, '', '',
                 CASE WHEN g %% 25 < 2 THEN NULL ELSE %s::timestamptz - ((g %% 1095) || ' days')::interval
                      + ((1 + g %% 30) || ' days')::interval END,
                 CASE WHEN g %% 25 < 2 OR g %% 10 >= 7 THEN NULL ELSE 1 + (g * 13) %% 5 END,
                 CASE WHEN g %% 25 < 2 OR g %% 10 >= 7 THEN NULL ELSE %s::timestamptz - ((g %% 1095) || ' days')::interval
                      + ((2 + g %% 30) || ' days')::interval END
             FROM generate_series(0, %s - 1) g""", [enterprise.pk, projects, now, now, now, n]),
        (f"""INSERT INTO {table[WorkOrder]} (request_id, problem, proposed_approach, lead_department_id,
                 needs_consultation, status, issued_at, resolution_summary, resolved_at)
             SELECT r.id, '基准', '', %s + r.id %% {DEPARTMENTS}, false,
                 CASE WHEN r.status = 'resolved' THEN 'resolved' ELSE 'open' END, r.submitted_at, '', r.resolved_at
             FROM {table[ServiceRequest]} r""", [d0]),
        # The lead assignment of every work order and a co-handling one for every other work order.
        # The original clock at issue (+14 days); the lead of every 20th work order extended by 5 working
        # days (+7) and every 15th resolved one paused 3 working days for a third party (+5); 90 %
        # acknowledged, 0 to 29.5 hours after issue.
        (f"""INSERT INTO {table[Assignment]} (work_order_id, department_id, role, status, sla_state, escalation_level,
                 issued_at, issued_on, sla_working_days, due_date, paused_working_days, reply, closed_at, closed_on,
                 response_working_days, working_days_taken, original_due_date, extension_working_days,
                 third_party_paused_working_days, ack_due_on, acknowledged_at, ack_working_hours)
             SELECT w.id, %s + (w.id / 3 + k * 13) %% {DEPARTMENTS}, CASE WHEN k = 0 THEN 'lead' ELSE 'co_handling' END,
                 CASE WHEN w.status = 'open' THEN 'in_progress' ELSE 'done' END,
                 CASE WHEN w.status = 'resolved' THEN 'done'
                      WHEN w.id %% 3 = 0 THEN 'overdue' WHEN w.id %% 9 = 1 THEN 'escalated' ELSE 'on_track' END,
                 CASE WHEN w.status = 'open' AND w.id %% 9 = 1 THEN 1 ELSE 0 END,
                 w.issued_at, (w.issued_at AT TIME ZONE 'Asia/Shanghai')::date, 10,
                 (w.issued_at AT TIME ZONE 'Asia/Shanghai')::date + 14
                     + CASE WHEN k = 0 AND w.id %% 20 = 0 THEN 7 ELSE 0 END
                     + CASE WHEN k = 0 AND w.status = 'resolved' AND w.id %% 15 = 3 THEN 5 ELSE 0 END, 0, '',
                 w.resolved_at, (w.resolved_at AT TIME ZONE 'Asia/Shanghai')::date,
                 (w.id + k) %% 5, CASE WHEN w.status = 'resolved' THEN 1 + (w.id * 31 + k) %% 25 END,
                 (w.issued_at AT TIME ZONE 'Asia/Shanghai')::date + 14,
                 CASE WHEN k = 0 AND w.id %% 20 = 0 THEN 5 ELSE 0 END,
                 CASE WHEN k = 0 AND w.status = 'resolved' AND w.id %% 15 = 3 THEN 3 ELSE 0 END,
                 (w.issued_at AT TIME ZONE 'Asia/Shanghai')::date + 1,
                 CASE WHEN (w.id + k) %% 10 < 9
                      THEN w.issued_at + (((w.id * 7 + k) %% 60) * 30 || ' minutes')::interval END,
                 CASE WHEN (w.id + k) %% 10 < 9 THEN ((w.id * 7 + k) %% 60) / 2.0 END
             FROM {table[WorkOrder]} w CROSS JOIN generate_series(0, 1) k
             WHERE k = 0 OR w.id %% 2 = 0""", [d0]),
        # The extensions' requests (asked 5 days after issue, granted the day after), a refused re-route
        # for every 50th work order's lead, and the third-party pauses.
        (f"""INSERT INTO {table[DepartmentAsk]} (assignment_id, kind, status, reason_category, text, working_days,
                 working_days_granted, by_center, asked_at, asked_on, decided_at, decided_on, ruling)
             SELECT a.id, 'extension', 'granted', '', '基准延期', 5, 5, false, a.issued_at + interval '5 days',
                 a.issued_on + 5, a.issued_at + interval '6 days', a.issued_on + 6, '同意'
             FROM {table[Assignment]} a WHERE a.extension_working_days > 0
             UNION ALL
             SELECT a.id, 'reroute', 'refused', 'not_competent', '基准退单', NULL, NULL, false,
                 a.issued_at + interval '1 day', a.issued_on + 1, a.issued_at + interval '2 days', a.issued_on + 2,
                 '不同意'
             FROM {table[Assignment]} a WHERE a.role = 'lead' AND a.work_order_id %% 50 = 7""", []),
        (f"""INSERT INTO {table[ClockPause]} (assignment_id, reason, note, third_party_name, resumed_automatically,
                 started_at, started_on, ended_at, ended_on, working_days)
             SELECT a.id, 'third_party', '', '基准第三方', false, a.issued_at + interval '2 days', a.issued_on + 2,
                 a.issued_at + interval '5 days', a.issued_on + 5, 3
             FROM {table[Assignment]} a WHERE a.third_party_paused_working_days > 0""", []),
        (f"""INSERT INTO {table[SlaTransition]} (sweep, assignment_id, from_state, to_state, at)
             SELECT '00000000-0000-0000-0000-000000000001'::uuid, a.id, 'due_soon', 'overdue',
                 (a.due_date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'
             FROM {table[Assignment]} a
             WHERE a.sla_state IN ('overdue', 'escalated') OR (a.closed_on IS NOT NULL AND a.closed_on > a.due_date)""",
         []),
    ]
    with connection.cursor() as cursor:
        for sql, params in statements:
            begin = time.perf_counter()
            cursor.execute(sql, params)
            print(f"  {cursor.rowcount:>10,} rows in {time.perf_counter() - begin:6.1f} s: {sql.split('(')[0].strip()}")
        cursor.execute("ANALYZE")
    return leader, staff


if __name__ == "__main__":
    main()
