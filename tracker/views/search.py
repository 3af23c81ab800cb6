"""The site search: one query over the published record, ranked, with the lists' filters."""

from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from ..caching import public_page
from ..filters import SearchForm
from ..search import parse_query
from ..selectors import search as selectors
from .public import page_of

# Searches people try: each links to its results, on the page shown before anything is typed.
EXAMPLES = ("consular protection", '"labour migration"', "trafficking OR smuggling", "human rights -detention")


def search_request(data, *, check_period=True):
    """(form, query, filters) of a search's query string; no query when the form is invalid."""
    form = SearchForm(data, check_period=check_period)
    if not form.is_valid():
        return form, parse_query(""), selectors.SearchFilters()
    cleaned = form.cleaned_data
    filters = selectors.SearchFilters(
        kind=cleaned["kind"] or "",
        actor=cleaned["actor"] or "",
        recommendation=cleaned["recommendation"],
        date_after=cleaned["date_after"],
        date_before=cleaned["date_before"],
    )
    return form, parse_query(cleaned["q"]), filters


@public_page
@require_safe
def search(request):
    form, query, filters = search_request(request.GET)
    language = get_language()
    context = {"form": form, "query": query, "filters": filters, "examples": EXAMPLES, "kinds": selectors.KIND_PLURALS}
    if query and not form.errors:
        kinds = selectors.matching(query, language, filters)
        numbers = selectors.counts(kinds)
        page = page_of(request, selectors.ranked(kinds, numbers, filters.kind))
        context.update(
            page=page,
            results=selectors.results(page.object_list, query, language),
            counts=[(kind, label, numbers[kind]) for kind, label in selectors.KIND_PLURALS.items()],
            total=sum(numbers.values()),
            left_out=[label for kind, label in selectors.KIND_PLURALS.items() if kind not in kinds],
        )
    return render(request, "tracker/search.html", context)
