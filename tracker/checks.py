"""Checks that `manage.py check --deploy` runs: what a production site must be told about itself."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]", ""}


@checks.register(checks.Tags.security, deploy=True)
def site_url_is_public(app_configs, **kwargs):
    """The feeds' entry ids, the sitemap, robots.txt and the links in e-mails come from SITE_URL: left
    at its default, a production site would publish addresses on its own machine."""
    address = urlsplit(settings.SITE_URL)
    if address.hostname in LOCAL_HOSTS or address.hostname is None or address.scheme != "https":
        return [
            checks.Warning(
                f"SITE_URL is {settings.SITE_URL!r}: set it to the site's public HTTPS address.",
                hint="Feed ids, the sitemap, robots.txt and e-mail links are built from it.",
                id="tracker.W001",
            )
        ]
    return []
