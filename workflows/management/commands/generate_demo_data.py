"""Generate realistic synthetic casework: `manage.py generate_demo_data --cases 1000 --seed 7`."""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from casework.models import Assessment
from workflows.generator import Generator
from workflows.summaries import daily_summaries_rebuild


class Command(BaseCommand):
    help = "Generate children, professionals, officers and assessments in every state, with full history."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=200, help="How many assessments to generate")
        parser.add_argument("--seed", type=int, default=1, help="The same seed makes the same data")
        parser.add_argument(
            "--if-empty", action="store_true", help="Only when there are no assessments yet (for `make demo`)"
        )

    def handle(self, *args, cases: int, seed: int, if_empty: bool, **options):
        call_command("load_demo_data", verbosity=0)
        if if_empty and Assessment.objects.exists():
            if options["verbosity"]:
                self.stdout.write("Assessments exist already: nothing generated.")
            # Data from before the summaries existed (or changed outside the services) is counted again.
            daily_summaries_rebuild()
            return
        started = time.monotonic()
        show = self.stdout.write if options["verbosity"] else (lambda message: None)
        made = Generator(cases=cases, seed=seed, progress=show).run()
        if options["verbosity"]:
            self.stdout.write(
                self.style.SUCCESS(f"Generated {made:,} assessments in {time.monotonic() - started:.1f} s")
            )
