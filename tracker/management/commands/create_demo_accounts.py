"""Two accounts to look around a demonstration with: a member of the staff and the liaison of Mexico.

    manage.py create_demo_accounts

Each run gives both a new random password and prints it; the accounts are made through the same
service as any other (`tracker.services.account_create`). Meant for the demonstration database that
`make demo` fills, never for a real one: it refuses a database other than SQLite unless told.
"""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from tracker import services
from tracker.models import Actor

ACCOUNTS = [("demo-reviewer", "staff", None), ("demo-liaison", "liaison", "MEX")]


class Command(BaseCommand):
    help = "Create (or give new passwords to) a demonstration staff account and a liaison account, and print them."

    def add_arguments(self, parser):
        parser.add_argument(
            "--any-database", action="store_true", help="Allow a database other than SQLite (not for real data)."
        )

    @transaction.atomic
    def handle(self, *args, any_database=False, **options):
        if connection.vendor != "sqlite" and not any_database:
            raise CommandError("Demonstration accounts go into the embedded SQLite database only (see --any-database).")
        User = get_user_model()
        lines = []
        for username, role, code in ACCOUNTS:
            password = secrets.token_urlsafe(12)
            user = User.objects.filter(username=username).first()
            if user is None:
                actor = Actor.objects.get(code=code) if code else None
                user = services.account_create(
                    username=username, role=role, actor=actor, email=f"{username}@example.org", password=password
                )
            else:
                user.set_password(password)
                user.save(update_fields=["password"])
            who = "committee staff" if role == "staff" else f"liaison of {code}"
            lines.append(f"  {username:<14} {password:<18} ({who})")
        self.stdout.write("Sign in (at /accounts/login/ on the site) with:\n" + "\n".join(lines))
