"""The choices number becomes the reference number: it is raised by a change to any of the record's
reference data (the forum's record, the states and bodies, the classification, the reporting rounds),
and pages keep those reads under it, as the lists keep their filters."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0027_record_version_choices_number"),
    ]

    operations = [
        migrations.RenameField(model_name="recordversion", old_name="choices_number", new_name="reference_number"),
    ]
