"""Non-router paths of the kernel API under /api/v1/ (the viewsets are registered by api_views.register)."""

from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token

from . import api_views, imports_api

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("me/", api_views.MeView.as_view(), name="api-me"),
    path("timeline/<int:ct_id>/<int:obj_id>/", api_views.TimelineView.as_view(), name="api-timeline"),
    path("timeline/<int:ct_id>/<int:obj_id>/comments/", api_views.TimelineCommentsView.as_view(), name="api-timeline-comments"),
    path(
        "timeline/<int:ct_id>/<int:obj_id>/attachments/",
        api_views.TimelineAttachmentsView.as_view(),
        name="api-timeline-attachments",
    ),
    path("attachments/<int:pk>/download/", api_views.AttachmentDownloadView.as_view(), name="api-attachment-download"),
    path("imports/<slug:name>/template/", imports_api.ImportTemplateView.as_view(), name="api-import-template"),
    path("imports/<slug:name>/preview/", imports_api.ImportPreviewView.as_view(), name="api-import-preview"),
    path("imports/<slug:name>/commit/", imports_api.ImportCommitView.as_view(), name="api-import-commit"),
    path("approval-requests/<int:ct_id>/<int:obj_id>/", api_views.DocumentApprovalsView.as_view(), name="api-document-approvals"),
]
