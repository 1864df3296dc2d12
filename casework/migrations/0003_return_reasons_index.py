from django.db import migrations


class Migration(migrations.Migration):
    """The return-reasons report reads historical section rows by change reason and case; simple-history
    has no option for such an index, so it is made here by hand (the same SQL on SQLite and PostgreSQL)."""

    dependencies = [("casework", "0002_event_kind_index")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX casework_hist_section_reason "
            "ON casework_historicalassessmentsection (history_change_reason, assessment_id)",
            reverse_sql="DROP INDEX casework_hist_section_reason",
        )
    ]
