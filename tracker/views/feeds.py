"""Atom feeds of published actions and status changes: the whole follow-up, one recommendation, one actor.

Entries are plain text (escaped), link to the public page where the entry appears, with a fragment
naming it, and carry an id that is the same in every feed the entry appears in, so a reader that
follows several feeds shows it once. Drafts and withdrawn actions never appear.

Ids and links are minted from the site's configured address (`SITE_URL`), never from the host the
request named: the same entry fetched through another name of the server keeps its id. Each feed
holds the latest 50 entries and pages through the older ones (`?page=2`, ...), with the paged-feed
links of RFC 5005 (`first`, `previous`, `next`), so a harvester can read the whole record.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import linebreaks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import licence, selectors
from ..links import action_url, actor_url, recommendation_url
from ..models import Actor
from ..paging import PAGE_PARAMETER, BadPageNumber, page_number

# Entries are identified by tag URIs (RFC 4151) minted under the site's host name and the date of
# the forum, so that an entry keeps its id whichever feed carries it.
_TAG_DATE = "2008-04-17"
# What a feed's address may carry besides its page: the language of its texts.
KNOWN_PARAMETERS = {PAGE_PARAMETER, "lang"}


class BadFeedRequest(Exception):
    """A feed asked with a parameter it does not know, or a page that is not a whole number from 1."""


def site_url(path: str) -> str:
    """The absolute address of a path on the site, from its configured address (`SITE_URL`)."""
    return settings.SITE_URL.rstrip("/") + path


def site_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def requested_page(request) -> int:
    unknown = sorted(set(request.GET) - KNOWN_PARAMETERS)
    if unknown:
        raise BadFeedRequest(
            _("This feed has no parameter %(unknown)s. It knows: %(known)s.")
            % {"unknown": ", ".join(unknown), "known": ", ".join(sorted(KNOWN_PARAMETERS))}
        )
    try:
        return page_number(request.GET.get(PAGE_PARAMETER, "1"))
    except BadPageNumber as error:
        raise BadFeedRequest(str(error)) from error


class PagedAtomFeed(Atom1Feed):
    """An Atom feed with its rights statement and the paged-feed links of RFC 5005."""

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        for rel in ("first", "previous", "next"):
            if self.feed.get(rel):
                handler.addQuickElement("link", "", {"rel": rel, "href": self.feed[rel]})


@dataclass
class FeedScope:
    """What a feed covers, and which of its pages is asked for."""

    host: str
    recommendation: object = None
    actor: object = None
    page: int = 1
    entries: list | None = None
    has_next: bool = False


class FollowUpFeed(Feed):
    """The latest published actions and status changes of the whole follow-up, newest first."""

    feed_type = PagedAtomFeed
    author_name = gettext_lazy("Special Committee on Migration Issues, Organization of American States")

    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except BadFeedRequest as error:
            return HttpResponse(f"{error}\n", status=400, content_type="text/plain; charset=utf-8")

    def scope(self, request, **kwargs) -> FeedScope:
        """The feed's page of entries; a page past the last is not found."""
        obj = FeedScope(host=site_host(), page=requested_page(request), **kwargs)
        obj.entries, obj.has_next = selectors.feed_entries(
            recommendation=obj.recommendation, actor=obj.actor, page=obj.page
        )
        if obj.page > 1 and not obj.entries:
            raise Http404
        return obj

    def get_object(self, request, *args, **kwargs):
        return self.scope(request)

    def feed_copyright(self, obj):
        return f"{licence.DATA_LICENCE_NOTICE} {licence.DATA_LICENCE_URL}"

    def page_url(self, obj, number):
        base = self.base_url(obj)
        return base if number == 1 else f"{base}?{PAGE_PARAMETER}={number}"

    def feed_url(self, obj):
        # rel="self": this page of the feed.
        return self.page_url(obj, obj.page)

    def feed_extra_kwargs(self, obj):
        return {
            "first": self.page_url(obj, 1),
            "previous": self.page_url(obj, obj.page - 1) if obj.page > 1 else None,
            "next": self.page_url(obj, obj.page + 1) if obj.has_next else None,
        }

    def title(self, obj):
        return _("Follow-up of the Special Forum on Migration Issues: actions and assessments")

    def subtitle(self, obj):
        return _(
            "Implementation actions published by the committee, and every change of status of the "
            "recommendations of the OAS Special Forum on Migration Issues (17 April 2008)."
        )

    def link(self, obj):
        return site_url(reverse("tracker:dashboard"))

    def base_url(self, obj):
        return site_url(reverse("tracker:feed"))

    def items(self, obj):
        entries = obj.entries
        for entry in entries:
            kind = {"action": "action", "status": "status-change"}.get(entry["kind"], entry["kind"])
            entry["guid"] = f"tag:{obj.host},{_TAG_DATE}:{kind}-{entry['item'].pk}"
            entry["link"] = self.entry_link(obj, entry)
        return entries

    def entry_link(self, obj, entry):
        """The page where the entry shows: the action's own for an action, the recommendation's (or the
        actor's) for a status, the round's for a round."""
        item = entry["item"]
        if entry["kind"].startswith("round"):
            return site_url(reverse("tracker:round_detail", args=[item.pk]))
        if entry["kind"] == "action":
            # Its own page: the permanent address, on no list page that shifts as others are published.
            return site_url(action_url(item.pk))
        return site_url(self.status_change_link(obj, item))

    def status_change_link(self, obj, change):
        """The page holding the change, at its anchor. The pages show only their newest entries: a change
        no longer on the feed's own page links to the other page that still holds it (the actor's or
        the recommendation's), or to its page without an anchor that would lead nowhere."""
        anchor = f"#status-change-{change.pk}"
        pages = [(recommendation_url(change.recommendation.number), change.before_on_recommendation)]
        if change.actor is not None:
            actor_page = (actor_url(change.actor.code), change.newer_of_actor)
            # The actor's feed leads to the actor's page, the others to the recommendation's.
            pages.insert(0 if obj.actor else 1, actor_page)
        for page, before in pages:
            if before < selectors.TIMELINE_LENGTH:
                return page + anchor
        return pages[0][0]

    def item_title(self, entry):
        item = entry["item"]
        if entry["kind"] == "round-opened":
            return _("Reporting round opened: %(name)s") % {"name": item.name}
        if entry["kind"] == "round-closed":
            return _("Reporting round closed: %(name)s") % {"name": item.name}
        if entry["kind"] == "action":
            return _("%(actor)s: %(title)s") % {"actor": item.actor.name, "title": item.title}
        return _("Recommendation %(number)s, %(who)s: %(from)s → %(to)s") % {
            "number": item.recommendation.number,
            "who": item.actor.name if item.actor else _("the committee's overall status"),
            "from": item.get_from_status_display(),
            "to": item.get_to_status_display(),
        }

    def item_description(self, entry):
        item = entry["item"]
        if entry["kind"] == "round-opened":
            lines = [_("Reports are due on %(date)s.") % {"date": item.due_on.isoformat()}, item.request]
            return linebreaks("\n\n".join(line for line in lines if line), autoescape=True)
        if entry["kind"] == "round-closed":
            lines = [
                _("The statuses as they stood at the close, and what moved since the previous round, are on its page.")
            ]
            return linebreaks("\n\n".join(lines), autoescape=True)
        if entry["kind"] == "action":
            numbers = ", ".join(str(number) for number in item.recommendation_numbers)
            lines = [
                _("Taken on %(date)s by %(actor)s.") % {"date": item.taken_on.isoformat(), "actor": item.actor.name},
                _("Recommendations addressed: %(numbers)s.") % {"numbers": numbers},
                item.description,
            ]
            if item.information_source:
                lines.append(_("Source: %(source)s") % {"source": item.information_source})
        else:
            lines = [
                _("Assessed on %(date)s.") % {"date": item.assessed_on.isoformat()},
                _("Reason: %(reason)s") % {"reason": item.reason},
            ]
        # The summary is HTML in Atom; escaping the text keeps it plain, whatever it holds.
        return linebreaks("\n\n".join(line for line in lines if line), autoescape=True)

    def item_link(self, entry):
        return entry["link"]

    def item_guid(self, entry):
        return entry["guid"]

    item_guid_is_permalink = False

    def item_pubdate(self, entry):
        return entry["when"]

    def item_updateddate(self, entry):
        return entry["when"]

    def item_author_name(self, entry):
        if entry["kind"].startswith("round"):
            return str(self.author_name)
        if entry["kind"] == "action":
            return entry["item"].actor.name
        return str(self.author_name)

    def item_categories(self, entry):
        item = entry["item"]
        if entry["kind"].startswith("round"):
            return [_("Reporting round")]
        if entry["kind"] == "action":
            return [
                item.actor.code,
                *[_("Recommendation %(number)s") % {"number": number} for number in item.recommendation_numbers],
            ]
        return [_("Recommendation %(number)s") % {"number": item.recommendation.number}]


