"""Building an office-hours agenda with many open assignments, on PostgreSQL.

    python -m bench.agenda --n 100000

Seeds N open assignments the way ``bench.sla_sweep`` does (100 departments, due dates from 12
days late to 25 days ahead), runs the SLA sweep so that the late ones are overdue or escalated,
then builds the next session's agenda twice: seconds, SQL statements, items made, and the agenda
size. The enterprise of all requests is invited once (one digest per account).
"""
import argparse
import datetime
import time

from bench._common import peak_rss_mb, print_table, setup_django
from bench._db import migrate, use_bench_database


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--analyze", action="store_true",
                        help="ANALYZE by hand after the sweep (the figures before issue 20 did)")
    args = parser.parse_args()
    label = use_bench_database("postgres")
    setup_django()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.sla_sweep import _seed
    from center.models import AgendaItem, OfficeHoursSession
    from center.office_hours.services import build_agenda
    from core.system import system_user
    from workorders.services.sla_sweep import run_sweep

    settings.DEBUG = False
    migrate()
    _seed(args.n)
    sweep = run_sweep()
    # The first sweep changed the state of a third of the rows at once. By default the build runs
    # right after it, on the statistics the sweep itself left (issue 20: no hand-run ANALYZE);
    # --analyze refreshes them all first, as the figures before did.
    if args.analyze:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    session = OfficeHoursSession.objects.create(date=datetime.date.today() + datetime.timedelta(days=7),
                                                venue=settings.CENTER_OFFICE_HOURS_VENUE)
    print(f"{label}: {args.n:,} open assignments, {sweep.transitions:,} late or due soon after the sweep")
    rows = []
    system = system_user()  # what beat acts as; looked up once by the task, not per build
    for run in ("first build", "second build"):
        with CaptureQueriesContext(connection) as queries:
            begin = time.perf_counter()
            result = build_agenda(actor=system, session=session)
            seconds = time.perf_counter() - begin
            statements = len(queries)
        rows.append({"run": run, "N": f"{args.n:,}", "seconds": f"{seconds:.2f}", "SQL": statements,
                     "items made": f"{result.created:,}", "invited": f"{result.invited:,}",
                     "agenda items": f"{AgendaItem.objects.filter(session=session).count():,}",
                     "peak RSS MB": f"{peak_rss_mb():.0f}"})
    print_table(rows)


if __name__ == "__main__":
    main()
