from django.core.management.base import BaseCommand

from center.celery import app


class Command(BaseCommand):
    help = ("Declare the Celery queues on the broker before the worker and beat start, so that they do not "
            "race to create them (the embedded SQLite transport fails the loser with a unique-key error).")

    def handle(self, *args, **options):
        with app.connection_for_write() as connection:
            for queue in app.amqp.queues.values():
                queue(connection.default_channel).declare()
        self.stdout.write(f"queues declared: {', '.join(app.amqp.queues)}")
