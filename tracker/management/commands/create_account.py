"""Create an account for a member of the committee's staff or for a liaison of one actor."""

import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tracker import services
from tracker.models import Actor


class Command(BaseCommand):
    help = (
        "Create a staff or liaison account. The password comes from the ACCOUNT_PASSWORD environment "
        "variable, or is asked for."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", choices=["staff", "liaison"], required=True)
        parser.add_argument("--actor", help="The code of the actor a liaison reports for (e.g. MEX).")
        parser.add_argument("--email", default="")

    def handle(self, *args, username, role, actor, email, **options):
        if role == "liaison" and not actor:
            raise CommandError("A liaison account needs --actor CODE (for example --actor MEX).")
        if role == "staff" and actor:
            raise CommandError("--actor is for liaison accounts only.")
        actor_obj = None
        if actor:
            try:
                actor_obj = Actor.objects.get(code=actor.upper())
            except Actor.DoesNotExist:
                raise CommandError(f"No actor has the code {actor!r}.") from None
        password = os.environ.get("ACCOUNT_PASSWORD") or self._ask_password()
        try:
            user = services.account_create(
                username=username, role=role, actor=actor_obj, email=email, password=password
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        where = f" for {actor_obj.name}" if actor_obj else ""
        self.stdout.write(self.style.SUCCESS(f"Created {role} account {user.username!r}{where}."))

    def _ask_password(self):
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The passwords do not match.")
        return password
