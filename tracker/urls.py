from django.urls import path

from . import views

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
]
