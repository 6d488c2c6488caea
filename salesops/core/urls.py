from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("timeline/<int:ct_id>/<int:obj_id>/comment/", views.comment_add, name="comment_add"),
    path("timeline/<int:ct_id>/<int:obj_id>/attachment/", views.attachment_add, name="attachment_add"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read-all/", views.notifications_mark_all_read, name="notifications_mark_all_read"),
    path("notifications/<int:pk>/read/", views.notification_mark_read_view, name="notification_mark_read"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
    path("approvals/", views.approvals_inbox, name="approvals_inbox"),
    path("approvals/steps/<int:pk>/decide/", views.approval_decide, name="approval_decide"),
    path("approvals/approve-many/", views.approvals_approve_many, name="approvals_approve_many"),
    path("exports/runs/", views.export_run_list, name="export_run_list"),
    path("exports/runs/<int:pk>/", views.export_run_detail, name="export_run_detail"),
    path("exports/runs/<int:pk>/download/", views.export_run_download, name="export_run_download"),
    path("exports/runs/<int:pk>/retry/", views.export_run_retry, name="export_run_retry"),
    path("exports/<slug:name>/", views.list_export, name="list_export"),
    path("imports/<slug:name>/", views.import_upload, name="import_upload"),
    path("imports/<slug:name>/commit/", views.import_commit, name="import_commit"),
    path("imports/<slug:name>/template/", views.import_template, name="import_template"),
]
