"""Checks shared by the models, the forms and the imports."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, URLValidator
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _


def not_in_future(value):
    if value and value > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."), code="future_date")


# \A and \Z, not ^ and $: a "$" lets a value ending in a line break through.
actor_code_validator = RegexValidator(
    r"\A[A-Z][A-Z0-9-]{1,19}\Z",
    _("Use 2 to 20 capital letters, digits or hyphens, starting with a letter (e.g. MEX, OAS-GS)."),
)


@deconstructible
class HttpUrlValidator(URLValidator):
    """A well-formed http:// or https:// link, and nothing a page could mistake for markup.

    Django's URL check lets quotes, angle brackets and back-slashes through in the path; a link is
    shown in an `href` and copied into spreadsheets, so those are refused outright.
    """

    forbidden = re.compile(r"[\"'<>\\`{}|^\s]")

    def __init__(self, **kwargs):
        kwargs.setdefault("schemes", ["http", "https"])
        kwargs.setdefault("message", _("Enter a link that starts with http:// or https://."))
        super().__init__(**kwargs)

    def __call__(self, value):
        if not isinstance(value, str) or self.forbidden.search(value):
            raise ValidationError(self.message, code=self.code, params={"value": value})
        super().__call__(value)


http_url_validator = HttpUrlValidator()
