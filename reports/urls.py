from django.urls import path

from . import run_views

app_name = "reports"
urlpatterns = [
    path("runs/", run_views.run_list, name="run_list"),
    path("runs/request/", run_views.run_request, name="run_request"),
    path("runs/<int:pk>/", run_views.run_detail, name="run_detail"),
    path("runs/<int:pk>/retry/", run_views.run_retry, name="run_retry"),
    path("runs/<int:pk>/download/", run_views.run_download, name="run_download"),
    path("digest/", run_views.digest, name="digest"),
]
