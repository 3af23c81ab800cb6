"""Public pages. Placeholder views are replaced by the public side of the site."""

from django.db import connection
from django.http import HttpResponse


def healthz(request):
    """200 after a real round trip to the database; 503 when it cannot be reached."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
