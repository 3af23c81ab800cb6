"""Language chosen by a link: `?lang=es` on any URL serves that page in Spanish and remembers it.

A link with `?lang=` can be shared and opens in the same language for anyone; without it, the
remembered choice (a cookie), then the browser's Accept-Language, decide (Django's LocaleMiddleware).
The URLs themselves stay as they are in every language.
"""

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.middleware.gzip import GZipMiddleware
from django.utils import translation

ONE_YEAR = 365 * 24 * 60 * 60


class LanguageFromQueryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        code = request.GET.get("lang")
        if code not in self.supported:
            return self.get_response(request)
        translation.activate(code)
        request.LANGUAGE_CODE = code
        response = self.get_response(request)
        if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != code:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                code,
                max_age=ONE_YEAR,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
            )
        return response


class RejectNulCharactersMiddleware:
    """Answer 400 to an admin address whose query string holds a NUL character.

    PostgreSQL refuses NUL characters in text comparisons, and the admin's list filters pass their
    values to the query unchecked: left through, such a value fails there as a 500. The public lists
    need no such guard: their filters are forms, which refuse NUL characters with a clear message.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = "/admin/"

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if request.path.startswith(self.prefix) and "%00" in query:
            return HttpResponseBadRequest("A NUL character is not allowed in the address.\n", content_type="text/plain")
        return self.get_response(request)


# Formats that are compressed already: gzip on them costs the server's time and saves nothing.
ALREADY_COMPRESSED = (
    "application/pdf",
    "application/zip",
    "application/gzip",
    "application/vnd.openxmlformats-officedocument.",  # XLSX, DOCX
    "application/vnd.oasis.opendocument.",
    "audio/",
    "video/",
)


class CompressionMiddleware(GZipMiddleware):
    """Django's GZip middleware for what compresses: pages, JSON, feeds, CSV, SVG. The XLSX, ZIP,
    PDF and Word downloads and evidence documents in such formats pass as they are."""

    def process_response(self, request, response):
        content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
        is_bitmap = content_type.startswith("image/") and content_type != "image/svg+xml"
        if is_bitmap or content_type.startswith(ALREADY_COMPRESSED):
            return response
        return super().process_response(request, response)
