"""The login lockout (django-axes): how an attempt is recorded."""

from django.conf import settings


def axes_username(request, credentials):
    """The user name a login attempt is recorded under, cut to what django-axes can store.

    No account name is longer than 150 characters; an attempt with a longer one is still counted
    (under its first 150), instead of failing to be stored.
    """
    field = settings.AXES_USERNAME_FORM_FIELD if hasattr(settings, "AXES_USERNAME_FORM_FIELD") else "username"
    value = (credentials or {}).get(field) or request.POST.get(field, "")
    return str(value)[:150]
