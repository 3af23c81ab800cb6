"""The choices number: raised only when what the lists' filters offer can change.

It starts at a random number in each database, as the record's version does (0007): two databases
then never count alike.
"""

import secrets

from django.db import migrations, models


def start(apps, schema_editor):
    RecordVersion = apps.get_model("tracker", "RecordVersion")
    RecordVersion.objects.filter(pk=1).update(choices_number=secrets.randbits(52) + 1)


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0026_action_state_date_id_idx"),
    ]

    operations = [
        migrations.AddField(
            model_name="recordversion",
            name="choices_number",
            field=models.BigIntegerField(default=1),
        ),
        migrations.RunPython(start, migrations.RunPython.noop),
    ]
