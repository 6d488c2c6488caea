"""The API of list exports: ExportActionMixin (GET <list>/export/ on every list viewset: the file, or 202 with the
export run writing it in the background when the filters select more than EXPORT_DIRECT_ROWS rows) and
/api/v1/export-runs/ — the user's own runs: list, one run (poll it while queued or running), download the finished
file, retry a failed one."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from . import export_runs
from .api import ChoiceLabelField, ScopedViewSet
from .api_filters import ListFilterBackend
from .documents import XLSX
from .filters import ExportRunFilter
from .models import ExportRun


class ExportRunSerializer(serializers.ModelSerializer):
    """An export written in the background (core.export_runs): poll `url` until `status` is done, then GET `download`."""

    status_display = ChoiceLabelField(source="status")
    url = serializers.SerializerMethodField()
    download = serializers.SerializerMethodField()

    class Meta:
        model = ExportRun
        fields = [
            "id",
            "name",
            "title",
            "params",
            "status",
            "status_display",
            "progress",
            "total",
            "row_count",
            "error",
            "attempts",
            "created_at",
            "started_at",
            "finished_at",
            "url",
            "download",
        ]
        read_only_fields = fields

    def get_url(self, run) -> str:
        return reverse("export-run-detail", args=[run.pk])

    def get_download(self, run) -> str | None:
        return reverse("export-run-download", args=[run.pk]) if run.status == ExportRun.Status.DONE and run.file else None


class ExportActionMixin:
    """Adds GET <list>/export/ to a list viewset: the .xlsx of the rows the list's filters select (the same parameters
    as the list, documented in the schema), the file of the page's 导出 Excel — or, for more than EXPORT_DIRECT_ROWS
    rows, 202 with the export run writing it in the background (Location: the run). `export_name` names the ListExport."""

    export_name = ""

    @extend_schema(
        filters=True,
        responses={(200, XLSX): OpenApiTypes.BINARY, 202: ExportRunSerializer},
        description=(
            "导出 Excel：与列表相同的筛选参数（不分页），只含当前用户可见的记录。超过 EXPORT_DIRECT_ROWS（默认 5000）行时返回 202 "
            "和后台导出记录：轮询其 url，状态为 done 后从 download 下载。"
        ),
    )
    @action(detail=False, methods=["get"])
    def export(self, request):
        answer = export_runs.export_response(self.export_name, request, request.query_params)
        if isinstance(answer, ExportRun):
            body = ExportRunSerializer(answer, context={"request": request}).data
            return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})
        return answer


class ExportRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """The current user's export runs, newest first (nobody else's: 404); `status`, `q` (the list's name) filter them."""

    selector = staticmethod(export_runs.export_runs_for)
    serializer_class = ExportRunSerializer
    queryset = ExportRun.objects.none()  # for the schema; the selector scopes to the user
    filter_backends = [ListFilterBackend]
    filterset_class = ExportRunFilter

    @extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The finished file (404 until the run is done, and once its file has expired)."""
        return export_runs.export_run_download(request.user, pk)

    @extend_schema(request=None, responses=ExportRunSerializer)
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        """Queue a failed run again (409 for a run that did not fail)."""
        run = export_runs.export_run_retry(run=self.get_object(), actor=request.user)
        return Response(self.get_serializer(run).data)


def register(router):
    router.register("export-runs", ExportRunViewSet, basename="export-run")
