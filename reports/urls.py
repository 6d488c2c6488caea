from django.urls import path

from . import appraisal_views, run_views, views, weekly_views

app_name = "reports"
urlpatterns = [
    path("figures/", views.figures, name="figures"),
    path("glossary/", views.glossary, name="glossary"),
    path("targets/", views.target_list, name="targets"),
    path("targets/new/", views.target_edit, name="target_create"),
    path("targets/<int:pk>/edit/", views.target_edit, name="target_edit"),
    path("targets/<int:pk>/delete/", views.target_delete, name="target_delete"),
    path("targets/export/", views.target_export, name="target_export"),
    path("runs/", run_views.run_list, name="run_list"),
    path("runs/request/", run_views.run_request, name="run_request"),
    path("runs/<int:pk>/", run_views.run_detail, name="run_detail"),
    path("runs/<int:pk>/retry/", run_views.run_retry, name="run_retry"),
    path("runs/<int:pk>/download/", run_views.run_download, name="run_download"),
    path("digest/", run_views.digest, name="digest"),
    path("weekly/", weekly_views.weekly_list, name="weekly_list"),
    path("weekly/open/", weekly_views.weekly_open, name="weekly_open"),
    path("weekly/<int:pk>/", weekly_views.weekly_detail, name="weekly_detail"),
    path("weekly/<int:pk>/edit/", weekly_views.weekly_edit, name="weekly_edit"),
    path("weekly/<int:pk>/review/", weekly_views.weekly_review, name="weekly_review"),
    path("weekly/<int:pk>/<str:action>/", weekly_views.weekly_action, name="weekly_action"),
    path("appraisals/", appraisal_views.round_list, name="appraisal_rounds"),
    path("appraisals/open/", appraisal_views.round_open, name="appraisal_round_open"),
    path("appraisals/<int:pk>/", appraisal_views.round_detail, name="appraisal_round"),
    path("appraisals/<int:pk>/<str:action>/", appraisal_views.round_action, name="appraisal_round_action"),
    path("appraisals/people/", appraisal_views.appraisal_list, name="appraisal_list"),
    path("appraisals/people/<int:pk>/", appraisal_views.appraisal_detail, name="appraisal_detail"),
    path("appraisals/people/<int:pk>/score/", appraisal_views.appraisal_score, name="appraisal_score"),
    path("appraisals/people/<int:pk>/<str:action>/", appraisal_views.appraisal_action, name="appraisal_action"),
]
