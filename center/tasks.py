from celery import shared_task

from center import services


@shared_task(ignore_result=True)
def record_heartbeat():
    services.record_heartbeat()


@shared_task
def ping(value):
    """Echo a value back; used to check that a worker executes tasks end to end."""
    return {"pong": value}
