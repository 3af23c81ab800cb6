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


@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_a_pathological_description_renders_well_under_a_second(name):
    text = PATHOLOGICAL[name][:LENGTH]
    started = time.process_time()
    render_markdown(text + " ")  # never from the cache: each case is new
    assert time.process_time() - started < 0.5, name


def test_markup_is_sanitised():
    html = render_markdown(
        "**bold** [ok](https://example.org) [bad](javascript:alert(1)) <script>alert(1)</script> "
        '<img src=x onerror="alert(1)"> <a href="https://example.org" onclick="alert(1)">x</a>'
    )
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.org"' in html and 'rel="noopener noreferrer nofollow"' in html
    for forbidden in ("<script", 'href="javascript:', "onerror=", "onclick=", "<img"):
        assert forbidden not in html
