"""Committee staff keep the classification: its terms (themes, population groups, SDG targets, types of
measure) and each recommendation's classification. Nothing of it is deleted, so no delete permission."""

from django.db import migrations

GROUP = "Committee staff"
VERBS = ["view", "add", "change"]
GRANTS = {
    "tracker": {
        "theme": VERBS,
        "populationgroup": VERBS,
        "sdgtarget": VERBS,
        "measuretype": VERBS,
        "recommendationclassification": VERBS,
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
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="tracker", codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [("tracker", "0020_classification")]

    operations = [migrations.RunPython(grant, revoke)]
