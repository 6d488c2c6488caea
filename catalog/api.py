"""/api/v1/ for products, price lists, price list rows and discount limits, and the resolved price of a product.

Everybody logged in reads; writes are for the sales manager and above and admin (discount limits: admin only) and go
through catalog.services. A user who may not write gets 403 {"code": "forbidden", "detail": …} before any validation.
Rates are fractions here (tax_rate 0.13 = 13 %); amounts are decimal strings.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from salesops.core.api import (
    ChoiceLabelField,
    HiddenFieldsMixin,
    ListRowsMixin,
    MoneyField,
    QuantityField,
    RateField,
    RowPlan,
    ScopedViewSet,
    lookup_action,
)
from salesops.core.errors import Forbidden
from salesops.core.export_runs_api import ExportActionMixin

from . import filters, rules, selectors, services
from .models import DiscountLimit, PriceList, PriceListItem, Product


# --- permissions --------------------------------------------------------------------------------------------------
class CatalogWritePermission(permissions.BasePermission):
    """Reads for everybody logged in; writes only for those services.can_edit_catalog allows (403 otherwise)."""

    allowed = staticmethod(services.can_edit_catalog)
    message = _("您可以查看产品与价格，但没有修改权限（只有销售部经理及以上和系统管理员可以维护）。")

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS or type(self).allowed(request.user):
            return True
        raise Forbidden(self.message)


class DiscountWritePermission(CatalogWritePermission):
    allowed = staticmethod(services.can_edit_discount_limits)
    message = _("只有系统管理员可以修改折扣权限。")


WRITE_PERMISSIONS = [permissions.IsAuthenticated, CatalogWritePermission]


# --- serializers --------------------------------------------------------------------------------------------------
class ProductSerializer(HiddenFieldsMixin, serializers.ModelSerializer):
    kind_display = ChoiceLabelField(source="kind")
    tax_rate = RateField(required=False, label=_("税率"), help_text=_("0.13 表示 13%；不填为 13%；范围 0–0.17"))

    class Meta:
        model = Product
        fields = [
            "id",
            "code",
            "name",
            "model",
            "spec",
            "unit",
            "tax_rate",
            "kind",
            "kind_display",
            "list_price",
            "standard_cost",
            "monthly_capacity",
            "ever_produced",
            "is_active",
            "description",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["is_active", "created_at", "updated_at"]
        # uniqueness of the code (case-insensitive) is checked by the service with a clear message
        extra_kwargs = {"code": {"validators": []}}

    def hidden_fields(self) -> set[str]:
        request = self.context.get("request")
        return {"standard_cost"} if request is not None and not selectors.can_view_cost(request.user) else set()


class ProductReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", label=_("原因"))


class PriceListItemSerializer(serializers.ModelSerializer):
    """A row of a price list. `price_list` and `product` are chosen on create and fixed afterwards."""

    product_code = serializers.CharField(source="product.code", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)
    product_model = serializers.CharField(source="product.model", read_only=True)
    list_price = MoneyField(source="product.list_price", read_only=True)
    tax_rate = serializers.DecimalField(source="product.tax_rate", max_digits=6, decimal_places=4, read_only=True)
    unit_price_excl = serializers.SerializerMethodField(help_text=_("不含税单价，四舍五入到分"))
    discount_rate = serializers.SerializerMethodField(help_text=_("低于标准价的比例，0.05 表示 5%"))
    min_quantity = QuantityField(required=False, label=_("起订量"))

    class Meta:
        model = PriceListItem
        fields = [
            "id",
            "price_list",
            "product",
            "product_code",
            "product_name",
            "product_model",
            "list_price",
            "unit_price",
            "min_quantity",
            "tax_rate",
            "unit_price_excl",
            "discount_rate",
        ]
        validators = []  # one row per product and list: the service refuses a duplicate with a clear message

    def get_fields(self):
        fields = super().get_fields()
        if isinstance(self.instance, PriceListItem):
            fields["price_list"] = serializers.PrimaryKeyRelatedField(read_only=True, label=_("价格表"))
            fields["product"] = serializers.PrimaryKeyRelatedField(read_only=True, label=_("产品"))
        return fields

    def get_unit_price_excl(self, obj) -> str:
        amounts = selectors.ResolvedPrice(product=obj.product, unit_price=obj.unit_price).amounts
        return format(amounts.amount_excl, "f")

    def get_discount_rate(self, obj) -> str:
        return format(rules.discount_rate(obj.product.list_price, obj.unit_price), "f")


class PriceListSerializer(serializers.ModelSerializer):
    customer_type = serializers.ChoiceField(
        choices=rules.CUSTOMER_TYPES,
        allow_blank=True,
        required=False,
        default="",
        label=_("适用客户类型"),
        help_text=_("空 = 不限"),
    )
    customer_grade = serializers.ChoiceField(
        choices=rules.CUSTOMER_GRADES,
        allow_blank=True,
        required=False,
        default="",
        label=_("适用客户等级"),
        help_text=_("空 = 不限"),
    )
    item_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = PriceList
        fields = [
            "id",
            "name",
            "customer_type",
            "customer_grade",
            "valid_from",
            "valid_to",
            "currency",
            "is_active",
            "notes",
            "item_count",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["created_by", "created_at"]
        row_annotations = ["item_count"]  # the list's rows read it as a column (selectors.price_list_list_for)


class PriceListDetailSerializer(PriceListSerializer):
    items = PriceListItemSerializer(many=True, read_only=True)

    class Meta(PriceListSerializer.Meta):
        fields = PriceListSerializer.Meta.fields + ["items"]


class DiscountLimitSerializer(serializers.ModelSerializer):
    role = serializers.ChoiceField(choices=DiscountLimit._meta.get_field("role").choices, label=_("角色"))
    role_display = ChoiceLabelField(source="role")

    class Meta:
        model = DiscountLimit
        fields = ["id", "role", "role_display", "max_discount_rate"]

    def get_fields(self):
        fields = super().get_fields()
        if isinstance(self.instance, DiscountLimit):  # a row's role is fixed; PUT/PATCH change the rate only
            fields["role"] = serializers.CharField(read_only=True, label=_("角色"))
        return fields


class MyDiscountLimitSerializer(serializers.Serializer):
    max_discount_rate = RateField()


class PriceQuerySerializer(serializers.Serializer):
    customer_type = serializers.ChoiceField(choices=rules.CUSTOMER_TYPE_CODES, required=False, allow_blank=True, default="")
    customer_grade = serializers.ChoiceField(choices=rules.CUSTOMER_GRADE_CODES, required=False, allow_blank=True, default="")
    date = serializers.DateField(required=False, allow_null=True, default=None, help_text=_("不填为今天"))
    quantity = QuantityField(required=False, allow_null=True, default=None, min_value=0)


class PriceListRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PriceResultSerializer(serializers.Serializer):
    product = serializers.IntegerField()
    customer_type = serializers.CharField()
    customer_grade = serializers.CharField()
    date = serializers.DateField()
    price_incl = MoneyField(help_text=_("含税单价"))
    price_excl = MoneyField(help_text=_("不含税单价（四舍五入到分）"))
    unit_price_excl = serializers.DecimalField(max_digits=18, decimal_places=4, help_text=_("不含税单价（4 位小数）"))
    tax = MoneyField(help_text=_("每单位税额 = 含税 − 不含税"))
    tax_rate = serializers.DecimalField(max_digits=6, decimal_places=4)
    list_price = MoneyField(help_text=_("标准含税单价"))
    discount_rate = serializers.DecimalField(max_digits=6, decimal_places=4, help_text=_("低于标准价的比例"))
    source = serializers.ChoiceField(choices=["price_list", "list_price"])
    price_list = PriceListRefSerializer(allow_null=True)


# --- viewsets -----------------------------------------------------------------------------------------------------
class _CatalogViewSet(ScopedViewSet):
    """Reads for everybody logged in, writes as CatalogWritePermission allows."""

    permission_classes = WRITE_PERMISSIONS


class ProductViewSet(
    ExportActionMixin,
    ListRowsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    _CatalogViewSet,
):
    """产品. Never deleted: POST …/deactivate/ (停售) and …/reactivate/. GET …/price/ resolves the price for a customer."""

    selector = staticmethod(selectors.product_list_for)
    serializer_class = ProductSerializer
    export_name = "products"  # GET …/export/: the filtered rows as .xlsx (salesops.core.exports)
    filterset_class = filters.ProductFilter
    search_fields = list(selectors.PRODUCT_SEARCH_FIELDS)
    ordering_fields = list(selectors.PRODUCT_ORDERING_FIELDS)
    ordering = ["code"]
    lookup = lookup_action(selectors.product_lookup, "产品选择器：按编号/名称/型号/规格输入联想（只含在售产品）")

    def perform_create(self, serializer):
        serializer.instance = services.product_create(actor=self.request.user, data=serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.product_update(
            actor=self.request.user, product=serializer.instance, data=serializer.validated_data
        )

    def _respond(self, product):
        return Response(ProductSerializer(product, context=self.get_serializer_context()).data)

    @extend_schema(request=ProductReasonSerializer, responses=ProductSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        """停售."""
        product = self.get_object()
        reason = self.validated_input(ProductReasonSerializer)["reason"]
        return self._respond(services.product_deactivate(actor=request.user, product=product, reason=reason))

    @extend_schema(request=ProductReasonSerializer, responses=ProductSerializer)
    @action(detail=True, methods=["post"])
    def reactivate(self, request, pk=None):
        """重新上架."""
        product = self.get_object()
        reason = self.validated_input(ProductReasonSerializer)["reason"]
        return self._respond(services.product_reactivate(actor=request.user, product=product, reason=reason))

    @extend_schema(
        parameters=[
            OpenApiParameter("customer_type", str, enum=list(rules.CUSTOMER_TYPE_CODES), description="客户类型（空 = 未知客户）"),
            OpenApiParameter("customer_grade", str, enum=list(rules.CUSTOMER_GRADE_CODES), description="客户等级"),
            OpenApiParameter("date", str, description="YYYY-MM-DD，不填为今天"),
            OpenApiParameter("quantity", str, description="数量；给出时跳过起订量高于该数量的价格行"),
        ],
        responses=PriceResultSerializer,
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def price(self, request, pk=None):
        """The tax-inclusive price of this product for a customer type/grade on a date (most specific valid price list,
        else the list price), with the tax-exclusive price and the tax derived exactly."""
        product = self.get_object()
        query = self.validated_input(PriceQuerySerializer, data=request.query_params)
        on_date = query["date"] or timezone.localdate()
        resolved = selectors.resolve_price(
            product=product,
            customer_type=query["customer_type"],
            customer_grade=query["customer_grade"],
            on_date=on_date,
            quantity=query["quantity"],
        )
        amounts = resolved.amounts
        result = {
            "product": product.pk,
            "customer_type": query["customer_type"],
            "customer_grade": query["customer_grade"],
            "date": on_date,
            "price_incl": resolved.unit_price,
            "price_excl": amounts.amount_excl,
            "unit_price_excl": amounts.unit_price_excl,
            "tax": amounts.tax,
            "tax_rate": resolved.tax_rate,
            "list_price": resolved.list_price,
            "discount_rate": resolved.discount_rate,
            "source": "price_list" if resolved.from_price_list else "list_price",
            "price_list": {"id": resolved.price_list.pk, "name": resolved.price_list.name} if resolved.price_list else None,
        }
        return Response(PriceResultSerializer(result).data)


class PriceListViewSet(
    ExportActionMixin,
    ListRowsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    _CatalogViewSet,
):
    """价格表. The detail includes its rows (`items`); rows are written at /price-list-items/."""

    selector = staticmethod(selectors.price_list_list_for)
    export_name = "price-lists"  # GET …/export/: the filtered rows as .xlsx (salesops.core.exports)
    filterset_class = filters.PriceListFilter
    search_fields = ["name", "notes"]
    ordering_fields = list(selectors.PRICE_LIST_ORDERING_FIELDS)
    ordering = ["-valid_from", "name"]

    def get_serializer_class(self):
        return PriceListDetailSerializer if self.action == "retrieve" else PriceListSerializer

    def retrieve(self, request, *args, **kwargs):
        """The price list with every row, by product code: the rows read with values() and formatted as
        /price-list-items/ gives them (PriceListItemSerializer's RowPlan), not by a serializer per row (60,000 rows:
        4.7 s)."""
        price_list = self.get_object()
        context = self.get_serializer_context()
        data = PriceListSerializer(price_list, context=context).data
        plan = RowPlan.of(PriceListItemSerializer)
        data["items"] = plan.format(plan.values(selectors.price_list_items(price_list)), PriceListItemSerializer(context=context))
        return Response(data)

    def perform_create(self, serializer):
        price_list = services.price_list_create(actor=self.request.user, data=serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=price_list.pk)  # with its item_count

    def perform_update(self, serializer):
        price_list = services.price_list_update(
            actor=self.request.user, price_list=serializer.instance, data=serializer.validated_data
        )
        serializer.instance = self.get_queryset().get(pk=price_list.pk)


class PriceListItemViewSet(
    ListRowsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    _CatalogViewSet,
):
    """价格表明细: one row per product and list (a duplicate is refused with 400 code "duplicate_item")."""

    selector = staticmethod(selectors.price_list_item_list_for)
    serializer_class = PriceListItemSerializer
    filterset_class = filters.PriceListItemFilter
    search_fields = ["product__code", "product__name", "product__model", "price_list__name"]
    ordering_fields = ["unit_price", "product__code", "id"]
    # by product code, then list: a product's prices side by side, walked on the product code index (ordering by the
    # list first sorted every item of every list: 65 ms at 60,000 items); `id` last makes the order complete, so the
    # last pages are read backwards along the same index (core.pages.ListPaginator)
    ordering = ["product__code", "price_list_id", "id"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.price_list_item_add(
            actor=self.request.user,
            price_list=data["price_list"],
            product=data["product"],
            unit_price=data["unit_price"],
            min_quantity=data.get("min_quantity", 0),
        )

    def perform_update(self, serializer):
        serializer.instance = services.price_list_item_update(
            actor=self.request.user, item=serializer.instance, data=serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.price_list_item_remove(actor=self.request.user, item=instance)


class DiscountLimitViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, _CatalogViewSet
):
    """折扣权限 per role (/discount-limits/{role}/). POST sets a role's limit (creating it), PUT/PATCH changes it. Admin only."""

    selector = staticmethod(selectors.discount_limit_list_for)
    serializer_class = DiscountLimitSerializer
    permission_classes = [permissions.IsAuthenticated, DiscountWritePermission]
    lookup_field = "role"
    filter_backends = []
    pagination_class = None

    def create(self, request, *args, **kwargs):
        data = self.validated_input(DiscountLimitSerializer)
        limit = services.discount_limit_update(actor=request.user, role=data["role"], max_discount_rate=data["max_discount_rate"])
        return Response(self.get_serializer(limit).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.discount_limit_update(
            actor=self.request.user,
            role=serializer.instance.role,
            max_discount_rate=data.get("max_discount_rate", serializer.instance.max_discount_rate),
        )

    @extend_schema(responses=MyDiscountLimitSerializer)
    @action(detail=False, methods=["get"])
    def mine(self, request):
        """The requesting user's own limit (the largest among their roles; 0 if none)."""
        return Response(MyDiscountLimitSerializer({"max_discount_rate": selectors.discount_limit_for(request.user)}).data)


def register(router):
    """Register this app's viewsets on the /api/v1/ router."""
    router.register("products", ProductViewSet, basename="product")
    router.register("price-lists", PriceListViewSet, basename="price-list")
    router.register("price-list-items", PriceListItemViewSet, basename="price-list-item")
    router.register("discount-limits", DiscountLimitViewSet, basename="discount-limit")
