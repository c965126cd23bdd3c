"""The leaders' figures per department and month (``center.models.DepartmentMonth``).

``refresh_figures`` recomputes whole months from a handful of aggregate queries (GROUP BY
department and month) and replaces those months' rows in one transaction. Each figure belongs to the
month its event happened in (see the model), so only the latest months change: beat refreshes the
current and the previous month every few minutes, and ``manage.py refresh_figures --all`` rebuilds
everything (after loading old data, say).

- Issued, answered in time and the acknowledgement (签收) figures go to the month of issue: one query,
  grouped by the stored working hours to acknowledge as well, which gives the histogram of their
  median.
- Finished, on time and the median working days to resolve go to the month the department finished:
  one query, grouped by the working days taken as well (the median's histogram). On time is counted
  twice: against the original clock (``closed_on <= original_due_date``, the due date at issue moved
  only by pauses for the enterprise's material; the due date in force for rows made before the
  original clock was kept), so that no extension can raise it, and against the due date in force
  (granted extensions and every pause included).
- The departments' requests to the center (``DepartmentAsk``, re-routes and extensions) go to the
  month asked for "asked" and to the month decided for the rulings; the working days of the
  third-party pauses go to the month the pause ended. One query for both (UNION ALL of two GROUP BYs).
  An extension the center made directly (``by_center``, e.g. from the office-hours minutes) counts as
  an extension granted with its working days, like one the department asked for, but not as an
  extension asked: the department did not ask for it (so "granted" may exceed "asked"). The same
  holds for a re-route the center made directly.
- Ratings go to the month they were given (two queries: per department, and once for the district);
  overdue and escalated to the month the sweep moved the assignment there (one query).

The medians (working days to resolve, working hours to acknowledge) are taken from histograms
(department, month, value → count) that the database aggregates; medians are not additive, and the
histogram keeps the query the same on SQLite and PostgreSQL. The district's row (``department``
empty) adds up the departments' aggregates and histograms, and counts each rated request once.
"""
from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from center.models import DepartmentMonth
from workdays.calendar import local_date
from workorders.models import Assignment, ClockPause, DepartmentAsk, ServiceRequest, SlaTransition

# pg_advisory_xact_lock key: two refreshes at once take turns instead of racing on the same rows.
ADVISORY_LOCK_KEY = 0x46494753  # "FIGS"
COUNTS = ("issued", "answered_in_time", "resolved", "resolved_on_time", "resolved_on_time_extended", "ratings",
          "rating_total", "became_overdue", "became_escalated", "acknowledged", "acknowledged_in_time",
          "reroutes_asked", "reroutes_approved", "reroutes_refused", "extensions_asked", "extensions_granted",
          "extension_days_granted", "third_party_pause_days")
