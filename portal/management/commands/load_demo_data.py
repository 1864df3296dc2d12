"""Load the reference data and demo accounts that `make demo` serves. Safe to run again."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

# In dependency order: roles before the accounts that hold them, organisations before their staff.
DEMO_FIXTURES = ("roles", "organisations", "teams", "demo_users", "team_routes", "bank_holidays")


class Command(BaseCommand):
    help = "Load roles, organisations, council teams and the demo accounts listed in README.md."

    def handle(self, *args, **options):
        call_command("loaddata", *DEMO_FIXTURES, verbosity=options["verbosity"])
        if options["verbosity"]:
            self.stdout.write(self.style.SUCCESS("Demo data loaded. Accounts and password: see README.md."))
