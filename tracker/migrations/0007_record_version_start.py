"""Start the record's version at a random number, once per database.

Two databases (a rebuilt one, a restored copy of another) then never count alike, and an ETag never
stands for two different pages.
"""

import secrets

from django.db import migrations


def start(apps, schema_editor):
    RecordVersion = apps.get_model("tracker", "RecordVersion")
    RecordVersion.objects.get_or_create(pk=1, defaults={"number": secrets.randbits(52) + 1})


class Migration(migrations.Migration):
    dependencies = [("tracker", "0006_record_version")]

    operations = [migrations.RunPython(start, migrations.RunPython.noop)]
