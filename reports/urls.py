from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("figures/", views.figures, name="figures"),
    path("glossary/", views.glossary, name="glossary"),
    path("targets/", views.target_list, name="targets"),
    path("targets/new/", views.target_edit, name="target_create"),
    path("targets/<int:pk>/edit/", views.target_edit, name="target_edit"),
    path("targets/<int:pk>/delete/", views.target_delete, name="target_delete"),
    path("targets/export/", views.target_export, name="target_export"),
    path("targets/import/", views.target_import, name="target_import"),
]
