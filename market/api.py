"""The API of 市场信息: list (filters, search, `is_read`, pages, …/export/ as .xlsx), read (marks it read), report
(POST, published at once), correct (PATCH, the author), …/withdraw/ (撤回, with the reason) and …/read/ (mark read
without opening the page). Every write goes through market.services, as the pages do."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from salesops.core.api import (
    ID_MAX,
    AsciiIntegerField,
    ChoiceLabelField,
    ListRowsMixin,
    RelatedTextField,
    ScopedViewSet,
    UserNameField,
)
from salesops.core.api_filters import ListFilterBackend
from salesops.core.errors import DomainError
from salesops.core.export_runs_api import ExportActionMixin

from . import permissions, selectors, services
from .filters import MarketInfoFilter
from .models import MarketInfo
from .rules import Kind, Source


class MarketInfoSerializer(serializers.ModelSerializer):
    """A row of the market information list; `is_read`: whether the requesting user has opened it."""

    kind_display = ChoiceLabelField(source="kind")
    source_display = ChoiceLabelField(source="source")
    customer_name = RelatedTextField(source="customer.name")
    reported_by_name = UserNameField(source="reported_by")
    status_display = ChoiceLabelField(source="status")
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = MarketInfo
        fields = [
            "id",
            "number",
            "kind",
            "kind_display",
            "source",
            "source_display",
            "title",
            "competitor",
            "region",
            "customer",
            "customer_name",
            "product",
            "important",
            "reported_by",
            "reported_by_name",
            "team",
            "status",
            "status_display",
            "is_read",
            "created_at",
        ]
        read_only_fields = fields
        row_annotations = ["is_read"]  # selectors.infos_for annotates it


class MarketInfoDetailSerializer(MarketInfoSerializer):
    """The whole entry, how many have read it (for its author and the sales managers; else null), and what the requesting
    user may do now."""

    product_label = RelatedTextField(source="product.name")
    read_count = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta(MarketInfoSerializer.Meta):
        fields = MarketInfoSerializer.Meta.fields + [
            "content",
            "product_label",
            "withdraw_reason",
            "updated_at",
            "read_count",
            "allowed_actions",
        ]
        read_only_fields = fields

    def get_read_count(self, obj) -> int | None:
        user = self.context["request"].user
        if obj.reported_by_id == user.pk or "withdraw" in permissions.info_allowed_actions(obj, user):
            return selectors.read_count(obj)
        return None

    def get_allowed_actions(self, obj) -> list[str]:
        return permissions.info_allowed_actions(obj, self.context["request"].user)


class MarketInfoInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices, label=_("信息类别"))
    source = serializers.ChoiceField(choices=Source.choices, label=_("信息来源"))
    title = serializers.CharField(max_length=100, label=_("标题"))
    content = serializers.CharField(label=_("信息内容"))
    competitor = serializers.CharField(max_length=100, required=False, allow_blank=True, default="", label=_("竞争对手"))
    region = serializers.CharField(max_length=50, required=False, allow_blank=True, default="", label=_("地区"))
    customer = AsciiIntegerField(required=False, allow_null=True, min_value=1, max_value=ID_MAX, label=_("相关客户"))
    product = AsciiIntegerField(required=False, allow_null=True, min_value=1, max_value=ID_MAX, label=_("相关产品"))
    important = serializers.BooleanField(required=False, default=False, label=_("重要"))


class MarketInfoPatchSerializer(MarketInfoInputSerializer):
    """The fields given are changed; the others stay."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
            if hasattr(field, "default"):
                field.default = serializers.empty


class MarketWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, label=_("撤回原因"))


class CompetitorSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    entries = serializers.IntegerField(read_only=True, help_text="期间内报告的竞争对手信息数")
    last_reported = serializers.DateTimeField(read_only=True, allow_null=True)
    open_count = serializers.IntegerField(read_only=True, help_text="跟进中的销售机会数（不限期间）")
    open_amount = serializers.DecimalField(max_digits=18, decimal_places=2, read_only=True)
    won_count = serializers.IntegerField(read_only=True, help_text="期间内对其赢单数")
    won_amount = serializers.DecimalField(max_digits=18, decimal_places=2, read_only=True)
    lost_count = serializers.IntegerField(read_only=True, help_text="期间内输给它的机会数")
    lost_amount = serializers.DecimalField(max_digits=18, decimal_places=2, read_only=True)
    win_rate = serializers.DecimalField(max_digits=9, decimal_places=4, read_only=True, allow_null=True)


class MarketInfoViewSet(ExportActionMixin, ListRowsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """市场信息: the entries the user may read (a customer's only for who may see the customer; a withdrawn one for its
    author and the sales managers)."""

    selector = staticmethod(selectors.infos_for)
    serializer_class = MarketInfoSerializer
    detail_serializer_class = MarketInfoDetailSerializer
    export_name = "market-info"
    filterset_class = MarketInfoFilter
    filter_backends = [ListFilterBackend]

    def retrieve(self, request, pk=None):
        """The entry; reading it marks it read."""
        info = self.get_object()
        services.info_mark_read(info=info, actor=request.user)
        return self.respond(info)

    @extend_schema(request=MarketInfoInputSerializer, responses={201: MarketInfoDetailSerializer})
    def create(self, request):
        info = services.info_report(actor=request.user, data=self.validated_input(MarketInfoInputSerializer))
        return self.respond(info, status.HTTP_201_CREATED)

    @extend_schema(request=MarketInfoPatchSerializer, responses=MarketInfoDetailSerializer)
    def partial_update(self, request, pk=None):
        info = self.get_object()
        data = self.validated_input(MarketInfoPatchSerializer)
        return self.respond(services.info_update(info=info, actor=request.user, data=data))

    @extend_schema(request=MarketWithdrawSerializer, responses=MarketInfoDetailSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """撤回 (the author or a sales manager), with the reason."""
        reason = self.validated_input(MarketWithdrawSerializer)["reason"]
        return self.respond(services.info_withdraw(info=self.get_object(), actor=request.user, reason=reason))

    @extend_schema(request=None, responses=MarketInfoDetailSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """已阅: mark it read without opening it (once)."""
        info = self.get_object()
        services.info_mark_read(info=info, actor=request.user)
        return self.respond(info)

    @extend_schema(
        parameters=[
            OpenApiParameter("months", OpenApiTypes.INT, enum=[3, 6, 12], description="期间：近 3、6 或 12 个月（默认 12）")
        ],
        responses=CompetitorSerializer(many=True),
        summary="竞争对手分析：每个竞争对手的市场信息、跟进中的机会、赢单和输单",
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def competitors(self, request):
        months = request.query_params.get("months", "12")
        if months not in selectors.COMPETITOR_MONTHS:
            raise DomainError(str(_("期间应为 3、6 或 12 个月。")), code="months")
        rows = selectors.competitor_summary(request.user, selectors.months_ago(int(months)))
        return Response(CompetitorSerializer(rows, many=True).data)


def register(router) -> None:
    router.register("market-info", MarketInfoViewSet, basename="market-info")
