"""Group permissions, granted by data migrations."""

from django.contrib.auth.management import create_permissions


def grant_group_permissions(apps, group_name, permissions):
    """Give a group permissions, {app_label: {model: [verbs]}}, creating them first if needed.

    Permissions are normally created after all migrations have run; a data migration that grants
    them needs them now.
    """
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=group_name)
    for app_label, models in permissions.items():
        for model, verbs in models.items():
            codenames = [f"{verb}_{model}" for verb in verbs]
            found = Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
            if found.count() != len(codenames):
                raise RuntimeError(f"Missing permissions for {app_label}.{model}: {codenames}")
            group.permissions.add(*found)
