"""Display helpers: one way to show a status everywhere, and Markdown rendered safely."""

from dataclasses import dataclass
from functools import lru_cache

import markdown as markdown_lib
import nh3
from django import template
from django.conf import settings
from django.template.defaultfilters import floatformat
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language, gettext

from forum.links import page_url
from forum.models import split_bullets
from tracker.models import STATUS_ABBREVIATIONS, Status

register = template.Library()

ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "strong", "em", "a", "blockquote", "code", "pre", "h3", "h4"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


@register.simple_tag
def status_badge(value, short=False):
    """A status as text, with its class for colour, the same on every page; `short` gives the
    abbreviation, with the full label for screen readers (the matrix, which has a legend)."""
    return _status_badge(value, bool(short), get_language())


@lru_cache(maxsize=64)
def _status_badge(value, short, language):
    # Seven statuses, two forms, four languages: built once each, since the matrix shows hundreds.
    if value is None:
        return format_html(
            '<span class="status status--none">–<span class="visually-hidden"> {}</span></span>',
            gettext("not responsible"),
        )
    status = Status(value)
    if short:
        return format_html(
            '<span class="status status--{}"><span aria-hidden="true">{}</span>'
            '<span class="visually-hidden">{}</span></span>',
            status.value,
            STATUS_ABBREVIATIONS[status],
            status.label,
        )
    return format_html('<span class="status status--{}">{}</span>', status.value, status.label)


@register.filter
def markdown(text):
    """Staff-entered Markdown as HTML, sanitised with an allow-list: no scripts, handlers or unsafe links."""
    return _markdown(text or "")


@lru_cache(maxsize=4096)
def _markdown(text):
    # Rendering is a pure function of the text, and costs most of an action's display: kept per process.
    html = markdown_lib.markdown(text, extensions=["sane_lists"], output_format="html")
    return mark_safe(  # noqa: S308 - nh3 removes everything outside the allow-list
        nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes={"http", "https", "mailto"},
            link_rel="noopener noreferrer nofollow",
        )
    )


@register.simple_tag
def time_element(day):
    """A date as a `<time>` element: machine-readable, and written out in the visitor's language."""
    return _time_element(day, get_language())


@lru_cache(maxsize=8192)
def _time_element(day, language):
    # Formatting a date in words is slow (localised formats, month names) and timelines show dozens.
    return format_html('<time datetime="{}">{}</time>', day.isoformat(), date_format(day, "DATE_FORMAT"))


@register.filter
def recommendation_url(number):
    """The address of the recommendation with this number (actions list theirs by number)."""
    return page_url("tracker:recommendation_detail", number)


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


@dataclass
class OfficialText:
    """A text of the forum as a page shows it: the English original, or a translation labelled as such."""

    text: str
    lang: str
    is_translation: bool = False
    is_fallback: bool = False
    credit: str = ""

    @property
    def lead(self):
        return split_bullets(self.text)[0]

    @property
    def bullets(self):
        return split_bullets(self.text)[1]


@register.simple_tag
def official(obj, field, credit_from=None):
    """The forum's words in the visitor's language when staff entered a translation, else the English.

    A translation carries who provided it (`translation_credit`, on the object or on `credit_from`),
    so a page can say it is a translation and never pass it off as the forum's words.
    """
    language = get_language() or settings.LANGUAGE_CODE
    english = getattr(obj, f"{field}_en", None) or getattr(obj, field, "") or ""
    if language != "en":
        translated = getattr(obj, f"{field}_{language}", None)
        if translated:
            credit = getattr(credit_from or obj, f"translation_credit_{language}", "") or ""
            return OfficialText(translated, language, is_translation=True, credit=credit)
        return OfficialText(english, "en", is_fallback=True)
    return OfficialText(english, "en")


@register.simple_tag
def localized(obj, field):
    """A name or label in the visitor's language, or the English one marked `lang="en"` when none was entered."""
    language = get_language() or settings.LANGUAGE_CODE
    english = getattr(obj, f"{field}_en", None) or getattr(obj, field, "") or ""
    if language == "en":
        return english
    translated = getattr(obj, f"{field}_{language}", None)
    if translated:
        return translated
    return format_html('<span lang="en">{}</span>', english)


