"""Display helpers: one way to show a status, an action, a roll-up and the forum's texts everywhere.

The markup lives in templates under `tracker/includes/`. Badges and roll-up bars are pure functions
of their inputs and the language, so each distinct one is rendered once per process and kept.
"""

import hashlib
from collections import namedtuple
from dataclasses import dataclass
from functools import lru_cache

from django import template
from django.conf import settings
from django.template.defaultfilters import floatformat
from django.template.defaulttags import querystring
from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import get_language

from forum.models import split_bullets, translation_columns

from .. import links
from ..caching import answered_reference
from ..kept import Kept
from ..markdown import render_markdown
from ..models import STATUS_ABBREVIATIONS, Responsibility, Status, counts_as
from ..rollup import RollUp

register = template.Library()


@register.simple_tag
def status_badge(value, short=False):
    """A status as text with its colour class, the same on every page; `short` gives the abbreviation,
    with the full label for screen readers (the matrix, which has a legend). None: not responsible."""
    return _status_badge(value, bool(short), get_language())


@lru_cache(maxsize=128)
def _status_badge(value, short, language):
    # Seven statuses, two forms, four languages; the matrix alone shows hundreds of badges.
    status = Status(value) if value is not None else None
    context = {
        "status": status,
        "short": short,
        "abbreviation": STATUS_ABBREVIATIONS[status] if status else "",
    }
    return render_to_string("tracker/includes/status_badge.html", context)


@register.simple_tag
def rollup_bar(rollup):
    """A bar of the share at each status, with the counts beside it in text (the bar is decorative)."""
    return _rollup_bar(rollup.tally, get_language())


@lru_cache(maxsize=1024)
def _rollup_bar(counts, language):
    # It depends only on the counts and the language; the dashboard shows one per recommendation.
    rollup = RollUp(counts=dict(zip(Status, counts, strict=True)))
    return render_to_string("tracker/includes/rollup_bar.html", {"rollup": rollup})


@register.filter
def numbers(recommendations) -> tuple:
    """The numbers of `recommendations`, in their order (a key for `{% keep %}`)."""
    return tuple(recommendation.number for recommendation in recommendations)


@register.filter
def status_label(value):
    """A status's name on the scale, in the visitor's language."""
    return Status(value).label if value else ""


@register.simple_tag
def scale():
    """The statuses of the scale, in its order."""
    return list(Status)


@register.filter
def counts_toward_progress(status):
    """How a status counts toward progress, in words ("50 %", "left out")."""
    return counts_as(status)


@register.filter
def markdown(text):
    """Staff-entered Markdown as HTML, sanitised with an allow-list: no scripts, handlers or unsafe links."""
    return render_markdown(text)


@register.simple_tag
def time_element(day):
    """A date as a `<time>` element: machine-readable, and written out in the visitor's language."""
    if not day:
        return "–"
    return _time_element(day, get_language())


@lru_cache(maxsize=8192)
def _time_element(day, language):
    # Formatting a date in words is slow (localised formats, month names) and timelines show dozens.
    return format_html('<time datetime="{}">{}</time>', day.isoformat(), date_format(day, "DATE_FORMAT"))


@register.filter
def recommendation_url(number):
    """The address of the recommendation with this number (actions list theirs by number)."""
    return links.recommendation_url(number)


@register.filter
def action_url(pk):
    """The permanent page of the published action with this number."""
    return links.action_url(pk)


@register.filter
def evidence_url(evidence):
    """Where a piece of evidence is read: its link, or the page that serves its document."""
    return links.evidence_url(evidence)


@register.filter
def actor_url(code):
    """The address of the page of the state or body with this code."""
    return links.actor_url(code)


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


@dataclass(frozen=True)
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


