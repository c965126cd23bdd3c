"""The leaders' figures per department and month (``center.models.DepartmentMonth``).

``refresh_figures`` recomputes whole months from a handful of aggregate queries (GROUP BY
department and month) and replaces those months' rows in one transaction. Each figure belongs to the
month its event happened in (see the model), so only the latest months change: beat refreshes the
current and the previous month every few minutes, and ``manage.py refresh_figures --all`` rebuilds
everything (after loading old data, say).

The median of working days to resolve is taken from a histogram (department, month, working days
→ count) that the database aggregates; medians are not additive, and the histogram keeps the
query the same on SQLite and PostgreSQL. The district's row (``department`` empty) adds up the
departments' aggregates, and counts each rated request once.
"""
from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from center.models import DepartmentMonth
from workdays.calendar import local_date
from workorders.models import Assignment, ServiceRequest, SlaTransition

# pg_advisory_xact_lock key: two refreshes at once take turns instead of racing on the same rows.
ADVISORY_LOCK_KEY = 0x46494753  # "FIGS"
COUNTS = ("issued", "answered_in_time", "resolved", "resolved_on_time", "ratings", "rating_total",
          "became_overdue", "became_escalated")


@dataclass
class RefreshResult:
    months: list[datetime.date]
    rows: int


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(month: datetime.date, n: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def recent_months(today: datetime.date | None = None, count: int = 2) -> list[datetime.date]:
    """The current month and the ``count - 1`` before it, oldest first."""
    current = month_start(today or local_date())
    return [add_months(current, -n) for n in range(count - 1, -1, -1)]


def all_months(today: datetime.date | None = None) -> list[datetime.date]:
    """Every month from the first assignment issued to the current one."""
    current = month_start(today or local_date())
    first = Assignment.objects.order_by("issued_on").values_list("issued_on", flat=True).first()
    if first is None:
        return [current]
    months, month = [], month_start(min(first, current))
    while month <= current:
        months.append(month)
        month = add_months(month, 1)
    return months


def refresh_figures(*, months: list[datetime.date] | None = None, today: datetime.date | None = None,
                    response_working_days: int | None = None) -> RefreshResult:
    """Recompute the figures of ``months`` (default: this month and the last) for every department
    and the district, replacing their rows. Atomic; a fixed number of queries whatever the number
    of assignments (seven aggregates, one delete, one insert)."""
    months = sorted({month_start(m) for m in (months or recent_months(today))})
    first, end = months[0], add_months(months[-1], 1)
    within = set(months)
    answer_days = settings.CENTER_RESPONSE_WORKING_DAYS if response_working_days is None else response_working_days
    with transaction.atomic():
        # Read and write under the lock, so that a slower refresh cannot replace newer figures.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
        figures = _aggregate(first, end, answer_days)
        now = timezone.now()
        rows = [DepartmentMonth(department_id=department_id, month=month, refreshed_at=now,
                                median_working_days=values.pop("median"), **values)
                for (department_id, month), values in sorted(figures.items(),
                                                              key=lambda item: (item[0][1], item[0][0] or 0))
                if month in within]
        DepartmentMonth.objects.filter(month__in=months).delete()
        DepartmentMonth.objects.bulk_create(rows, batch_size=1000)
    return RefreshResult(months=months, rows=len(rows))


def _aggregate(first: datetime.date, end: datetime.date, answer_days: int) -> dict:
    tz = timezone.get_current_timezone()
    start_at = datetime.datetime.combine(first, datetime.time(), tzinfo=tz)
    end_at = datetime.datetime.combine(end, datetime.time(), tzinfo=tz)
    figures: dict = defaultdict(lambda: dict.fromkeys(COUNTS, 0) | {"median": None})
    histograms: dict = defaultdict(lambda: defaultdict(int))

    def add(department_id, month, **values):
        month = month.date() if isinstance(month, datetime.datetime) else month
        for key in ((department_id, month), (None, month)):
            for name, value in values.items():
                figures[key][name] += value or 0

    issued = (Assignment.objects.filter(issued_on__gte=first, issued_on__lt=end)
              .annotate(month=TruncMonth("issued_on")).values("department_id", "month")
              .annotate(issued=Count("id"), answered=Count("id", filter=Q(response_working_days__lte=answer_days)))
              .order_by())
    for row in issued:
        add(row["department_id"], row["month"], issued=row["issued"], answered_in_time=row["answered"])

    finished = Assignment.objects.filter(closed_on__gte=first, closed_on__lt=end, status=Assignment.Status.DONE)
    for row in (finished.annotate(month=TruncMonth("closed_on")).values("department_id", "month")
                .annotate(resolved=Count("id"), on_time=Count("id", filter=Q(closed_on__lte=F("due_date"))))
                .order_by()):
        add(row["department_id"], row["month"], resolved=row["resolved"], resolved_on_time=row["on_time"])
    for row in (finished.filter(working_days_taken__isnull=False).annotate(month=TruncMonth("closed_on"))
                .values("department_id", "month", "working_days_taken").annotate(n=Count("id")).order_by()):
        for key in ((row["department_id"], row["month"]), (None, row["month"])):
            histograms[key][row["working_days_taken"]] += row["n"]

    # A rating judges the whole service: it counts for every department that worked on the request,
    # and once for the district.
    for row in (Assignment.objects.filter(work_order__request__rated_at__gte=start_at,
                                          work_order__request__rated_at__lt=end_at)
                .exclude(status=Assignment.Status.WITHDRAWN)
                .annotate(month=TruncMonth("work_order__request__rated_at", tzinfo=tz)).values("department_id", "month")
                .annotate(n=Count("id"), total=Sum("work_order__request__rating")).order_by()):
        month = row["month"].date() if isinstance(row["month"], datetime.datetime) else row["month"]
        figures[(row["department_id"], month)]["ratings"] += row["n"]
        figures[(row["department_id"], month)]["rating_total"] += row["total"] or 0
    for row in (ServiceRequest.objects.filter(rated_at__gte=start_at, rated_at__lt=end_at)
                .annotate(month=TruncMonth("rated_at", tzinfo=tz)).values("month")
                .annotate(n=Count("id"), total=Sum("rating")).order_by()):
        month = row["month"].date() if isinstance(row["month"], datetime.datetime) else row["month"]
        figures[(None, month)]["ratings"] += row["n"]
        figures[(None, month)]["rating_total"] += row["total"] or 0

    late = (SlaTransition.objects.filter(at__gte=start_at, at__lt=end_at, assignment__isnull=False,
                                         to_state__in=(Assignment.SlaState.OVERDUE, Assignment.SlaState.ESCALATED))
            .annotate(month=TruncMonth("at", tzinfo=tz)).values("assignment__department_id", "month")
            .annotate(overdue=Count("id", filter=Q(to_state=Assignment.SlaState.OVERDUE)),
                      escalated=Count("id", filter=Q(to_state=Assignment.SlaState.ESCALATED)))
            .order_by())
    for row in late:
        add(row["assignment__department_id"], row["month"], became_overdue=row["overdue"],
            became_escalated=row["escalated"])

    for key, histogram in histograms.items():
        figures[key]["median"] = median_of_histogram(histogram)
    return figures


def median_of_histogram(histogram: dict[int, int]) -> Decimal | None:
    """The median of values given as {value: how many times}; halfway between the two middle values
    when the count is even."""
    total = sum(histogram.values())
    if not total:
        return None
    middle = [(total - 1) // 2, total // 2]
    found, seen = [], 0
    for value in sorted(histogram):
        count = histogram[value]
        for index in middle:
            if seen <= index < seen + count:
                found.append(value)
        seen += count
    return Decimal(sum(found)) / Decimal(2)
