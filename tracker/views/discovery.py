"""What crawlers and browsers ask of every site: robots.txt, the sitemap and the favicon."""

from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_safe

from ..caching import public_page
from ..sitemaps import SITEMAPS

# Where people sign in and work: nothing there is for a search engine.
PRIVATE_PREFIXES = ["/admin/", "/liaison/", "/review/", "/accounts/"]


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


@require_safe
def robots_txt(request):
    """Every public page may be crawled; the sign-in, the liaisons' and the staff's pages may not."""
    lines = ["User-agent: *", "Allow: /"]
    lines += [f"Disallow: {prefix}" for prefix in PRIVATE_PREFIXES]
    lines += ["", f"Sitemap: {_absolute(reverse('tracker:sitemap'))}"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@public_page
@require_safe
@sitemap_views.x_robots_tag
def sitemap_index(request):
    """The sitemap's index: each section, and each further page of a long one (the actions)."""
    items = []
    for section, sitemap_class in SITEMAPS.items():
        sitemap = sitemap_class()
        location = _absolute(reverse("tracker:sitemap_section", kwargs={"section": section}))
        lastmod = sitemap.get_latest_lastmod()
        items.append(sitemap_views.SitemapIndexItem(location, lastmod))
        for page in range(2, sitemap.paginator.num_pages + 1):
            items.append(sitemap_views.SitemapIndexItem(f"{location}?p={page}", lastmod))
    return TemplateResponse(request, "sitemap_index.xml", {"sitemaps": items}, content_type="application/xml")


@public_page
@require_safe
def sitemap_section(request, section):
    return sitemap_views.sitemap(request, SITEMAPS, section=section)


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says: send them to the icon."""
    return redirect(static("favicon.svg"), permanent=True)
