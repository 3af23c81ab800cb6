from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/", include("tracker.api.urls")),
    path("", include("tracker.urls")),
]

handler400 = "tracker.views.public.bad_request"
handler404 = "tracker.views.public.page_not_found"
