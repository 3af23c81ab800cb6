from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0021_committee_staff_keep_the_classification"),
    ]

    operations = [
        migrations.AddField(
            model_name="recordversion",
            name="published_actions",
            field=models.BigIntegerField(blank=True, null=True),
        ),
    ]
