"""Display helpers: one way to show a status everywhere, and Markdown rendered safely."""

import markdown as markdown_lib
import nh3
from django import template
from django.template.defaultfilters import floatformat
from django.utils.safestring import mark_safe

from tracker.models import STATUS_ABBREVIATIONS, Status

register = template.Library()

ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "strong", "em", "a", "blockquote", "code", "pre", "h3", "h4"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


@register.inclusion_tag("tracker/includes/status.html")
def status_badge(value, short=False):
    """A status as text, with its class for colour; `short` gives the abbreviation with the full label
    for screen readers (used in the matrix, which has a legend)."""
    if value is None:
        return {"status": None}
    status = Status(value)
    return {"status": status, "abbreviation": STATUS_ABBREVIATIONS[status] if short else None}


@register.filter
def markdown(text):
    """Staff-entered Markdown as HTML, sanitised with an allow-list: no scripts, handlers or unsafe links."""
    html = markdown_lib.markdown(text or "", extensions=["sane_lists"], output_format="html")
    return mark_safe(  # noqa: S308 - nh3 removes everything outside the allow-list
        nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes={"http", "https", "mailto"},
            link_rel="noopener noreferrer nofollow",
        )
    )


@register.filter
def percent(value):
    """A progress figure for display: "–" when nothing could be counted."""
    if value is None:
        return "–"
    return f"{floatformat(value, -1)}\u00a0%"


@register.filter
def minutes(duration):
    """A timedelta as a whole number of minutes, rounded up."""
    seconds = duration.total_seconds() if duration else 0
    return int(-(-seconds // 60))