# Fragments that pages repeat dozens or hundreds of times (a matrix row, an action in a list) are
# rendered from their template once per distinct content and language, and kept: rendering the
# dashboard's 455 matrix cells through the template engine on every request made it 30 % dearer
# (9.7 ms against 7.4 ms in-process, 1,000 actions), the actions list's 25 articles 40 % dearer.
# The key is everything the template shows, so a changed row is simply a new entry.
FRAGMENT_CACHE_SIZE = 4096
# Longer descriptions are rendered each time rather than kept, so the cache stays small.
CACHED_DESCRIPTION_LENGTH = 4000


@lru_cache(maxsize=FRAGMENT_CACHE_SIZE)
def _fragment(template_name, items, language):
    return render_to_string(template_name, dict(items))


def _render_fragment(template_name, items, cacheable=True):
    if cacheable:
        return _fragment(template_name, items, get_language())
    return render_to_string(template_name, dict(items))


def _fragments(template_name, rows, separator="\n"):
    """`rows` (the items of each, as `_render_fragment` takes them) drawn from `template_name`, joined."""
    return format_html_join(separator, "{}", ((_render_fragment(template_name, items),) for items in rows))


def _original_href(context) -> str:
    """The address of this page in English (`original_href.html`), for a note worked out once and
    handed to kept fragments, which have no request."""
    return querystring(context, lang="en", page=None) if context.get("request") else "?lang=en"


@register.simple_tag(takes_context=True)
def recommendation_cards(context, recommendations):
    """The list's cards, each kept per distinct content: the recommendation's number and label, its
    text as the forum gave it or its translation (so marked, with the way to the English), the
    committee's overall status and the responsible actors' progress."""
    original_href = _original_href(context)
    cards = []  # the items of each card
    for recommendation in recommendations:
        assessment = getattr(recommendation, "overall_assessment", None)
        label = localized(recommendation, "short_title") if recommendation.short_title else ""
        text = official(recommendation, "text")
        items = (
            ("number", recommendation.number),
            ("label", conditional_escape(label)),
            ("official", text),
            # Shown only beside a translation: the English original needs no link to itself.
            ("original_href", original_href if text.is_translation else ""),
            ("status", getattr(assessment, "status", None) or "not_assessed"),
            ("progress", recommendation.rollup.progress),
            ("bar", rollup_bar(recommendation.rollup)),
        )
        cards.append(items)
    return _fragments("tracker/includes/recommendation_card.html", cards, "\n  \n  ")


# What `comment_text.html` reads of a comment: its text and who translated it, in each language.
CommentText = namedtuple("CommentText", translation_columns("text", "translation_credit"))


@register.simple_tag(takes_context=True)
def comment_quotes(context, comments):
    """A recommendation's linked comments, each quoted as the forum gave it or in translation (so
    marked, with the way to the English) and captioned with its number and section (`section_title`);
    each kept per distinct content."""
    original_href = _original_href(context)
    quotes = []
    for comment in comments:
        text = CommentText._make(getattr(comment, column) for column in CommentText._fields)
        quotes.append(
            (
                ("comment", text),
                ("number", comment.number),
                ("section", comment.section_title),
                # Shown only beside a translation: the English original needs no link to itself.
                ("original_href", original_href if official(text, "text").is_translation else ""),
            )
        )
    return _fragments("tracker/includes/comment_quote.html", quotes, "\n  \n    ")


# A matrix's body, per distinct rows (each actor's code, names and cells), link, progress and language:
# the dashboard draws the same 35 rows until an assessment changes one.
_matrix_bodies = Kept(size=256)
NAME_COLUMNS = ("name", *translation_columns("name"))


@register.simple_tag
def matrix_rows(rows, link=True, progress=False):
    """The body rows of the status matrix: a state or body, then its status on each recommendation
    and, with `progress`, its progress."""
    shown = tuple(
        (row.actor.code, *(getattr(row.actor, column, None) for column in NAME_COLUMNS), tuple(row.cells))
        for row in rows
    )
    key = (shown, bool(link), bool(progress), get_language())
    return _matrix_bodies.get(key, lambda: _matrix_rows(rows, link, progress))


