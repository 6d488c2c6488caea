"""Non-router paths of the kernel API under /api/v1/ (the viewsets are registered by api_views.register)."""

from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token

from . import api_views

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
    path("approval-requests/<int:ct_id>/<int:obj_id>/", api_views.DocumentApprovalsView.as_view(), name="api-document-approvals"),
]
