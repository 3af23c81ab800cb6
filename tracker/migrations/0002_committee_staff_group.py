"""The "Committee staff" group: what the technical secretariat needs to work the follow-up.

Staff view, add and change the follow-up and the editorial fields of the forum's record; nobody
deletes (the admin offers no delete either). The status history is view-only: the services write it.
"""

from django.db import migrations

GROUP = "Committee staff"

PERMISSIONS = {
    "tracker": {
        "actor": ["view", "add", "change"],
        "responsibility": ["view", "add", "change"],
        "overallassessment": ["view", "add", "change"],
        "statuschange": ["view"],
        "action": ["view", "add", "change"],
        "evidence": ["view", "add", "change"],
        "liaison": ["view"],
        "historicalactor": ["view"],
        "historicalresponsibility": ["view"],
        "historicaloverallassessment": ["view"],
        "historicalaction": ["view"],
        "historicalevidence": ["view"],
    },
    "forum": {
        "forum": ["view"],
        "panel": ["view"],
        "commentsection": ["view"],
        "comment": ["view"],
        "recommendation": ["view", "change"],
        "historicalrecommendation": ["view"],
    },
}


def create_group(apps, schema_editor):
    from tracker.permissions import grant_group_permissions

    grant_group_permissions(apps, GROUP, PERMISSIONS)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0001_initial"),
        ("forum", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
