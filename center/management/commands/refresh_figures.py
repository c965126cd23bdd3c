import datetime

from django.core.management.base import BaseCommand, CommandError

from center.dashboards.figures import all_months, refresh_figures


class Command(BaseCommand):
    help = ("Recompute the dashboards' figures per department and month: this month and the last by default, "
            "every month with --all, or one month with --month YYYY-MM.")

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="every month from the first assignment on")
        parser.add_argument("--month", help="one month, YYYY-MM")

    def handle(self, *args, **options):
        months = None
        if options["all"]:
            months = all_months()
        elif options["month"]:
            try:
                months = [datetime.datetime.strptime(options["month"], "%Y-%m").date()]
            except ValueError as error:
                raise CommandError("--month takes YYYY-MM, e.g. 2026-11") from error
        result = refresh_figures(months=months)
        self.stdout.write(f"{len(result.months)} month(s) from {result.months[0]:%Y-%m} to {result.months[-1]:%Y-%m}: "
                          f"{result.rows} rows")