def _matrix_rows(rows, link, progress):
    return _fragments(
        "tracker/includes/matrix_row.html",
        (
            (
                ("code", row.actor.code),
                ("name", localized(row.actor, "name")),
                ("cells", tuple(row.cells)),
                ("link", bool(link)),
                ("with_progress", bool(progress)),
                ("progress", row.rollup.progress if progress else None),
            )
            for row in rows
        ),
        "",
    )


@register.simple_tag
def recommendation_rows(recommendations):
    """The body rows of the dashboard's table of recommendations: each with its label, the committee's
    overall status (`overall_status`), its responsible actors by status and their progress."""
    return _fragments(
        "tracker/includes/recommendation_row.html",
        (
            (
                ("number", recommendation.number),
                ("label", conditional_escape(recommendation_label(recommendation))),
                ("status", recommendation.overall_status),
                ("bar", rollup_bar(recommendation.rollup)),
                ("progress", recommendation.rollup.progress),
            )
            for recommendation in recommendations
        ),
        "\n      ",
    )


@register.simple_tag
def actor_rows(actors):
    """The body rows of the list of states and bodies: each with its kind and its roll-up (`rollup`).
    Drawn once per distinct list (each row's names, kind and counts) and language, and kept."""
    keys = ((*_named_key(actor), actor.kind, actor.rollup.tally) for actor in actors)
    return _kept_list("actor-rows", keys, lambda: _actor_rows(actors))


def _actor_rows(actors):
    return _fragments(
        "tracker/includes/actor_row.html",
        (
            (
                ("code", actor.code),
                ("name", conditional_escape(localized(actor, "name"))),
                ("kind", str(actor.get_kind_display())),
                ("total", actor.rollup.total),
                ("not_assessed", actor.rollup.not_assessed),
                ("progress", actor.rollup.progress),
            )
            for actor in actors
        ),
        "\n    ",
    )


RECOMMENDATION_NAME_COLUMNS = ("number", *translation_columns("short_title", "text", "translation_credit"))


@register.simple_tag
def responsibility_rows(responsibilities, by):
    """The body rows of `responsibility_table.html`: each responsibility by its state or body (`by` is
    "actor") or by its recommendation, with its role, status, last assessment and reasoning. Drawn
    once per distinct content (every value a row shows, and what names its state or recommendation in
    each language) and language, and kept."""
    columns = ("code", *NAME_COLUMNS) if by == "actor" else RECOMMENDATION_NAME_COLUMNS
    shown = (
        (
            *(getattr(getattr(r, by), column, None) for column in columns),
            r.role,
            r.status,
            r.last_assessed,
            bool(getattr(r, "stale", False)),
            r.reasoning,
        )
        for r in responsibilities
    )
    return _kept_list(("responsibilities", by), shown, lambda: _responsibility_rows(responsibilities, by))


def _responsibility_rows(responsibilities, by):
    rows = []
    for responsibility in responsibilities:
        if by == "actor":
            actor = responsibility.actor
            shown = (("code", actor.code), ("name", conditional_escape(localized(actor, "name"))))
        else:
            recommendation = responsibility.recommendation
            label = conditional_escape(recommendation_label(recommendation))
            shown = (("number", recommendation.number), ("label", label))
        reasoning = responsibility.reasoning
        items = (
            ("by", by),
            *shown,
            ("role", str(Responsibility.Role(responsibility.role).label)),
            ("status", responsibility.status),
            ("last_assessed", responsibility.last_assessed),
            ("stale", bool(getattr(responsibility, "stale", False))),
            ("reasoning", reasoning),
        )
        cacheable = len(reasoning) <= CACHED_DESCRIPTION_LENGTH
        rows.append(_render_fragment("tracker/includes/responsibility_row.html", items, cacheable))
    return format_html_join("\n  ", "{}", ((row,) for row in rows))


