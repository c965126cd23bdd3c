"""The department desk and the enterprise's request list with many rows in the database.

    python -m bench.lists [--sizes 1000,100000] [--database sqlite|postgres] [--repeat 20]

For each size N: N requests, each with a work order and one open assignment, spread over 20
departments (so one department holds N/20), all of one enterprise. Measures ``GET /desk/`` for an
officer of one department and ``GET /requests/`` for the enterprise: median and max ms over
--repeat requests, and the SQL statements of one request (which must not grow with N).
"""
import argparse
import statistics
import time

from bench._common import peak_rss_mb, print_table, setup_django
from bench._db import base_rows, migrate, use_bench_database

DEPARTMENTS = 20


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    label = use_bench_database(args.database)
    setup_django()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from bench._seed import seed_requests
    from departments.models import Department

    setup_test_environment()
    settings.DEBUG = False  # as in production: no query log kept in memory
    migrate()
    rows = base_rows("lst")
    departments = [rows["department"]] + [
        Department.objects.create(name_zh=f"基准部门{i}", name_en=f"Bench department {i}", short_code=f"B{i}")
        for i in range(1, DEPARTMENTS)
    ]
    officer, enterprise_user = Client(), Client()
    officer.force_login(rows["officer"])
    enterprise_user.force_login(rows["user"])

    table, seeded = [], 0
    for size in (int(part) for part in args.sizes.split(",")):
        started = time.perf_counter()
        per_department = (size - seeded) // DEPARTMENTS
        for department in departments:
            seed_requests(per_department, enterprise=rows["enterprise"], project=rows["project"], department=department)
        seeded += per_department * DEPARTMENTS
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(f"{label}: {seeded:,} assignments in the database (seeding took {time.perf_counter() - started:.1f} s)")
        for name, client, url in (("desk list (officer)", officer, "/desk/"),
                                  ("request list (enterprise)", enterprise_user, "/requests/")):
            assert client.get(url).status_code == 200  # warm up
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            statements = len(queries)  # read now: the next request clears the query log
            timings = []
            for _ in range(args.repeat):
                begin = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - begin) * 1000)
            assert response.status_code == 200
            table.append({"page": name, "rows in DB": f"{seeded:,}", "rows shown": len(response.context["page"]),
                          "median ms": f"{statistics.median(timings):.1f}", "max ms": f"{max(timings):.1f}",
                          "SQL": statements})
    print_table(table)
    print(f"peak RSS {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
