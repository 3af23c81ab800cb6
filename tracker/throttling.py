"""Request rates: how often one client may call the API or fetch a download.

A full download at 100,000 actions costs seconds of a worker; without a limit, a few anonymous
clients could hold every worker. Counts are kept in the shared cache (Redis in production), so the
limits hold across workers and machines. The rates come from the environment in DRF's syntax
(`120/min`), or `off`; a client over its rate gets 429 with `Retry-After`.
"""

import math
from functools import wraps

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _
from rest_framework.throttling import SimpleRateThrottle


class _SettingRate(SimpleRateThrottle):
    """A rate read from a setting each time, so that `off` (None) switches the limit off."""

    setting = ""

    def get_rate(self):
        return getattr(settings, self.setting, None)

    def get_cache_key(self, request, view):
        user = getattr(request, "user", None)
        if self.for_users != bool(user is not None and user.is_authenticated):
            return None
        ident = user.pk if self.for_users else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AnonymousApiRate(_SettingRate):
    scope, setting, for_users = "api-anonymous", "API_THROTTLE_ANON", False


class UserApiRate(_SettingRate):
    scope, setting, for_users = "api-user", "API_THROTTLE_USER", True


class AnonymousDownloadRate(_SettingRate):
    scope, setting, for_users = "downloads-anonymous", "DOWNLOAD_THROTTLE_ANON", False


def too_many_requests(wait) -> HttpResponse:
    seconds = max(1, math.ceil(wait or 1))
    response = HttpResponse(
        _("Too many requests from your address: try again in %(seconds)d seconds.\n") % {"seconds": seconds},
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(seconds)
    return response


def throttled_download(view):
    """Limit how often one anonymous client may fetch a download (`DOWNLOAD_THROTTLE_ANON`)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        throttle = AnonymousDownloadRate()
        if not throttle.allow_request(request, None):
            return too_many_requests(throttle.wait())
        return view(request, *args, **kwargs)

    return wrapper
