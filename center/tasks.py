from celery import shared_task

from center.dashboards.figures import refresh_figures
from center.health import services as health
from center.office_hours import services as office_hours


@shared_task(ignore_result=True)
def record_heartbeat():
    health.record_heartbeat()


@shared_task
def ping(value):
    """Echo a value back; used to check that a worker executes tasks end to end."""
    return {"pong": value}


@shared_task(name="center.tasks.prepare_office_hours")
def prepare_office_hours():
    """Beat: keep the sessions ahead and build the next agenda in its window (idempotent)."""
    return office_hours.prepare_office_hours()


@shared_task(name="center.tasks.refresh_dashboard_figures", ignore_result=True)
def refresh_dashboard_figures():
    """Beat: recompute this month's and last month's dashboard figures (idempotent)."""
    result = refresh_figures()
    return {"months": [m.isoformat() for m in result.months], "rows": result.rows}