@register.simple_tag
def recommendation_label(recommendation):
    """What a link to a recommendation says: its short title, or the start of its text when it has none."""
    if recommendation.short_title_en or getattr(recommendation, f"short_title_{get_language()}", None):
        return localized(recommendation, "short_title")
    text = official(recommendation, "text")
    return format_html('<span lang="{}">{}</span>', text.lang, Truncator(text.text).words(12))


@register.simple_tag
def action_item(action, with_description=False):
    """A published action as every list and timeline shows it: title, date, actor, recommendations and,
    with `with_description`, its description and source.

    Built in Python rather than included as a template: a recommendation's timeline shows up to fifty.
    """
    numbers = format_html_join(
        ", ", '<a href="{}">{}</a>', ((recommendation_url(number), number) for number in action.recommendation_numbers)
    )
    html = [
        format_html(
            '<article class="action" id="action-{}">\n  <h3 class="action__title">{}</h3>\n'
            '  <p class="action__meta">{} · <a href="{}">{}</a> · {} {}</p>',
            action.pk,
            action.title,
            time_element(action.taken_on),
            action.actor.get_absolute_url(),
            localized(action.actor, "name"),
            gettext("Recommendations"),
            numbers,
        )
    ]
    if with_description and action.description:
        html.append(format_html('  <div class="prose">{}</div>', markdown(action.description)))
    if with_description and action.information_source:
        html.append(format_html('  <p class="muted">{} {}</p>', gettext("Source:"), action.information_source))
    html.append("</article>")
    return mark_safe("\n".join(html))  # noqa: S308 - every part is escaped by format_html above


@register.simple_tag
def matrix_rows(rows, link_actors=True):
    """The body rows of the status matrix, built in one pass: hundreds of cells, each a short badge.

    Rendering them through the template engine, cell by cell, was most of the dashboard's cost.
    """
    language = get_language()
    html = []
    for row in rows:
        name = localized(row.actor, "name")
        header = (
            format_html('<a href="{}">{}</a>', page_url("tracker:actor_detail", row.actor.code), name)
            if link_actors
            else name
        )
        cells = "".join(f"<td>{_status_badge(status, True, language)}</td>" for status in row.cells)
        html.append(format_html('<tr><th scope="row">{}</th>{}</tr>', header, mark_safe(cells)))  # noqa: S308
    return mark_safe("\n".join(html))  # noqa: S308 - every part is escaped by format_html above


@register.simple_tag
def rollup_bar(rollup):
    """A bar of the share at each status, with the counts beside it in text (the bar is decorative).

    It depends only on the counts and the language, and the dashboard shows one per recommendation:
    each distinct bar is built once per process.
    """
    return _rollup_bar(tuple(rollup.counts[status] for status in Status), get_language())


@lru_cache(maxsize=1024)
def _rollup_bar(counts, language):
    from tracker.selectors import RollUp

    rollup = RollUp(counts=dict(zip(Status, counts, strict=True)))
    if not rollup.total:
        return format_html(
            '<div class="rollup"><p class="muted">{}</p></div>', gettext("No responsible actors recorded.")
        )
    segments = rollup.segments
    rects = format_html_join(
        "",
        '<rect class="fill--{}" x="{}" y="0" width="{}" height="4"></rect>',
        # Plain decimals (never localised): these are SVG coordinates.
        ((status.value, f"{offset:f}", f"{share:f}") for status, _count, share, offset in segments),
    )
    counts = format_html_join(
        "",
        '<li><span class="swatch fill--{}" aria-hidden="true"></span>{}: <strong>{}</strong></li>',
        ((status.value, status.label, count) for status, count, _share, _offset in segments),
    )
    return format_html(
        '<div class="rollup"><svg class="rollup__bar" viewBox="0 0 100 4" preserveAspectRatio="none" '
        'aria-hidden="true" focusable="false">{}</svg><ul class="rollup__counts">{}</ul></div>',
        rects,
        counts,
    )
