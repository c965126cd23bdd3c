"""Submitting requests through the real portal view, into a database that already holds many.

    python -m bench.submissions [--existing 100000] [--n 1000] [--database sqlite|postgres]

Seeds --existing requests (each with a work order and an assignment) in bulk, then posts --n
requests in a row through ``POST /requests/new/`` with Django's test client (logged in as the
enterprise), once without a file and once with one 200 KB PDF. Prints requests per second and the
SQL statements of one submission (the e-mail is queued in the outbox; the Celery message that
asks a worker to send it goes to the configured broker).
"""
import argparse
import secrets
import time

from bench._common import peak_rss_mb, print_table, setup_django
from bench._db import base_rows, migrate, use_bench_database


def pdf_of(size: int) -> bytes:
    """A valid one-page PDF of about ``size`` bytes (correct xref), padded by a content stream of comments."""
    padding = b"".join(b"% benchmark padding line " + b"%06d" % i + b" " + b"x" * 48 + b"\n" for i in range(max(0, size - 700) // 82))
    content = b"BT /F1 12 Tf 72 720 Td (benchmark attachment) Tj ET\n" + padding
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--existing", type=int, default=100_000)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--broker", default="", help="CELERY_BROKER_URL, e.g. redis://127.0.0.1:6379/15 "
                        "(default: the embedded SQLite broker of settings)")
    args = parser.parse_args()
    label = use_bench_database(args.database)
    if args.broker:
        import os

        os.environ["CELERY_BROKER_URL"] = args.broker
    setup_django()
    import tempfile

    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from bench._seed import seed_requests
    from workorders.models import ServiceRequest

    setup_test_environment()
    settings.DEBUG = False  # as in production: no query log kept in memory
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="bench-media-")
    migrate()
    rows = base_rows("sub")
    started = time.perf_counter()
    seed_requests(args.existing, enterprise=rows["enterprise"], project=rows["project"], department=rows["department"])
    print(f"{label}: seeded {args.existing:,} requests in {time.perf_counter() - started:.1f} s")

    client = Client()
    client.force_login(rows["user"])
    pdf = pdf_of(200 * 1024)

    def post(with_file: bool):
        data = {"kind": "blocker", "project": rows["project"].pk, "title": "道路未开通",
                "description": "天春路未开通，影响竣工验收。", "requested_completion_date": "2027-03-31",
                "submission_token": secrets.token_urlsafe(24)}
        if with_file:
            data["attachments"] = [SimpleUploadedFile("现场.pdf", pdf, content_type="application/pdf")]
        response = client.post("/requests/new/", data)
        assert response.status_code == 302, response.status_code
        # A person reads the "submitted" message on the next page; the benchmark does not follow the
        # redirect, so drop the message instead of letting unread ones pile up in the cookie/session.
        client.cookies.pop("messages", None)

    table = []
    for with_file in (False, True):
        post(with_file)  # warm up
        with CaptureQueriesContext(connection) as queries:
            post(with_file)
        sql = [q["sql"] for q in queries.captured_queries]
        begin = time.perf_counter()
        for _ in range(args.n):
            post(with_file)
        seconds = time.perf_counter() - begin
        table.append({"attachment": "200 KB PDF" if with_file else "none", "N": args.n,
                      "seconds": f"{seconds:.2f}", "per second": f"{args.n / seconds:.0f}",
                      "ms each": f"{seconds / args.n * 1000:.2f}", "SQL each": len(sql)})
        print(f"SQL of one submission {'with' if with_file else 'without'} a file:")
        for statement in sql:
            print("  ", statement[:160])
    print(f"requests now: {ServiceRequest.objects.count():,}; broker: {settings.CELERY_BROKER_URL.split('://')[0]}")
    print_table(table)
    print(f"peak RSS {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
