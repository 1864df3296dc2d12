"""Count the reports' daily summaries and duration histograms afresh: `manage.py rebuild_daily_summaries`."""

import time

from django.core.management.base import BaseCommand

from workflows.summaries import daily_summaries_rebuild


class Command(BaseCommand):
    help = (
        "Count every per-team daily summary and duration histogram afresh from the cases, their events and "
        "their history (after importing data or changing cases outside the portal's services). "
        "Running it again changes nothing."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        rows = daily_summaries_rebuild()
        if options["verbosity"]:
            self.stdout.write(
                self.style.SUCCESS(f"Wrote {rows:,} summary and histogram rows in {time.monotonic() - started:.1f} s")
            )
