from django.urls import path

from . import views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_create, name="create"),
    path("lookup/", views.customer_lookup, name="lookup"),
    path("parties/", views.customer_parties, name="parties"),
    path("follow-ups/due/", views.followups_due, name="followups_due"),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/edit/", views.customer_update, name="update"),
    path("<int:pk>/reassign/", views.customer_reassign, name="reassign"),
    path("<int:pk>/status/<str:action>/", views.customer_change_status, name="change_status"),
    path("<int:pk>/follow-ups/add/", views.followup_add, name="followup_add"),
    path("<int:pk>/contacts/add/", views.child_add, {"kind": "contact"}, name="contact_add"),
    path("contacts/<int:pk>/edit/", views.child_edit, {"kind": "contact"}, name="contact_edit"),
    path("<int:pk>/addresses/add/", views.child_add, {"kind": "address"}, name="address_add"),
    path("addresses/<int:pk>/edit/", views.child_edit, {"kind": "address"}, name="address_edit"),
    path("<int:pk>/invoice-titles/add/", views.child_add, {"kind": "invoice_title"}, name="invoice_title_add"),
    path("invoice-titles/<int:pk>/edit/", views.child_edit, {"kind": "invoice_title"}, name="invoice_title_edit"),
    path("visit-plans/", views.visit_plans, name="visit_plans"),
    path("visit-plans/new/", views.visit_plan_create, name="visit_plan_create"),
    path("visit-plans/<int:pk>/review/", views.visit_plan_review, name="visit_plan_review"),
    path("visit-plans/<int:pk>/cancel/", views.visit_plan_cancel, name="visit_plan_cancel"),
    path("opportunities/", views.opportunity_list, name="opportunity_list"),
    path("opportunities/new/", views.opportunity_create, name="opportunity_create"),
    path("opportunities/<int:pk>/", views.opportunity_detail, name="opportunity_detail"),
    path("opportunities/<int:pk>/edit/", views.opportunity_action, {"action": "edit"}, name="opportunity_edit"),
    path("opportunities/<int:pk>/move/", views.opportunity_action, {"action": "move"}, name="opportunity_move"),
    path("opportunities/<int:pk>/win/", views.opportunity_action, {"action": "win"}, name="opportunity_win"),
    path("opportunities/<int:pk>/lose/", views.opportunity_action, {"action": "lose"}, name="opportunity_lose"),
    path(
        "opportunities/<int:pk>/request-bid/",
        views.opportunity_action,
        {"action": "request_bid"},
        name="opportunity_request_bid",
    ),
    path("opportunities/<int:pk>/<str:action>/", views.opportunity_action, name="opportunity_action"),
    path("visits/", views.visits, name="visits"),
    path("visits/new/", views.visit_create, name="visit_create"),
]
