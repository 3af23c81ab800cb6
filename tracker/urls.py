from django.urls import path, re_path

from . import exports, feeds, liaison, review, views

app_name = "tracker"

# These URLs are the public interface: keep them stable.
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("", views.dashboard, name="dashboard"),
    path("recommendations/", views.recommendation_list, name="recommendation_list"),
    path("recommendations/<int:number>/", views.recommendation_detail, name="recommendation_detail"),
    path("actors/", views.actor_list, name="actor_list"),
    path("actors/<str:code>/", views.actor_detail, name="actor_detail"),
    path("actions/", views.action_list, name="action_list"),
    path("forum/", views.forum_record, name="forum_record"),
    # Open data: downloads that mirror the pages, Atom feeds and the committee report.
    re_path(r"^export/matrix\.(?P<fmt>csv|xlsx)$", exports.matrix_export, name="export_matrix"),
    re_path(
        r"^export/recommendations\.(?P<fmt>csv|xlsx)$", exports.recommendations_export, name="export_recommendations"
    ),
    re_path(r"^export/actions\.(?P<fmt>csv|xlsx)$", exports.actions_export, name="export_actions"),
    path("feed/", feeds.FollowUpFeed(), name="feed"),
    path("recommendations/<int:number>/feed/", feeds.RecommendationFeed(), name="recommendation_feed"),
    path("actors/<str:code>/feed/", feeds.ActorFeed(), name="actor_feed"),
    path("report/", exports.committee_report, name="committee_report"),
    # Liaisons and staff review.
    path("accounts/welcome/", liaison.after_login, name="after_login"),
    path("liaison/", liaison.liaison_home, name="liaison_home"),
    path("liaison/reports/new/", liaison.report_create, name="liaison_report_create"),
    path("liaison/reports/<int:pk>/", liaison.report_detail, name="liaison_report"),
    path("liaison/reports/<int:pk>/edit/", liaison.report_edit, name="liaison_report_edit"),
    path("liaison/reports/<int:pk>/submit/", liaison.report_submit, name="liaison_report_submit"),
    path("review/", review.review_queue, name="review_queue"),
    path("review/<int:pk>/", review.review_detail, name="review_detail"),
]