def status_change_item(change, about):
    """A change of status in a timeline, naming its state or body (`about` is "actor"; the committee
    when it has none) or its recommendation."""
    if about == "actor":
        actor = change.actor
        shown = (("code", actor.code), ("name", conditional_escape(localized(actor, "name")))) if actor else ()
    else:
        shown = (("number", change.recommendation.number),)
    items = (
        ("about", about),
        ("pk", change.pk),
        ("date", change.assessed_on),
        *shown,
        ("from_status", change.from_status),
        ("to_status", change.to_status),
        ("reason", change.reason),
    )
    cacheable = len(change.reason) <= CACHED_DESCRIPTION_LENGTH
    return _render_fragment("tracker/includes/status_change.html", items, cacheable)


# Each page with a chart (the dashboard, 13 recommendations, some 40 states and bodies, the themes and
# targets) in four languages, at about 15 kB each.
_over_time_sections = Kept(size=512)


@register.simple_tag
def progress_over_time(history, section_id):
    """The "progress through time" section of `history` (`tracker.charts.over_time`); `section_id` is
    unique on the page. Drawn once per distinct history and language, then kept."""
    # A digest of the rows, not the rows: the dashboard's history alone is some 1,000 of them.
    digest = hashlib.blake2b(repr(history.key).encode(), digest_size=16).digest()
    key = (digest, section_id, get_language())
    template_name = "tracker/includes/progress_over_time.html"
    return _over_time_sections.get(key, lambda: render_to_string(template_name, {"history": history, "id": section_id}))


# The site's header and footer for visitors who are not signed in: the same for every such visitor of
# an address in a language (the header marks the current page and links the address in each language),
# drawn some 2 ms a page. Signed-in users see their own account links and a form with their CSRF
# token: theirs is drawn every time.
_site_chrome = Kept(size=1024)


def _chrome(context, template_name, key):
    template = context.template.engine.get_template(template_name)
    user = context.get("user")
    if key is None or user is None or user.is_authenticated:
        return template.render(context)
    return _site_chrome.get((template_name, get_language(), *key), lambda: template.render(context))


@register.simple_tag(takes_context=True)
def site_header(context):
    """The site's name, its navigation, the search box, the languages and the account links."""
    request = context.get("request")
    return _chrome(context, "includes/site_header.html", None if request is None else (request.get_full_path(),))


@register.simple_tag(takes_context=True)
def site_footer(context):
    """Where the record comes from, and the ways to the open data and the rounds."""
    return _chrome(context, "includes/site_footer.html", ())


# Sections a template marks with `{% keep %}`: per page kind, language and the values they vary on.
_kept_sections = Kept(size=1024)


class KeepNode(template.Node):
    def __init__(self, nodelist, name, vary_on):
        self.nodelist, self.name, self.vary_on = nodelist, name, vary_on

    def render(self, context):
        values = tuple(variable.resolve(context) for variable in self.vary_on)
        key = (self.name, get_language(), values)
        return _kept_sections.get(key, lambda: self.nodelist.render(context))


