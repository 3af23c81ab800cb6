"""Atom feeds of published actions and status changes: the whole follow-up, one recommendation, one actor.

Entries are plain text (escaped), link to the public page where the entry appears, with a fragment
naming it, and carry an id that is the same in every feed the entry appears in, so a reader that
follows several feeds shows it once. Drafts and withdrawn actions never appear.
"""

from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import linebreaks
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _

from .. import selectors
from ..links import action_url, actor_url, recommendation_url
from ..models import Actor

# Entries are identified by tag URIs (RFC 4151) minted under the site's host name and the date of
# the forum, so that an entry keeps its id whichever feed carries it.
_TAG_DATE = "2008-04-17"


@dataclass
class FeedScope:
    """What a feed covers, and the request's host for the entries' ids."""

    host: str
    recommendation: object = None
    actor: object = None


class FollowUpFeed(Feed):
    """The latest published actions and status changes of the whole follow-up, newest first."""

    feed_type = Atom1Feed
    author_name = _("Special Committee on Migration Issues, Organization of American States")

    def get_object(self, request, *args, **kwargs):
        return FeedScope(host=request.get_host().split(":")[0])

    def title(self, obj):
        return _("Follow-up of the Special Forum on Migration Issues: actions and assessments")

    def subtitle(self, obj):
        return _(
            "Implementation actions published by the committee, and every change of status of the "
            "recommendations of the OAS Special Forum on Migration Issues (17 April 2008)."
        )

    def link(self, obj):
        return reverse("tracker:dashboard")

    def feed_url(self, obj):
        return reverse("tracker:feed")

    def items(self, obj):
        entries = selectors.feed_entries(recommendation=obj.recommendation, actor=obj.actor)
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
            return reverse("tracker:round_detail", args=[item.pk])
        if entry["kind"] == "action":
            # Its own page: the permanent address, on no list page that shifts as others are published.
            return action_url(item.pk)
        page = actor_url(obj.actor.code) if obj.actor else recommendation_url(item.recommendation.number)
        return f"{page}#status-change-{item.pk}"

    def item_title(self, entry):
        item = entry["item"]
        if entry["kind"] == "round-opened":
            return _gettext("Reporting round opened: %(name)s") % {"name": item.name}
        if entry["kind"] == "round-closed":
            return _gettext("Reporting round closed: %(name)s") % {"name": item.name}
        if entry["kind"] == "action":
            return _gettext("%(actor)s: %(title)s") % {"actor": item.actor.name, "title": item.title}
        return _gettext("Recommendation %(number)s, %(who)s: %(from)s → %(to)s") % {
            "number": item.recommendation.number,
            "who": item.actor.name if item.actor else _gettext("the committee's overall status"),
            "from": item.get_from_status_display(),
            "to": item.get_to_status_display(),
        }

    def item_description(self, entry):
        item = entry["item"]
        if entry["kind"] == "round-opened":
            lines = [_gettext("Reports are due on %(date)s.") % {"date": item.due_on.isoformat()}, item.request]
            return linebreaks("\n\n".join(line for line in lines if line), autoescape=True)
        if entry["kind"] == "round-closed":
            lines = [
                _gettext(
                    "The statuses as they stood at the close, and what moved since the previous round, are on its page."
                )
            ]
            return linebreaks("\n\n".join(lines), autoescape=True)
        if entry["kind"] == "action":
            numbers = ", ".join(str(number) for number in item.recommendation_numbers)
            lines = [
                _gettext("Taken on %(date)s by %(actor)s.")
                % {"date": item.taken_on.isoformat(), "actor": item.actor.name},
                _gettext("Recommendations addressed: %(numbers)s.") % {"numbers": numbers},
                item.description,
            ]
            if item.information_source:
                lines.append(_gettext("Source: %(source)s") % {"source": item.information_source})
        else:
            lines = [
                _gettext("Assessed on %(date)s.") % {"date": item.assessed_on.isoformat()},
                _gettext("Reason: %(reason)s") % {"reason": item.reason},
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
            return [_gettext("Reporting round")]
        if entry["kind"] == "action":
            return [
                item.actor.code,
                *[_gettext("Recommendation %(number)s") % {"number": number} for number in item.recommendation_numbers],
            ]
        return [_gettext("Recommendation %(number)s") % {"number": item.recommendation.number}]


class RecommendationFeed(FollowUpFeed):
    """One recommendation's published actions and status changes."""

    def get_object(self, request, number):
        recommendation = selectors.current_recommendations().filter(number=number).first()
        if recommendation is None:
            raise Http404
        return FeedScope(host=request.get_host().split(":")[0], recommendation=recommendation)

    def title(self, obj):
        return _gettext("Recommendation %(number)s: actions and assessments") % {"number": obj.recommendation.number}

    def subtitle(self, obj):
        return obj.recommendation.short_title or obj.recommendation.text[:200]

    def link(self, obj):
        return recommendation_url(obj.recommendation.number)

    def feed_url(self, obj):
        return reverse("tracker:recommendation_feed", args=[obj.recommendation.number])


class ActorFeed(FollowUpFeed):
    """One member state's or body's published actions and status changes."""

    def get_object(self, request, code):
        actor = get_object_or_404(Actor, code=code.upper())
        return FeedScope(host=request.get_host().split(":")[0], actor=actor)

    def title(self, obj):
        return _gettext("%(name)s: actions and assessments") % {"name": obj.actor.name}

    def subtitle(self, obj):
        return _gettext("Follow-up of the recommendations of the Special Forum on Migration Issues by %(name)s.") % {
            "name": obj.actor.name
        }

    def link(self, obj):
        return actor_url(obj.actor.code)

    def feed_url(self, obj):
        return reverse("tracker:actor_feed", args=[obj.actor.code])
