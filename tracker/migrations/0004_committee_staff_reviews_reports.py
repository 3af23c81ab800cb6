"""Committee staff review liaisons' reports: they view and change them (never delete)."""

from django.db import migrations

GROUP = "Committee staff"


def grant(apps, schema_editor):
    from tracker.permissions import grant_group_permissions

    grant_group_permissions(apps, GROUP, {"tracker": {"report": ["view", "change"], "historicalreport": ["view"]}})


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=GROUP).first()
    if group:
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="tracker",
                codename__in=["view_report", "change_report", "view_historicalreport"],
            )
        )


class Migration(migrations.Migration):
    dependencies = [("tracker", "0003_reports")]

    operations = [migrations.RunPython(grant, revoke)]
