"""Bulk rows for benchmarks: N requests, each with a work order and one assignment, in bulk."""
import datetime

from django.db import transaction
from django.utils import timezone


def seed_requests(n: int, *, enterprise, project, department, batch: int = 5000) -> None:
    """Add ``n`` in-progress requests of ``enterprise`` with one open assignment each for ``department``
    (its original clock the due date, its acknowledgement due as ``open_assignment`` sets it)."""
    from django.conf import settings

    from workdays.calendar import get_calendar
    from workorders.models import Assignment, ServiceRequest, WorkOrder

    now = timezone.now()
    today = timezone.localdate()
    ack_due_on = get_calendar().add_working_days(today, settings.CENTER_ACK_WORKING_DAYS)
    start = ServiceRequest.objects.count()
    for offset in range(0, n, batch):
        size = min(batch, n - offset)
        with transaction.atomic():
            requests = ServiceRequest.objects.bulk_create([
                ServiceRequest(
                    tracking_number=f"BENCH{start + offset + i:012d}", enterprise=enterprise, project=project,
                    kind=ServiceRequest.Kind.BLOCKER, title=f"基准诉求 {start + offset + i}", description="基准数据 benchmark row",
                    status=ServiceRequest.Status.IN_PROGRESS,
                )
                for i in range(size)
            ])
            work_orders = WorkOrder.objects.bulk_create([
                WorkOrder(request=request, problem="基准", lead_department=department, issued_at=now) for request in requests
            ])
            Assignment.objects.bulk_create([
                Assignment(
                    work_order=work_order, department=department, role=Assignment.Role.LEAD, issued_at=now,
                    issued_on=today, sla_working_days=10, due_date=today + datetime.timedelta(days=(i % 40)),
                    original_due_date=today + datetime.timedelta(days=(i % 40)), ack_due_on=ack_due_on,
                    status=Assignment.Status.IN_PROGRESS,
                )
                for i, work_order in enumerate(work_orders)
            ])
