"""The sitemap: every public page, each in the four languages, with its alternates (hreflang).

A page's address is the same in every language; `?lang=xx` on it serves it in that language (see
tracker/middleware.py). So each page is listed once per language with `?lang=`, each entry names the
other languages' addresses as alternates, and the bare address, whose language the visitor's cookie
or browser decides, is the x-default. Addresses come from the site's configured address
(`SITE_URL`), never from the host a request named.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import F, Value
from django.urls import reverse

from .links import action_url, actor_url, recommendation_url
from .models import Action, Actor, ReportingRound, SdgTarget, Theme
from .selectors import current_recommendations


class PublicSitemap(Sitemap):
    i18n = True
    alternates = True
    # Each item is listed four times, each with five links: pages of at most 40,000 entries stay
    # well under the protocol's 50,000 and 50 MB.
    limit = 40_000

    def get_urls(self, page=1, site=None, protocol=None):
        address = urlsplit(settings.SITE_URL)
        domain = address.netloc + address.path.rstrip("/")
        urls = self._urls(page, address.scheme or "https", domain)
        for url in urls:
            bare = url["location"].split("?", 1)[0]
            url["alternates"].append({"location": bare, "lang_code": "x-default"})
        return urls

    def _location(self, item, force_lang_code=None):
        path = super()._location(item, force_lang_code)
        return f"{path}?lang={force_lang_code or item[1]}"

    def location(self, item):
        return self.path(item)

    def path(self, item):
        raise NotImplementedError


class PagesSitemap(PublicSitemap):
    """The lists and the pages that stand alone."""

    names = [
        "tracker:dashboard",
        "tracker:recommendation_list",
        "tracker:actor_list",
        "tracker:action_list",
        "tracker:map",
        "tracker:theme_list",
        "tracker:forum_record",
        "tracker:round_list",
        "tracker:committee_report",
    ]

    def items(self):
        return self.names

    def path(self, item):
        return reverse(item)


class RecommendationSitemap(PublicSitemap):
    def items(self):
        return list(current_recommendations().select_related(None).order_by("number").values_list("number", flat=True))

    def path(self, item):
        return recommendation_url(item)


class ActorSitemap(PublicSitemap):
    def items(self):
        return list(Actor.objects.order_by("code").values_list("code", flat=True))

    def path(self, item):
        return actor_url(item)


class ActionSitemap(PublicSitemap):
    """Every published action's own page, with when it last changed. Only the ids and dates are read:
    the record may hold a hundred thousand actions."""

    def items(self):
        return list(Action.objects.published().order_by("pk").values_list("pk", "updated_at"))

    def path(self, item):
        return action_url(item[0])

    def lastmod(self, item):
        return item[1]


class RoundSitemap(PublicSitemap):
    def items(self):
        return list(ReportingRound.objects.order_by("pk").values_list("pk", flat=True))

    def path(self, item):
        return reverse("tracker:round_detail", args=[item])


class ClassificationSitemap(PublicSitemap):
    """The theme and SDG target pages: what the secretariat's classification groups together."""

    def items(self):
        # One query for both kinds of page. Both columns are named annotations, so each part selects them
        # in the order asked: with a field beside a bare Value, the field came first in the SQL, and the
        # rows of the union could come back as (key, name).
        themes = Theme.objects.order_by().annotate(page=Value("tracker:theme_detail"), key=F("slug"))
        targets = SdgTarget.objects.order_by().annotate(page=Value("tracker:sdg_detail"), key=F("number"))
        themes, targets = themes.values_list("page", "key"), targets.values_list("page", "key")
        return [reverse(name, args=[key]) for name, key in sorted(themes.union(targets, all=True))]

    def path(self, item):
        return item


SITEMAPS = {
    "pages": PagesSitemap,
    "recommendations": RecommendationSitemap,
    "actors": ActorSitemap,
    "actions": ActionSitemap,
    "rounds": RoundSitemap,
    "classification": ClassificationSitemap,
}
