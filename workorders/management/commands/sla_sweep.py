import datetime

from django.core.management.base import BaseCommand

from workorders.services.sla_sweep import run_sweep


class Command(BaseCommand):
    help = "Move SLA states of open assignments and commitments and send the digests (what beat runs)."

    def add_arguments(self, parser):
        parser.add_argument("--today", type=datetime.date.fromisoformat, help="judge as of this date (YYYY-MM-DD)")

    def handle(self, *args, today=None, **options):
        result = run_sweep(today=today)
        self.stdout.write(
            f"{result.today}: {result.assignment_transitions} assignment and {result.commitment_transitions} "
            f"commitment transitions, {result.resumed} third-party pauses resumed by themselves, "
            f"{result.ack_reminders} late acknowledgements told, {result.digests} digests, {result.emails} e-mails"
        )