class RecommendationFeed(FollowUpFeed):
    """One recommendation's published actions and status changes."""

    def get_object(self, request, number):
        recommendation = selectors.current_recommendations().filter(number=number).first()
        if recommendation is None:
            raise Http404
        return self.scope(request, recommendation=recommendation)

    def title(self, obj):
        return _("Recommendation %(number)s: actions and assessments") % {"number": obj.recommendation.number}

    def subtitle(self, obj):
        return obj.recommendation.short_title or obj.recommendation.text[:200]

    def link(self, obj):
        return site_url(recommendation_url(obj.recommendation.number))

    def base_url(self, obj):
        return site_url(reverse("tracker:recommendation_feed", args=[obj.recommendation.number]))


class ActorFeed(FollowUpFeed):
    """One member state's or body's published actions and status changes."""

    def get_object(self, request, code):
        actor = get_object_or_404(Actor, code=code.upper())
        return self.scope(request, actor=actor)

    def title(self, obj):
        return _("%(name)s: actions and assessments") % {"name": obj.actor.name}

    def subtitle(self, obj):
        return _("Follow-up of the recommendations of the Special Forum on Migration Issues by %(name)s.") % {
            "name": obj.actor.name
        }

    def link(self, obj):
        return site_url(actor_url(obj.actor.code))

    def base_url(self, obj):
        return site_url(reverse("tracker:actor_feed", args=[obj.actor.code]))