# The third-party pauses' rows in the requests' query (a kind no DepartmentAsk has).
PAUSE_ROWS = "third_party_pause"


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
    of assignments (six aggregates, one delete, one insert; on PostgreSQL one advisory lock first)."""
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
                                median_working_days=values.pop("median"),
                                ack_median_working_hours=values.pop("ack_median"), **values)
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
    figures: dict = defaultdict(lambda: dict.fromkeys(COUNTS, 0) | {"median": None, "ack_median": None})
    histograms: dict = defaultdict(lambda: defaultdict(int))
    ack_histograms: dict = defaultdict(lambda: defaultdict(int))

    def add(department_id, month, **values):
        month = _date(month)
        for key in ((department_id, month), (None, month)):
            for name, value in values.items():
                figures[key][name] += value or 0

    def count(histogram, department_id, month, value, n):
        for key in ((department_id, _date(month)), (None, _date(month))):
            histogram[key][value] += n

    # To the month of issue; the acknowledgement is in time when made by the end of its due day
    # (the local date of ``acknowledged_at``).
    for row in (Assignment.objects.filter(issued_on__gte=first, issued_on__lt=end)
                .annotate(month=TruncMonth("issued_on")).values("department_id", "month", "ack_working_hours")
                .annotate(issued=Count("id"), answered=Count("id", filter=Q(response_working_days__lte=answer_days)),
                          acknowledged=Count("id", filter=Q(acknowledged_at__isnull=False)),
                          ack_in_time=Count("id", filter=Q(acknowledged_at__date__lte=F("ack_due_on"))))
                .order_by()):
        add(row["department_id"], row["month"], issued=row["issued"], answered_in_time=row["answered"],
            acknowledged=row["acknowledged"], acknowledged_in_time=row["ack_in_time"])
        if row["ack_working_hours"] is not None and row["acknowledged"]:
            count(ack_histograms, row["department_id"], row["month"], row["ack_working_hours"], row["acknowledged"])

    # To the month finished: on time against the original clock, and against the due date in force.
    original_due = Coalesce(F("original_due_date"), F("due_date"))
    for row in (Assignment.objects.filter(closed_on__gte=first, closed_on__lt=end, status=Assignment.Status.DONE)
                .annotate(month=TruncMonth("closed_on")).values("department_id", "month", "working_days_taken")
                .annotate(resolved=Count("id"), on_time=Count("id", filter=Q(closed_on__lte=original_due)),
                          on_time_extended=Count("id", filter=Q(closed_on__lte=F("due_date"))))
                .order_by()):
        add(row["department_id"], row["month"], resolved=row["resolved"], resolved_on_time=row["on_time"],
            resolved_on_time_extended=row["on_time_extended"])
        if row["working_days_taken"] is not None:
            count(histograms, row["department_id"], row["month"], row["working_days_taken"], row["resolved"])

    # A rating judges the whole service: it counts for every department that worked on the request,
    # and once for the district.
    for row in (Assignment.objects.filter(work_order__request__rated_at__gte=start_at,
                                          work_order__request__rated_at__lt=end_at)
                .exclude(status=Assignment.Status.WITHDRAWN)
                .annotate(month=TruncMonth("work_order__request__rated_at", tzinfo=tz)).values("department_id", "month")
                .annotate(n=Count("id"), total=Sum("work_order__request__rating")).order_by()):
        month = _date(row["month"])
        figures[(row["department_id"], month)]["ratings"] += row["n"]
        figures[(row["department_id"], month)]["rating_total"] += row["total"] or 0
    for row in (ServiceRequest.objects.filter(rated_at__gte=start_at, rated_at__lt=end_at)
                .annotate(month=TruncMonth("rated_at", tzinfo=tz)).values("month")
                .annotate(n=Count("id"), total=Sum("rating")).order_by()):
        month = _date(row["month"])
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

    for row in _asks_and_pauses(first, end):
        _add_asks(add, row)

    for key, histogram in histograms.items():
        figures[key]["median"] = median_of_histogram(histogram)
    for key, histogram in ack_histograms.items():
        figures[key]["ack_median"] = median_of_histogram(histogram).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return figures


def _asks_and_pauses(first: datetime.date, end: datetime.date):
    """One statement: the re-route and extension requests per department, kind, status, month asked
    and month decided (asked or decided within the months), and, in the same columns, the
    third-party pauses per department and month ended (``kind`` PAUSE_ROWS, both months the month ended)."""
    ask = DepartmentAsk.Kind
    asks = (DepartmentAsk.objects.filter(kind__in=(ask.REROUTE, ask.EXTENSION))
            .filter(Q(asked_on__gte=first, asked_on__lt=end) | Q(decided_on__gte=first, decided_on__lt=end))
            .annotate(department_id=F("assignment__department_id"), asked_month=TruncMonth("asked_on"),
                      decided_month=TruncMonth("decided_on"))
            .values("department_id", "kind", "status", "asked_month", "decided_month")
            .annotate(n=Count("id"), by_department=Count("id", filter=Q(by_center=False)),
                      days=Sum("working_days_granted"))
            .order_by())
    pauses = (ClockPause.objects.filter(reason=ClockPause.Reason.WAITING_FOR_THIRD_PARTY,
                                        ended_on__gte=first, ended_on__lt=end)
              .annotate(department_id=F("assignment__department_id"), kind=Value(PAUSE_ROWS), status=Value(""),
                        asked_month=TruncMonth("ended_on"), decided_month=TruncMonth("ended_on"))
              .values("department_id", "kind", "status", "asked_month", "decided_month")
              .annotate(n=Count("id"), by_department=Count("id"), days=Sum("working_days"))
              .order_by())
    return asks.union(pauses, all=True)


def _add_asks(add, row) -> None:
    """Asked (by the department) to the month asked; rulings and the days granted to the month decided."""
    kind, status, department_id = row["kind"], row["status"], row["department_id"]
    granted = status == DepartmentAsk.Status.GRANTED
    if kind == PAUSE_ROWS:
        add(department_id, row["decided_month"], third_party_pause_days=row["days"])
    elif kind == DepartmentAsk.Kind.REROUTE:
        add(department_id, row["asked_month"], reroutes_asked=row["by_department"])
        if row["decided_month"] is not None and status != DepartmentAsk.Status.PENDING:
            add(department_id, row["decided_month"],
                **{"reroutes_approved" if granted else "reroutes_refused": row["n"]})
    else:
        add(department_id, row["asked_month"], extensions_asked=row["by_department"])
        if row["decided_month"] is not None and granted:
            add(department_id, row["decided_month"], extensions_granted=row["n"], extension_days_granted=row["days"])


def _date(month) -> datetime.date:
    return month.date() if isinstance(month, datetime.datetime) else month


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
