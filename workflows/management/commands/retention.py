"""List what the retention schedule would remove (`--dry-run`), or apply it now (`--apply`)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from identity.selectors import stale_registrations
from workflows.retention import retention_apply, retention_due


class Command(BaseCommand):
    help = "List the cases and registrations past their retention date (--dry-run), or apply the schedule (--apply)."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--dry-run", action="store_true", help="List what would go; change nothing.")
        group.add_argument("--apply", action="store_true", help="Anonymise or delete what is due now.")

    def handle(self, *args, dry_run=False, apply=False, **options):
        if not (dry_run or apply):
            raise CommandError("Say --dry-run to list what would go, or --apply to remove it now")
        if apply:
            run = retention_apply()
            self.stdout.write(f"Retention run {run.pk}: {run.counts or 'nothing was due'}")
            return
        # References and dates only: this output may be pasted into a ticket.
        due = retention_due()
        for item in due:
            self.stdout.write(f"{item.reference}\t{item.action.label}\tdue {item.due_on:%Y-%m-%d}\t{item.rule}")
        registrations = stale_registrations().order_by("date_joined").values_list("pk", "date_joined")
        days = settings.PORTAL_UNVERIFIED_RETENTION_DAYS
        for pk, joined in registrations:
            self.stdout.write(
                f"registration {pk}\tDeleted\tregistered {joined:%Y-%m-%d}\tUnconfirmed after {days} days"
            )
        if not due and not registrations:
            self.stdout.write("Nothing is due")
