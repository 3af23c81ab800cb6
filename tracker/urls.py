from django.urls import path, re_path

from .caching import public_page
from .views import (
    discovery,
    documents,
    downloads,
    feeds,
    liaison,
    public,
    report,
    review,
    round_report,
    rounds,
    rounds_liaison,
    search,
)

app_name = "tracker"

# These URLs are the public interface: keep them stable.
urlpatterns = [
    path("healthz", public.healthz, name="healthz"),
    path(".well-known/security.txt", public.security_txt, name="security_txt"),
    path("robots.txt", discovery.robots_txt, name="robots_txt"),
    path("sitemap.xml", discovery.sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>.xml", discovery.sitemap_section, name="sitemap_section"),
    path("favicon.ico", discovery.favicon, name="favicon"),
    path("", public.dashboard, name="dashboard"),
    path("recommendations/", public.recommendation_list, name="recommendation_list"),
    path("recommendations/<int:number>/", public.recommendation_detail, name="recommendation_detail"),
    path("actors/", public.actor_list, name="actor_list"),
    path("actors/<str:code>/", public.actor_detail, name="actor_detail"),
    path("actions/", public.action_list, name="action_list"),
    path("actions/<int:pk>/", public.action_detail, name="action_detail"),
    path("forum/", public.forum_record, name="forum_record"),
    path("map/", public.progress_map, name="map"),
    path("themes/", public.theme_list, name="theme_list"),
    path("themes/<slug:slug>/", public.theme_detail, name="theme_detail"),
    path("sdg/<str:number>/", public.sdg_detail, name="sdg_detail"),
    path("search/", search.search, name="search"),
    path("documents/<int:pk>/", documents.evidence_document, name="evidence_document"),
    path("rounds/", rounds.round_list, name="round_list"),
    path("rounds/<int:pk>/", rounds.round_detail, name="round_detail"),
    re_path(
        r"^rounds/(?P<pk>[0-9]+)/completeness\.(?P<fmt>csv|xlsx)$",
        rounds.round_completeness_export,
        name="round_completeness_export",
    ),
    re_path(
        r"^rounds/(?P<pk>[0-9]+)/snapshot\.(?P<fmt>csv|xlsx)$",
        rounds.round_snapshot_export,
        name="round_snapshot_export",
    ),
    path("rounds/<int:pk>/report/", round_report.round_report, name="round_report"),
    path("rounds/<int:pk>/report.pdf", round_report.round_report_pdf, name="round_report_pdf"),
    path("rounds/<int:pk>/report.docx", round_report.round_report_docx, name="round_report_docx"),
    # Open data: downloads that mirror the pages, Atom feeds and the committee report.
    re_path(r"^export/matrix\.(?P<fmt>csv|xlsx)$", downloads.matrix_export, name="export_matrix"),
    re_path(r"^export/matrix-grid\.(?P<fmt>csv|xlsx)$", downloads.matrix_grid_export, name="export_matrix_grid"),
    re_path(
        r"^export/recommendations\.(?P<fmt>csv|xlsx)$", downloads.recommendations_export, name="export_recommendations"
    ),
    re_path(r"^export/actions\.(?P<fmt>csv|xlsx)$", downloads.actions_export, name="export_actions"),
    re_path(r"^export/actors\.(?P<fmt>csv|xlsx)$", downloads.actors_export, name="export_actors"),
    re_path(
        r"^export/status-changes\.(?P<fmt>csv|xlsx)$", downloads.status_changes_export, name="export_status_changes"
    ),
    path("export/datapackage.json", downloads.data_package, name="data_package"),
    path("export/all.zip", downloads.everything_zip, name="export_all"),
    path("feed/", public_page(feeds.FollowUpFeed()), name="feed"),
    path("recommendations/<int:number>/feed/", public_page(feeds.RecommendationFeed()), name="recommendation_feed"),
    path("actors/<str:code>/feed/", public_page(feeds.ActorFeed()), name="actor_feed"),
    path("report/", report.committee_report, name="committee_report"),
    # Liaisons and staff review.
    path("accounts/welcome/", liaison.after_login, name="after_login"),
    path("liaison/", liaison.liaison_home, name="liaison_home"),
    path("liaison/reports/new/", liaison.report_create, name="liaison_report_create"),
    path("liaison/reports/<int:pk>/", liaison.report_detail, name="liaison_report"),
    path("liaison/reports/<int:pk>/edit/", liaison.report_edit, name="liaison_report_edit"),
    path("liaison/reports/<int:pk>/submit/", liaison.report_submit, name="liaison_report_submit"),
    path("liaison/rounds/<int:round_id>/", rounds_liaison.round_report, name="liaison_round"),
    path("review/", review.review_queue, name="review_queue"),
    path("review/<int:pk>/", review.review_detail, name="review_detail"),
    path("review/rounds/<int:pk>/", review.round_review, name="round_review"),
]
