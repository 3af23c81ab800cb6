"""Staff- and liaison-entered Markdown, rendered to safe HTML.

CommonMark (markdown-it-py), whose parser is linear in the length of the text: a description of
20,000 brackets or stars renders in a fraction of a second, where Python-Markdown took over a minute.
The result is sanitised with an allow-list (nh3): raw HTML in the text is kept only where it is an
allowed tag, and no script, handler, image or unsafe link survives, whatever the parser makes of it.
"""

from functools import lru_cache

import nh3
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "strong", "em", "a", "blockquote", "code", "pre", "h3", "h4"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
# Texts longer than this are rendered every time rather than kept: the cache stays small.
CACHED_LENGTH = 4000


def _parser_without(*rules):
    return MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False}).disable(list(rules))


_parser = _parser_without("image")
# A link needs "](" (inline) or a definition "[label]:" (reference): a text with neither can have
# none, and its brackets are text. Without the link rule, a run of 20,000 brackets, each of which
# the rule would try as a link's label, renders several times faster, to the same HTML.
_parser_without_links = _parser_without("image", "link")


def render_markdown(text: str):
    """The text as sanitised HTML, marked safe for templates."""
    text = text or ""
    if len(text) <= CACHED_LENGTH:
        return _cached(text)
    return _render(text)


@lru_cache(maxsize=2048)
def _cached(text):
    # Rendering is a pure function of the text, and costs most of an action's display: kept per process.
    return _render(text)


def _render(text):
    parser = _parser if "](" in text or "]:" in text else _parser_without_links
    html = parser.render(text)
    # Sanitised by nh3 just below: everything outside the allow-list is removed.
    return mark_safe(  # noqa: S308  # nosec B308 B703
        nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes={"http", "https", "mailto"},
            link_rel="noopener noreferrer nofollow",
        )
    )
