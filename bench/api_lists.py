"""API list endpoints with many rows, on PostgreSQL: the first page and a deep page (cursor).

    python -m bench.api_lists --n 100000

N requests, each with a work order and one open assignment, over 20 departments (as
``bench.lists``), all of one enterprise. As center staff (session) through the test client:
``/api/v1/requests/`` and ``/api/v1/assignments/``, the first page and the page reached by
following ``next`` 100 times (5,000 rows in), median and max ms over 20 requests, SQL statements.
"""
import argparse
import statistics
import time

from bench._common import print_table, setup_django
from bench._db import base_rows, migrate, use_bench_database

DEPARTMENTS = 20


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    label = use_bench_database("postgres")
    setup_django()
    from django.conf import settings
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from rest_framework.test import APIClient

    from bench._seed import seed_requests
    from core import roles
    from departments.models import Department

    setup_test_environment()
    settings.DEBUG = False
    # The throttles (60 and 120 a minute) would answer 429 within the rounds; their own cost stays
    # in the figures (each request still counts in the shared store).
    settings.CENTER_API_RATE_PER_TOKEN = settings.CENTER_API_RATE_PER_USER = "1000000/minute"
    migrate()
    rows = base_rows("api")
    departments = [rows["department"]] + [
        Department.objects.create(name_zh=f"接口部门{i}", name_en=f"API department {i}", short_code=f"A{i}")
        for i in range(1, DEPARTMENTS)]
    for department in departments:
        seed_requests(args.n // DEPARTMENTS, enterprise=rows["enterprise"], project=rows["project"], department=department)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    staff = rows["officer"]
    staff.groups.add(Group.objects.get(name=roles.CENTER_STAFF))
    client = APIClient()
    client.force_authenticate(staff)
    print(f"{label}: {args.n:,} requests and assignments")
    table = []
    for resource in ("requests", "assignments"):
        first = f"/api/v1/{resource}/"
        deep = first
        for _ in range(100):
            deep = client.get(deep).json()["next"]
        for name, url in (("first page", first), ("page 101 (cursor)", deep)):
            client.get(url)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            statements = len(queries)
            timings = []
            for _ in range(args.repeat):
                begin = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - begin) * 1000)
            table.append({"endpoint": first, "page": name, "rows": len(response.json()["results"]),
                          "median ms": f"{statistics.median(timings):.1f}", "max ms": f"{max(timings):.1f}",
                          "SQL": statements})
    print_table(table)


if __name__ == "__main__":
    main()
