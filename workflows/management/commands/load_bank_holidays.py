"""Load next years' bank holidays from the GOV.UK file: `manage.py load_bank_holidays bank-holidays.json`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from workflows.holidays import GOV_UK_ADDRESS, BankHolidayFileError, bank_holidays_coverage, bank_holidays_load


class Command(BaseCommand):
    help = (
        f"Add the England and Wales bank holidays of a file saved from {GOV_UK_ADDRESS} that are not loaded yet. "
        "Dates already loaded are kept as they are; running it again with the same file adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help=f"the JSON file saved from {GOV_UK_ADDRESS}")

    def handle(self, *args, file: Path, **options):
        try:
            content = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from None
        try:
            report = bank_holidays_load(content=content)
        except BankHolidayFileError as error:
            raise CommandError(f"{file}: {error}. Nothing was added.") from None
        self.stdout.write(self.style.SUCCESS(report.summary()))
        if options["verbosity"] > 1:
            for holiday in report.added:
                self.stdout.write(f"  {holiday.date:%Y-%m-%d}  {holiday.name}")
        for day, kept, in_file in report.different_names:
            self.stdout.write(f'  {day:%Y-%m-%d} kept as "{kept}" (the file calls it "{in_file}")')
        coverage = bank_holidays_coverage()
        if coverage.needs_loading:
            self.stdout.write(
                self.style.WARNING(
                    f"Bank holidays are still needed for {coverage.missing_years_text}: "
                    "GOV.UK publishes them about a year ahead."
                )
            )
