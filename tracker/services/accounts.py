"""States and bodies, and the accounts of the people who work the follow-up."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import STAFF_GROUP, Liaison
from .common import save_with_history


@transaction.atomic
def actor_save(*, actor, by):
    """Create or correct a member state or body. Membership changes are dates and notes on it."""
    actor.full_clean()
    save_with_history(actor, by=by)
    return actor


@transaction.atomic
def account_create(*, username: str, role: str, password: str, actor=None, email: str = ""):
    """Create a staff account (admin access, in the "Committee staff" group) or a liaison account.

    A liaison is tied to exactly one actor and gets no admin access.
    """
    User = get_user_model()
    if role not in ("staff", "liaison"):
        raise ValidationError(_("The role must be staff or liaison."))
    if role == "liaison" and actor is None:
        raise ValidationError(_("A liaison account must be tied to an actor."))
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(_("An account named “%(username)s” already exists.") % {"username": username})
    user = User(username=username, email=email, is_staff=(role == "staff"))
    user.full_clean(exclude=["password"])
    validate_password(password, user)
    user.set_password(password)
    user.save()
    if role == "staff":
        user.groups.add(Group.objects.get(name=STAFF_GROUP))
    else:
        save_with_history(Liaison(user=user, actor=actor), by=None)
    return user
