"""Addresses of the pages that are linked hundreds of times on one page (recommendations, actors)."""

from functools import lru_cache

from django.urls import get_script_prefix, get_urlconf, reverse


def page_url(viewname, *args):
    """`reverse(viewname, args=args)`, worked out once per process for each page.

    An address depends only on its arguments, the URL configuration and the prefix the site is served
    under, so those make the key. The dashboard links each recommendation and actor several times.
    """
    return _page_url(get_script_prefix(), get_urlconf(), viewname, args)


@lru_cache(maxsize=2048)
def _page_url(_prefix, _urlconf, viewname, args):
    return reverse(viewname, args=args)


def recommendation_url(number) -> str:
    """The public page of the recommendation with this number (of the current forum)."""
    return page_url("tracker:recommendation_detail", number)


def actor_url(code) -> str:
    return page_url("tracker:actor_detail", code)


def action_url(pk) -> str:
    """The permanent page of a published action."""
    return page_url("tracker:action_detail", pk)


def evidence_url(evidence) -> str:
    """Where a piece of evidence is read: its link, or the page that serves its document."""
    return evidence.url or page_url("tracker:evidence_document", evidence.pk)
