from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("products/", views.product_list, name="products"),
    path("products/new/", views.product_create, name="product_create"),
    path("products/lookup/", views.product_lookup, name="product_lookup"),
    path("products/<int:pk>/", views.product_detail, name="product_detail"),
    path("products/<int:pk>/edit/", views.product_update, name="product_update"),
    path("products/<int:pk>/status/<str:action>/", views.product_set_active, name="product_set_active"),
    path("pricelists/", views.pricelist_list, name="pricelists"),
    path("pricelists/new/", views.pricelist_create, name="pricelist_create"),
    path("pricelists/<int:pk>/", views.pricelist_detail, name="pricelist_detail"),
    path("pricelists/<int:pk>/edit/", views.pricelist_update, name="pricelist_update"),
    path("pricelists/<int:pk>/items/add/", views.pricelist_item_add, name="pricelist_item_add"),
    path("pricelist-items/<int:pk>/edit/", views.pricelist_item_edit, name="pricelist_item_edit"),
    path("pricelist-items/<int:pk>/remove/", views.pricelist_item_remove, name="pricelist_item_remove"),
    path("discounts/", views.discounts, name="discounts"),
]
