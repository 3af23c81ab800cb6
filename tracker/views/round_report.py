"""The committee's report on a closed reporting round: a printable page, a PDF and a Word document.

Who reported and when (never what, nor how its review went), the statuses at the close, and what
moved since the previous closed round; in the visitor's language, from the selectors of the round's
own page (`tracker.round_documents.round_report_context`). A round that is not closed has no report.
"""

from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from .. import round_documents
from ..caching import PAGE_TIMEOUT, data_version, public_page
from ..models import ReportingRound
from ..spreadsheets import filename
from ..throttling import throttled_download

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _closed_round_or_404(pk):
    round_ = get_object_or_404(ReportingRound.objects.prefetch_related("recommendations", "actors"), pk=pk)
    if not round_.is_closed:
        raise Http404
    return round_


def _built(kind: str, round_, build) -> bytes:
    """The file, built once for each version of what the public sees, day and language, and kept
    like the pages: a PDF takes seconds to draw, and a closed round's report changes only when a name
    or a translation does."""
    day, language = timezone.localdate().isoformat(), translation.get_language()
    key = f"round-report:{kind}:{round_.pk}:{data_version()}:{day}:{language}"
    content = cache.get(key)
    if content is None:
        content = build(round_documents.round_report_context(round_))
        cache.set(key, content, PAGE_TIMEOUT)
    return content


def _attachment(content: bytes, content_type: str, round_, extension: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename(f"round-{round_.pk}-report", extension)}"'
    # Written in the visitor's language, which the cookie or Accept-Language may choose.
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response


@public_page
@require_safe
def round_report(request, pk):
    """The report as a page in the site's design, which prints as a handout (print.css)."""
    round_ = _closed_round_or_404(pk)
    return render(request, "tracker/rounds/report.html", round_documents.round_report_context(round_))


@require_safe
@throttled_download
@public_page
def round_report_pdf(request, pk):
    round_ = _closed_round_or_404(pk)
    return _attachment(_built("pdf", round_, round_documents.round_report_pdf), "application/pdf", round_, "pdf")


@require_safe
@throttled_download
@public_page
def round_report_docx(request, pk):
    round_ = _closed_round_or_404(pk)
    return _attachment(_built("docx", round_, round_documents.round_report_docx), DOCX_TYPE, round_, "docx")
