"""REST API of the Excel import: the template of a commune, the upload, the batches.

    GET  /api/v1/imports/template/?commune=<id>   the .xlsx to fill in (audited: it holds personal data)
    POST /api/v1/imports/                         multipart `commune`, `file`: 201 with the committed batch,
                                                  400 with the refused batch and its errors row by row, 200 with
                                                  the earlier batch when the same file was already committed
    GET  /api/v1/imports/, /api/v1/imports/{id}/  the batches of the communes in scope

The work is `programs.imports`; this module only reads the request and shapes the answer.
"""

import django_filters
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from config.api import UseCaseMixin
from config.errors import envelope
from config.filters import IdFilter, choice_filter
from config.permissions import HasRight
from households import rules as access
from households.access import log_export
from households.api_areas import AreaBriefSerializer
from households.models import Area
from programs.imports import services as imports
from programs.imports.layout import MAX_BYTES
from programs.models import ImportBatch, ImportStatus


class ImportErrorSerializer(serializers.Serializer):
    sheet = serializers.CharField(help_text="Trang của tệp (Hộ, Thành viên, Phiếu khảo sát); trống: cả tệp")
    row = serializers.IntegerField(allow_null=True, help_text="Số dòng như Excel đánh số (dòng 1 là tiêu đề)")
    column = serializers.CharField(help_text="Tiêu đề cột")
    message = serializers.CharField(help_text="Lỗi gì")


def refused_line(error: dict) -> str:
    """One row of the refusal report as a line: "Thành viên, dòng 2, cột Ngày sinh: …"."""
    where = [
        error["sheet"],
        f"dòng {error['row']}" if error["row"] else "",
        f"cột {error['column']}" if error["column"] else "",
    ]
    place = ", ".join(part for part in where if part)
    return f"{place}: {error['message']}" if place else error["message"]


# A refused upload: the error envelope (config.errors) with the batch and its row report beside it (a 400 of the
# form itself, a commune or a file missing, is the envelope alone)
IMPORT_REFUSED = {
    "allOf": [
        {"$ref": "#/components/schemas/Error"},
        {
            "type": "object",
            "properties": {
                "batch": {
                    "allOf": [{"$ref": "#/components/schemas/ImportBatch"}],
                    "description": "Lần nhập bị từ chối, với báo cáo lỗi theo dòng (errors)",
                }
            },
        },
    ]
}


class ImportBatchSerializer(serializers.ModelSerializer):
    commune = AreaBriefSerializer(read_only=True)
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True)
    created = serializers.DictField(child=serializers.IntegerField(), read_only=True)
    errors = ImportErrorSerializer(many=True, read_only=True)
    duplicate = serializers.SerializerMethodField(help_text="Tệp đã được nhập trước đó: lần này không ghi gì")
    message = serializers.SerializerMethodField()

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "commune",
            "uploaded_by",
            "uploaded_at",
            "filename",
            "sha256",
            "status",
            "rows",
            "created",
            "errors",
            "duplicate",
            "message",
        ]
        read_only_fields = fields

    def get_duplicate(self, batch: ImportBatch) -> bool:
        return bool(getattr(batch, "duplicate", False))

    def get_message(self, batch: ImportBatch) -> str:
        return imports.duplicate_message(batch) if self.get_duplicate(batch) else imports.summary(batch)


class ImportUploadSerializer(serializers.Serializer):
    commune = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="id xã/phường trong phạm vi")
    file = serializers.FileField(help_text="Tệp .xlsx theo mẫu (tối đa 10 MB)")


class TemplateQuery(serializers.Serializer):
    commune = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="id xã/phường trong phạm vi")


class ImportBatchFilter(django_filters.FilterSet):
    # An id, not a choice of areas: a choice would list every area (villages of other communes included) in the
    # browsable API's filter form.
    commune = IdFilter(field_name="commune_id", label="id xã/phường")
    status = choice_filter(ImportStatus.choices, "Kết quả")

    class Meta:
        model = ImportBatch
        fields = ["commune", "status"]


@extend_schema_view(
    list=extend_schema(summary="Các lần nhập Excel của các xã trong phạm vi (mới nhất trước)"),
    retrieve=extend_schema(summary="Một lần nhập Excel: kết quả, số đã ghi hoặc lỗi theo dòng"),
)
class ImportBatchViewSet(UseCaseMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The Excel imports of the communes in scope, newest first; POST uploads a filled template."""

    serializer_class = ImportBatchSerializer
    permission_classes = [HasRight]
    required_rights = {
        "list": access.HOUSEHOLD_VIEW,
        "retrieve": access.HOUSEHOLD_VIEW,
        "create": access.HOUSEHOLD_CREATE,
        "template": access.HOUSEHOLD_CREATE,
    }
    filterset_class = ImportBatchFilter
    ordering_fields = ["id", "uploaded_at"]
    ordering = ["-uploaded_at", "-id"]
    parser_classes = [MultiPartParser, FormParser]  # the upload is a file

    def get_queryset(self):
        batches = ImportBatch.objects.visible_to(self.request.user).select_related("commune", "uploaded_by")
        return batches.order_by("-uploaded_at", "-id")

    @extend_schema(
        summary="Tải lên tệp Excel đã điền (kiểm tra mọi dòng, ghi tất cả hoặc không ghi gì)",
        request={"multipart/form-data": ImportUploadSerializer},
        responses={
            201: ImportBatchSerializer,
            200: OpenApiResponse(ImportBatchSerializer, description="Tệp đã được nhập trước đó: không ghi gì"),
            400: OpenApiResponse(
                IMPORT_REFUSED,
                description="Có lỗi theo dòng: lần nhập bị từ chối, không ghi gì; `code` import_refused, `fields.file` "
                "liệt kê từng lỗi, `batch` là lần nhập với báo cáo lỗi (thiếu xã, tệp: lỗi theo trường, code invalid)",
            ),
        },
    )
    def create(self, request):
        data = self.parse(ImportUploadSerializer)
        upload = data["file"]
        batch = imports.import_workbook(
            actor=request.user,
            commune_id=data["commune"],
            file_bytes=upload.read(MAX_BYTES + 1),  # more is refused by its size: never read it all
            filename=upload.name,
        )
        answer = ImportBatchSerializer(batch).data
        if batch.status == ImportStatus.REFUSED:  # the error envelope, with the batch and its row report
            lines = [refused_line(error) for error in answer["errors"]]
            body = envelope("import_refused", answer["message"], {"file": lines}) | {"batch": answer}
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        code = status.HTTP_200_OK if getattr(batch, "duplicate", False) else status.HTTP_201_CREATED
        return Response(answer, status=code)

    @extend_schema(
        summary="Tải mẫu Excel của một xã (có sẵn các hộ, thành viên; được ghi nhật ký)",
        parameters=[TemplateQuery],
        responses={(200, imports.XLSX): OpenApiTypes.BINARY},
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def template(self, request):
        query = self.parse(TemplateQuery, request.query_params)
        commune = Area.objects.filter(pk=query["commune"]).first()
        content = imports.template(imports.check_access(request.user, commune), request.user)
        response = HttpResponse(content, content_type=imports.XLSX)
        response["Content-Disposition"] = f'attachment; filename="{imports.template_filename(commune)}"'
        log_export(request, resource=imports.TEMPLATE_RESOURCE, area=commune)
        return response
