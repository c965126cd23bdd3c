"""Working-day calendar: how fast are due dates and working-day counts?

    python -m bench.calendar --n 100000

Takes one snapshot (one SQL statement) and computes N due dates (10 working days after N
consecutive dates from 2025-01-01) and N signed working-day counts over spans up to a year.
"""
import argparse
import datetime

from bench._common import machine, measure, peak_rss_mb, print_table, setup_django


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    args = parser.parse_args()
    setup_django()
    from workdays.calendar import get_calendar

    start = datetime.date(2025, 1, 1)
    rows = []
    with measure() as figures:
        calendar = get_calendar()
        for offset in range(args.n):
            calendar.add_working_days(start + datetime.timedelta(days=offset % 730), 10)
    rows.append({"operation": "add_working_days(d, 10)", "N": args.n, **_format(figures, args.n)})
    with measure() as figures:
        calendar = get_calendar()
        for offset in range(args.n):
            day = start + datetime.timedelta(days=offset % 730)
            calendar.working_days_left(day, day + datetime.timedelta(days=offset % 365))
    rows.append({"operation": "working_days_left(span <= 1 year)", "N": args.n, **_format(figures, args.n)})
    print(machine())
    print_table(rows)
    print(f"peak RSS {peak_rss_mb():.0f} MB")


def _format(figures, n):
    return {"seconds": f"{figures['seconds']:.3f}", "µs each": f"{figures['seconds'] / n * 1e6:.1f}", "SQL": figures["sql"]}


if __name__ == "__main__":
    main()
