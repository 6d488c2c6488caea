from django.urls import path

from .views import callbacks, complaints, plans, returns, tickets

app_name = "aftersales"
urlpatterns = [
    path("", callbacks.desk, name="desk"),
    path("callbacks/", callbacks.callback_list, name="callback_list"),
    path("callbacks/<int:pk>/", callbacks.callback_detail, name="callback_detail"),
    path("callbacks/<int:pk>/<slug:action>/", callbacks.callback_action, name="callback_action"),
    path("stats/", callbacks.stats, name="stats"),
    path("tickets/", tickets.ticket_list, name="ticket_list"),
    path("tickets/new/", tickets.ticket_create, name="ticket_create"),
    path("tickets/<int:pk>/", tickets.ticket_detail, name="ticket_detail"),
    path("tickets/<int:pk>/<slug:action>/", tickets.ticket_action, name="ticket_action"),
    path("complaints/", complaints.complaint_list, name="complaint_list"),
    path("complaints/new/", complaints.complaint_create, name="complaint_create"),
    path("complaints/<int:pk>/", complaints.complaint_detail, name="complaint_detail"),
    path("complaints/<int:pk>/<slug:action>/", complaints.complaint_action, name="complaint_action"),
    path("complaints/actions/<int:pk>/<slug:action>/", complaints.capa_action, name="capa_action"),
    path("my-actions/", complaints.my_actions, name="my_actions"),
    path("returns/", returns.rma_list, name="rma_list"),
    path("returns/new/", returns.rma_create, name="rma_create"),
    path("returns/<int:pk>/", returns.rma_detail, name="rma_detail"),
    path("returns/<int:pk>/<slug:action>/", returns.rma_action, name="rma_action"),
    path("returns/photos/<int:pk>/<slug:size>/", returns.rma_photo, name="rma_photo"),
    path("plans/", plans.plan_list, name="plan_list"),
    path("plans/new/", plans.plan_create, name="plan_create"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", plans.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/submit/", plans.plan_submit, name="plan_submit"),
    path("plans/<int:pk>/cancel/", plans.plan_cancel, name="plan_cancel"),
]
