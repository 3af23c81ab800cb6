"""Markdown is rendered in time linear in its length, and sanitised (finding 2 of the security review)."""

import time

import pytest

from tracker.markdown import render_markdown

LENGTH = 20_000
PATHOLOGICAL = {
    "brackets": "[" * LENGTH,
    "closing brackets": "]" * LENGTH,
    "link openers": "[a](" * (LENGTH // 4),
    "stars": "*" * LENGTH,
    "star words": "*a " * (LENGTH // 3),
    "underscores": "_" * LENGTH,
    "underscore words": "_a " * (LENGTH // 3),
    "backticks": "`" * LENGTH,
    "angle brackets": "<" * LENGTH,
    "tags": "<a>" * (LENGTH // 3),
    "quote nesting": ">" * LENGTH,
    "quote and list nesting": "> - " * (LENGTH // 4),
    "list nesting": "".join("  " * depth + "- item\n" for depth in range(200)),
    "emphasis nesting": "*_" * (LENGTH // 2),
    "entities": "&#" * (LENGTH // 2),
    "html comments": "<!--" * (LENGTH // 4),
}


def _cpu_seconds(text):
    started = time.process_time()
    render_markdown(text)
    return time.process_time() - started


@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_a_pathological_description_renders_in_time_linear_in_its_length(name):
    """Ten times the text takes some ten to thirty times as long (the emphasis rules are not quite
    linear), not a hundred (a parser that backtracks), and the whole of it well under two seconds of
    CPU. Held to the growth rather than to a fixed half second alone, which a machine twice as slow
    moved past its limit."""
    text = PATHOLOGICAL[name][:LENGTH]
    # Never from the cache: each text is new (a trailing space or two changes nothing it renders).
    tenth = min(_cpu_seconds(text[: LENGTH // 10] + " " * n) for n in (1, 2, 3))
    whole = min(_cpu_seconds(text + " " * n) for n in (1, 2))
    assert whole < 2.0, name
    assert whole < 50 * tenth + 0.05, (name, whole, tenth)


def test_markup_is_sanitised():
    html = render_markdown(
        "**bold** [ok](https://example.org) [bad](javascript:alert(1)) <script>alert(1)</script> "
        '<img src=x onerror="alert(1)"> <a href="https://example.org" onclick="alert(1)">x</a>'
    )
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.org"' in html and 'rel="noopener noreferrer nofollow"' in html
    for forbidden in ("<script", 'href="javascript:', "onerror=", "onclick=", "<img"):
        assert forbidden not in html


@pytest.mark.parametrize("text", ["see [1] and [2].", "[foo][] [bar]", "- [ ] task\n- [x] done", "*[a]* `[c]`"])
def test_brackets_that_can_make_no_link_render_as_the_parser_with_links_renders_them(text):
    from tracker.markdown import _parser, _parser_without_links

    assert "](" not in text and "]:" not in text
    assert _parser_without_links.render(text) == _parser.render(text)