@register.tag
def keep(parser, token):
    """`{% keep "name" value … %}…{% endkeep %}`: the markup between, drawn once per language and
    distinct values (numbers, texts or tuples of them) and kept. The values must be all that the
    markup shows besides the language: what is not among them must be the same on every request."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% keep %} needs a name, then the values the markup varies on")
    nodelist = parser.parse(("endkeep",))
    parser.delete_first_token()
    return KeepNode(nodelist, bits[1], [parser.compile_filter(bit) for bit in bits[2:]])


# A list's filters in each language, for the choices people make most (no filter, one or two).
filter_forms_kept = Kept(size=512)


def _frozen_choices(choices) -> tuple:
    """Choices as a key: (value, label) pairs, groups made tuples too."""
    return tuple(
        (str(value), _frozen_choices(label) if isinstance(label, list | tuple) else str(label))
        for value, label in choices
    )


def _form_key(form) -> tuple:
    """All that a form's fields show: its kind, the data it was given, the errors, and either the
    reference number (`caching.answered_reference`: the choices are the record's states, bodies,
    recommendations and terms, the labels and attributes the code's) or else every field's label,
    attributes and choices (read here once and handed to the widget, so that drawing it does not read
    them again). Reading the choices was a fifth of a list's page: three queries and their labels."""
    errors = tuple((name, tuple(map(str, messages))) for name, messages in form.errors.items())
    lists = form.data.lists() if hasattr(form.data, "lists") else ((k, [v]) for k, v in form.data.items())
    data = tuple(sorted((key, tuple(map(str, values))) for key, values in lists))
    reference = answered_reference()
    if reference is not None:
        return (type(form), data, reference, errors)
    fields = []
    for name, field in form.fields.items():
        choices = getattr(field.widget, "choices", None)
        if choices is not None:
            field.widget.choices = choices = list(choices)
        attrs = tuple(sorted((key, str(value)) for key, value in field.widget.attrs.items()))
        fields.append((name, str(field.label), attrs, _frozen_choices(choices or ())))
    return (type(form), data, tuple(fields), errors)


# Forms' fields drawn by `form_fields`, per distinct form and language.
form_fields_kept = Kept(size=512)


@register.simple_tag
def form_fields(form):
    """Each field of `form` as a label and its widget, drawn once per distinct form (`_form_key`) and
    language, and kept: a map's three lists of choices took a quarter of its page to draw."""
    return form_fields_kept.get(
        (_form_key(form), get_language()), lambda: render_to_string("tracker/includes/form_fields.html", {"form": form})
    )


@register.simple_tag(takes_context=True)
def filter_form(context, label="", errors_lead="", submit_label="", clear_label="", is_filtered=None):
    """A list's filters (`filter` in the context, a FilterSet), drawn once per distinct form and kept.

    The key is all the markup shows: the parameters, every field's label, attributes and choices (read
    here once and handed to the widget, so that drawing it does not read them again) and errors, the
    address and the language.
    """
    filterset, request = context["filter"], context["request"]
    if is_filtered is None:
        is_filtered = context.get("is_filtered", False)
    parameters = (str(label), str(errors_lead), str(submit_label), str(clear_label), bool(is_filtered))
    key = (type(filterset), request.path, _form_key(filterset.form), parameters, get_language())
    include = {
        "filter": filterset,
        "request": request,
        "is_filtered": is_filtered,
        "label": label,
        "errors_lead": errors_lead,
        "submit_label": submit_label,
        "clear_label": clear_label,
    }
    return filter_forms_kept.get(key, lambda: render_to_string("tracker/includes/filter_form.html", include))


def _action_items(action, with_description) -> tuple:
    """What `tracker/includes/action.html` shows of an action."""
    return (
        ("pk", action.pk),
        ("title", action.title),
        ("taken_on", action.taken_on),
        ("actor_code", action.actor.code),
        ("actor_name", localized(action.actor, "name")),
        ("numbers", tuple(action.recommendation_numbers)),
        ("description", action.description if with_description else ""),
        ("source", action.information_source if with_description else ""),
    )


def _action_fragment(template_name, action, with_description, *shown):
    """`template_name` drawn with what it shows of `action` (`_action_items`) and `shown` besides; kept
    unless the description shown is too long to keep."""
    cacheable = not with_description or len(action.description) <= CACHED_DESCRIPTION_LENGTH
    return _render_fragment(template_name, (*shown, *_action_items(action, with_description)), cacheable)


def action_item(action, with_description=False):
    """A published action as every list and timeline shows it: title, date, actor, recommendations and,
    with `with_description`, its description and source."""
    return _action_fragment("tracker/includes/action.html", action, with_description)


# Lists of entries per distinct content and language: a recommendation's timeline (fifty entries) and
# responsible actors, a state's responsibilities, status changes and page of actions, the list of
# actions and of states, the dashboard's latest.
_entry_lists = Kept(size=512)


def _named_key(record) -> tuple | None:
    """What names a state or body in each language, as a key."""
    return None if record is None else (record.code, *(getattr(record, column, None) for column in NAME_COLUMNS))


def _action_key(action, with_description) -> tuple:
    """Every value `_action_items` shows of an action."""
    shown = (action.description, action.information_source) if with_description else ()
    numbers = tuple(action.recommendation_numbers)
    return (action.pk, action.title, action.taken_on, *shown, numbers, _named_key(action.actor))


def _status_change_key(change, about) -> tuple:
    """Every value `status_change_item` shows of a change of status."""
    about_key = _named_key(change.actor) if about == "actor" else change.recommendation.number
    return (change.pk, change.assessed_on, about_key, change.from_status, change.to_status, change.reason)


def _kept_list(name, keys, draw):
    """`draw()`, kept under `keys` (every value each entry shows) and the language."""
    return _entry_lists.get((name, tuple(keys), get_language()), draw)


@register.simple_tag
def action_items(actions, with_description=False):
    """`action_item` for each of `actions`, one per line, drawn once per distinct list and kept."""
    return _kept_list(
        ("actions", bool(with_description)),
        (_action_key(action, with_description) for action in actions),
        lambda: format_html_join("\n", "{}", ((action_item(action, with_description),) for action in actions)),
    )


@register.simple_tag
def status_change_items(changes, about):
    """`status_change_item` for each of `changes`, one per line, drawn once per distinct list and kept."""
    return _kept_list(
        ("status-changes", about),
        (_status_change_key(change, about) for change in changes),
        lambda: format_html_join("\n", "{}", ((status_change_item(change, about),) for change in changes)),
    )


@register.simple_tag
def timeline_entries(timeline, about):
    """The entries of a timeline (`selectors.timeline`): a published action with its date and
    description, or a change of status naming its state or body (`about`, as `status_change_item`
    takes it). Drawn once per distinct content and language, and kept."""
    keys = (
        ("action", entry["date"], *_action_key(entry["item"], True))
        if entry["kind"] == "action"
        else ("status", *_status_change_key(entry["item"], about))
        for entry in timeline
    )
    return _kept_list(("timeline", about), keys, lambda: _timeline_entries(timeline, about))


def _timeline_entries(timeline, about):
    """Each entry a kept fragment: fifty entries through the template engine's loop, one tag each,
    cost more than the fragments."""
    entries = []
    for entry in timeline:
        item = entry["item"]
        if entry["kind"] == "action":
            date = ("date", entry["date"])
            entries.append(_action_fragment("tracker/includes/timeline_action.html", item, True, date))
        else:
            entries.append(status_change_item(item, about))
    return format_html_join("\n    ", "{}", ((entry,) for entry in entries))


@register.simple_tag
def action_rows(actions):
    """The body rows of the compact list of actions: date, title, state or body, recommendations."""
    return _fragments(
        "tracker/includes/action_row.html",
        (
            (
                ("pk", action.pk),
                ("taken_on", action.taken_on),
                ("title", action.title),
                ("actor_name", conditional_escape(localized(action.actor, "name"))),
                ("numbers", tuple(action.recommendation_numbers)),
            )
            for action in actions
        ),
        "\n    ",
    )


@register.inclusion_tag("tracker/includes/sort_header.html", takes_context=True)
def sort_header(context, sort, key, label, first="asc", param="sort", css=""):
    """A column header that sorts its table by `key` (`first`: the direction a first click asks for),
    marked with `aria-sort` when the table is sorted by it."""
    request = context["request"]
    active = sort is not None and sort.key == key
    descending_next = (not sort.descending) if active else first == "desc"
    next_value = f"-{key}" if descending_next else key
    query = request.GET.copy()
    query[param] = next_value
    query.pop("page", None)
    return {
        "label": label,
        "href": f"?{query.urlencode()}",
        "aria_sort": ("descending" if sort.descending else "ascending") if active else None,
        "css": css,
    }
