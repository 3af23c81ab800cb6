"""Committee staff keep the translations of the whole record: the forum's name, place and introduction,
its panels, comment sections and comments, as they already could the recommendations'. The English
stays read-only in the admin once saved, so the permission reaches only the translations."""

from django.db import migrations

GROUP = "Committee staff"
GRANTS = {
    "forum": {
        "forum": ["change"],
        "panel": ["change"],
        "commentsection": ["change"],
        "comment": ["change"],
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
        codenames = [f"{verb}_{model}" for model, verbs in GRANTS["forum"].items() for verb in verbs]
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="forum", codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0016_report_proposals"),
        ("forum", "0003_history_of_every_text_in_every_language"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
