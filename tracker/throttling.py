"""Request rates: how often one client may call the API or fetch a download.

A full download at 100,000 actions costs seconds of a worker; without a limit, a few anonymous
clients could hold every worker. Counts are kept in the shared cache (Redis in production), so the
limits hold across workers and machines. The rates come from the environment in DRF's syntax
(`120/min`), or `off`; a client over its rate gets 429 with `Retry-After`.
"""

import math
from functools import wraps

from django.conf import settings
from django.http import HttpResponse, JsonResponse
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


def _refusal(wait) -> tuple[int, str]:
    """How many seconds to wait, and the message saying so."""
    seconds = max(1, math.ceil(wait or 1))
    return seconds, _("Too many requests from your address: try again in %(seconds)d seconds.\n") % {"seconds": seconds}


def too_many_requests(wait) -> HttpResponse:
    seconds, message = _refusal(wait)
    response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(seconds)
    return response


def too_many_api_requests(wait) -> JsonResponse:
    """The same refusal in the API's form: JSON with a `detail`, as every other API error."""
    seconds, message = _refusal(wait)
    response = JsonResponse({"detail": message.strip()}, status=429)
    response["Retry-After"] = str(seconds)
    return response


def throttled(rate_class, refusal=too_many_requests):
    """Count every request of an anonymous client against `rate_class`, before anything else: an answer
    from the page cache, or a 304, counts as much as one built afresh."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            throttle = rate_class()
            if not throttle.allow_request(request, None):
                return refusal(throttle.wait())
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# Limit how often one anonymous client may fetch a download (`DOWNLOAD_THROTTLE_ANON`).
throttled_download = throttled(AnonymousDownloadRate)
# The API's anonymous rate (`API_THROTTLE_ANON`), counted in front of the page cache; signed-in users
# are counted by the API itself (`UserApiRate`).
throttled_api = throttled(AnonymousApiRate, too_many_api_requests)
