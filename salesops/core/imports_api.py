"""/api/v1/imports/<name>/…: the Excel imports of salesops.core.imports (customers, products, price-lists, targets) for clients.

`template/` the .xlsx to fill in; `preview/` (multipart `file`) keeps the upload, dry-runs it and answers every row's
errors with a token — nothing is saved; `commit/` ({"token"}) imports it: 201 when every row was saved, else 400 with
the errors and nothing saved. Who may import is the app's rule (403 otherwise).
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from . import imports
from .documents import XLSX


class RowErrorSerializer(serializers.Serializer):
    sheet = serializers.CharField(help_text="工作表")
    line = serializers.IntegerField(help_text="行号（Excel 中的行号；0 表示整个文件）")
    column = serializers.CharField(help_text="列标题（空：整行）")
    message = serializers.CharField(help_text="错误说明（中文）")


class ImportResultSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="提交导入时带上")
    ok = serializers.BooleanField(help_text="没有任何错误，可以提交")
    committed = serializers.BooleanField(help_text="已全部导入")
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="每个工作表的数据行数")
    errors = RowErrorSerializer(many=True)


class ImportTemplateView(APIView):
    @extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY}, summary="下载导入模板")
    def get(self, request, name: str):
        importer = imports.importer_named(name)
        imports.require_allowed(importer, request.user)
        response = HttpResponse(imports.template_file(importer), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{name}-template.xlsx"'
        return response


class ImportPreviewView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request=inline_serializer("ImportUpload", {"file": serializers.FileField(help_text=".xlsx，由模板填写")}),
        responses=ImportResultSerializer,
        summary="上传并预览（不保存）",
    )
    def post(self, request, name: str):
        importer = imports.importer_named(name)
        upload = request.FILES.get("file")
        result = imports.preview(importer, actor=request.user, content=upload.read() if upload else b"")
        return Response(result.as_dict())


class ImportCommitView(APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        request=inline_serializer("ImportCommit", {"token": serializers.CharField()}),
        responses={201: ImportResultSerializer},  # a failed commit is a 400 in the one Error shape, the rows' errors in `errors`
        summary="确认导入（全部成功才保存）",
    )
    def post(self, request, name: str):
        importer = imports.importer_named(name)
        result = imports.commit(importer, actor=request.user, token=str(request.data.get("token", "")))
        if result.committed:
            return Response(result.as_dict(), status=status.HTTP_201_CREATED)
        body = {**result.as_dict(), "code": "import_failed", "detail": imports.failure_text(result)}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
