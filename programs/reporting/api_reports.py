"""REST API of the official reports (domain Part B §6.2): ask for a report of an area and a year, follow its
progress, download the Excel file.

POST queues the job (`report_jobs.request_report`, built by Celery) and answers 202 at once; each user sees
only the jobs she asked for (another's job is a 404); a download before the job is done is a 409, and every
download is audited (`report_jobs.download_report`): the detailed list names people.
"""

import django_filters
from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.reverse import reverse

from config.api import UseCaseMixin
from config.filters import YearFilter, choice_filter
from config.permissions import HasRight
from households import rules as access
from households.api_areas import AreaBriefSerializer
from programs.models import JobStatus, ReportJob, ReportKind
from programs.reporting import reports as official_reports
from programs.reporting.services import report_jobs


# The request body is named after the job it creates (ReportJobRequest), so that the kinds' enum belongs to one
# component (ReportJobKindEnum) and does not collide with the other "kind" enums of the schema.
@extend_schema_serializer(component_name="ReportJob")
class ReportRequest(serializers.Serializer):
    area = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="id tỉnh, huyện hoặc xã trong phạm vi")
    year = serializers.IntegerField(min_value=2000, max_value=2100, help_text="Năm báo cáo (tình trạng ngày 31/12)")
    kind = serializers.ChoiceField(choices=ReportKind.choices, help_text="Biểu báo cáo; `all`: mọi biểu trong một tệp")


class ReportJobSerializer(serializers.ModelSerializer):
    area = AreaBriefSerializer(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status = serializers.ChoiceField(
        choices=JobStatus.choices, read_only=True, help_text="queued, running: đang lập; done: tải được; failed: lỗi"
    )
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ReportJob
        fields = [
            "id",
            "area",
            "year",
            "kind",
            "kind_label",
            "status",
            "status_label",
            "progress",
            "message",
            "filename",
            "created_at",
            "started_at",
            "finished_at",
            "url",
            "download_url",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, job: ReportJob) -> str:
        return reverse("report-detail", args=[job.pk], request=self.context.get("request"))

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_download_url(self, job: ReportJob) -> str | None:
        if job.status != JobStatus.DONE:
            return None
        return reverse("report-download", args=[job.pk], request=self.context.get("request"))


class ReportJobFilter(django_filters.FilterSet):
    status = choice_filter(JobStatus.choices, "Trạng thái")
    kind = choice_filter(ReportKind.choices, "Biểu báo cáo")
    year = YearFilter(label="Năm báo cáo")

    class Meta:
        model = ReportJob
        fields: list[str] = []


class ReportJobViewSet(UseCaseMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The official reports the user asked for, newest first; POST asks for one."""

    serializer_class = ReportJobSerializer
    permission_classes = [HasRight]
    required_rights = {
        "list": access.STATS_VIEW,
        "retrieve": access.STATS_VIEW,
        "create": access.STATS_VIEW,
        "download": access.STATS_VIEW,
    }
    filterset_class = ReportJobFilter
    ordering_fields = ["id", "created_at", "year"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        # the file stays in the database until a download asks for it
        return ReportJob.objects.visible_to(self.request.user).select_related("area").defer("content")

    @extend_schema(
        summary="Yêu cầu lập báo cáo chính thức (chạy nền)",
        request=ReportRequest,
        responses={202: ReportJobSerializer, 400: OpenApiResponse(description="Dữ liệu sai, nêu tên trường")},
    )
    def create(self, request):
        values = self.parse(ReportRequest)
        job = report_jobs.request_report(
            actor=request.user, area_id=values["area"], year=values["year"], kind=values["kind"]
        )
        body = self.read(job.pk)
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})

    @extend_schema(
        summary="Tải tệp Excel của báo cáo (ghi nhật ký)",
        responses={
            (200, official_reports.XLSX_TYPE): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="Không có báo cáo này trong các báo cáo của bạn"),
            409: OpenApiResponse(description="Báo cáo chưa lập xong"),
        },
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        job = report_jobs.download_report(actor=request.user, job_id=self.get_object().pk)
        response = HttpResponse(bytes(job.content), content_type=official_reports.XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{job.filename}"'
        patch_cache_control(response, private=True, no_store=True)  # may name people: kept by no cache
        official_reports.log_download(request, job)
        return response
