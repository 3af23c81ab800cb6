"""Committee staff run the reporting rounds: they create and change rounds, review round reports, and
read the reminders sent and the snapshots (written by the services alone); never delete."""

from django.db import migrations

GROUP = "Committee staff"
GRANTS = {
    "tracker": {
        "reportinground": ["view", "add", "change"],
        "roundreport": ["view", "change"],
        "roundreportentry": ["view", "change"],
        "roundstatus": ["view"],
        "reminder": ["view"],
        "accountpreferences": ["view", "add", "change"],
        "historicalreportinground": ["view"],
        "historicalroundreport": ["view"],
        "historicalroundreportentry": ["view"],
    }
}


def grant(apps, schema_editor):
    from tracker.permissions import grant_group_permissions

    grant_group_permissions(apps, GROUP, GRANTS)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=GROUP).first()
    if group:
        codenames = [f"{verb}_{model}" for model, verbs in GRANTS["tracker"].items() for verb in verbs]
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="tracker", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [("tracker", "0012_reporting_rounds")]

    operations = [migrations.RunPython(grant, revoke)]
