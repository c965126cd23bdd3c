from celery import shared_task

from notifications import services


@shared_task(name="notifications.tasks.send_pending_emails", ignore_result=True)
def send_pending_emails():
    services.send_pending_emails()
