"""Non-router paths of the kernel API under /api/v1/ (the viewsets are registered by api_views.register)."""

from django.urls import path

from . import accounts_api, api_views, imports_api

urlpatterns = [
    path("auth/token/", accounts_api.TokenView.as_view(), name="api-token"),
    path("auth/password-reset/", accounts_api.PasswordResetRequestView.as_view(), name="api-password-reset"),
    path(
        "auth/password-reset/confirm/",
        accounts_api.PasswordResetConfirmView.as_view(),
        name="api-password-reset-confirm",
    ),
    path("me/", accounts_api.MeView.as_view(), name="api-me"),
    path("me/password/", accounts_api.MePasswordView.as_view(), name="api-me-password"),
    path("me/token/", accounts_api.MeTokenView.as_view(), name="api-me-token"),
    path("me/sign-ins/", accounts_api.MeSignInsView.as_view(), name="api-me-sign-ins"),
    path("me/sign-ins/<int:pk>/", accounts_api.MeSignInView.as_view(), name="api-me-sign-in"),
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
