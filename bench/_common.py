"""Shared bits of the benchmarks: Django set-up, a timer with SQL counting, and a table printer."""
import os
import platform
import resource
import time
from contextlib import contextmanager


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "center.settings")
    os.environ.setdefault("DEBUG", "true")  # the embedded defaults; each benchmark then runs with DEBUG off
    import django

    django.setup()


@contextmanager
def measure():
    """Yields a dict filled on exit with seconds and the SQL statements run."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    figures = {}
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        yield figures
        figures["seconds"] = time.perf_counter() - started
    figures["sql"] = len(queries)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> str:
    from django.db import connection

    return f"{platform.node()} {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, {connection.vendor}"


def print_table(rows: list[dict]):
    columns = list(rows[0])
    widths = [max(len(str(c)), *(len(str(r[c])) for r in rows)) for c in columns]
    print(" | ".join(str(c).ljust(w) for c, w in zip(columns, widths)))
    print("-|-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(str(row[c]).ljust(w) for c, w in zip(columns, widths)))
