"""REST API of the annual review (domain A6; Part B §3, §8.4): campaigns, their progress, and the cases.

Thin, on the API base (`config.api`): an input serializer parses, one service of `programs.review.services` decides
and writes, the case (or campaign) is read back through the user's scope. The moves of a case are `@action`
endpoints, each with the case `version` the client saw (a mismatch is a 409).
"""

import datetime

import django_filters
from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from config.api import BAD_INPUT, UseCaseMixin
from config.filters import FlagFilter, IdFilter, MonthFilter, YearFilter, choice_filter
from config.permissions import HasRight
from households import rules as access
from households.access import AccessLogViewSetMixin
from households.models import Area, Household, User, subtree
from households.selectors import visible_area
from programs.models import (
    CaseStateChoices,
    ReviewCampaign,
    ReviewCase,
    ReviewComplaint,
    ReviewKind,
)
from programs.review import services as workflow
from programs.review.api_serializers import (
    CampaignCalendarInputSerializer,
    CampaignReportInputSerializer,
    CampaignReportResultSerializer,
    ComplaintInputSerializer,
    DistrictOpinionInputSerializer,
    MeetingInputSerializer,
    PostInputSerializer,
    ProgressQuerySerializer,
    ProgressRowSerializer,
    RecogniseInputSerializer,
    RejectInputSerializer,
    ReportInputSerializer,
    ResolveComplaintInputSerializer,
    ReviewCampaignDetailSerializer,
    ReviewCampaignSerializer,
    ReviewCaseSerializer,
    ReviewRequestSerializer,
    SurveyInputSerializer,
    counts_of,
    overdue_q,
    state_counts,
)

# --- campaigns -------------------------------------------------------------------------------------------


class ReviewCampaignFilter(django_filters.FilterSet):
    area = IdFilter(method="filter_area", label="id địa bàn (mọi cấp): kỳ rà soát của các xã trong đó")
    year = YearFilter(label="Năm rà soát")
    kind = choice_filter(ReviewKind.choices, "Loại rà soát")
    month = MonthFilter(label="Tháng (rà soát thường xuyên)")

    class Meta:
        model = ReviewCampaign
        fields: list[str] = []

    def filter_area(self, queryset, name, value):
        area = visible_area(self.request.user, value)
        return queryset.filter(subtree(area, "area__path"))


def campaign_progress(user: User, *, area: Area, year: int, kind: str, month: int | None, today: datetime.date):
    """Cases per commune within `area`: total, per state and overdue, in one grouped query over the campaigns
    the user sees (a commune with an open campaign and no case yet shows zeros)."""
    campaigns = ReviewCampaign.objects.visible_to(user).filter(subtree(area, "area__path"), year=year, kind=kind)
    if month is not None:
        campaigns = campaigns.filter(month=month)
    return (
        campaigns.values("area_id", "area__code", "area__name")
        .annotate(total=Count("cases__id"), overdue=Count("cases__id", filter=overdue_q(today, "cases__")))
        .annotate(**state_counts("cases__"))
        .order_by("area__code", "area_id")
    )


_CAMPAIGN_404 = OpenApiResponse(description="Kỳ rà soát không có hoặc ngoài địa bàn của bạn")


@extend_schema_view(
    list=extend_schema(summary="Kỳ rà soát của các xã"),
    retrieve=extend_schema(summary="Một kỳ rà soát, kèm số hồ sơ theo từng bước"),
)
class ReviewCampaignViewSet(UseCaseMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [HasRight]
    required_rights = {
        "list": access.REVIEW_VIEW,
        "retrieve": access.REVIEW_VIEW,
        "progress": access.REVIEW_VIEW,
        "report": access.REVIEW_WORK,
        "calendar": access.REVIEW_MANAGE,
    }
    filterset_class = ReviewCampaignFilter
    ordering_fields = ["id", "year", "month", "area__code"]
    ordering = ["-year", "-month", "area__code", "id"]
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        queryset = ReviewCampaign.objects.visible_to(self.request.user).select_related("area", "standard")
        if self.action != "list":
            queryset = queryset.annotate(**state_counts("cases__"))
        return queryset

    def get_serializer_class(self):
        return ReviewCampaignSerializer if self.action == "list" else ReviewCampaignDetailSerializer

    def scope(self) -> QuerySet[ReviewCampaign]:
        return ReviewCampaign.objects.visible_to(self.request.user)  # without the counts of get_queryset

    @extend_schema(
        summary="Báo cáo tỉnh mọi hồ sơ đã công nhận của kỳ rà soát",
        request=CampaignReportInputSerializer,
        responses={200: CampaignReportResultSerializer, 400: BAD_INPUT, 404: _CAMPAIGN_404},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def report(self, request, pk=None):
        campaign_id = self.visible_id(pk)
        data = self.parse(CampaignReportInputSerializer)
        count = workflow.report_campaign(actor=request.user, campaign_id=campaign_id, reported_on=data["reported_on"])
        return Response({"reported_cases": count, "campaign": self.read(campaign_id)})

    @extend_schema(
        summary="Đổi lịch (hạn các bước, số ngày niêm yết) của kỳ rà soát",
        request=CampaignCalendarInputSerializer,
        responses={200: ReviewCampaignDetailSerializer, 400: BAD_INPUT, 404: _CAMPAIGN_404},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def calendar(self, request, pk=None):
        campaign_id = self.visible_id(pk)
        data = self.parse(CampaignCalendarInputSerializer)
        workflow.change_campaign_calendar(
            actor=request.user,
            campaign_id=campaign_id,
            steps=data["steps"],
            posting_days=data.get("posting_days"),
            reason=data["reason"],
        )
        return self.read_back(campaign_id)

    @extend_schema(
        summary="Tiến độ rà soát theo xã trong một địa bàn",
        parameters=[ProgressQuerySerializer],
        responses={200: ProgressRowSerializer(many=True), 400: BAD_INPUT},
        filters=False,
    )
    @action(detail=False, methods=["get"], filter_backends=[])
    def progress(self, request):
        data = self.parse(ProgressQuerySerializer, request.query_params)
        rows = campaign_progress(
            request.user,
            area=visible_area(request.user, data["area"]),
            year=data["year"],
            kind=data["kind"],
            month=data.get("month"),
            today=timezone.localdate(),
        )
        page = self.paginate_queryset(rows)
        body = [
            {
                "commune": {"id": row["area_id"], "code": row["area__code"], "name": row["area__name"]},
                "total": row["total"],
                "counts": counts_of(row),
                "overdue": row["overdue"],
            }
            for row in page
        ]
        return self.get_paginated_response(ProgressRowSerializer(body, many=True).data)


# --- cases -----------------------------------------------------------------------------------------------


class ReviewCaseFilter(django_filters.FilterSet):
    area = IdFilter(method="filter_area", label="id địa bàn (mọi cấp): hồ sơ của các hộ trong đó")
    campaign = IdFilter(field_name="campaign_id", label="id kỳ rà soát")
    year = YearFilter(field_name="campaign__year", label="Năm rà soát")
    kind = choice_filter(ReviewKind.choices, "Loại rà soát", field_name="campaign__kind")
    state = choice_filter(CaseStateChoices.choices, "Bước của hồ sơ (lặp lại để chọn nhiều bước)", multiple=True)
    overdue = FlagFilter(
        method="filter_overdue",
        label="true: hồ sơ chưa đóng đã quá hạn bước đang chờ; false: các hồ sơ còn lại",
    )
    household = IdFilter(field_name="household_id", label="id hộ")

    class Meta:
        model = ReviewCase
        fields: list[str] = []

    def filter_area(self, queryset, name, value):
        area = visible_area(self.request.user, value)
        return queryset.filter(household__in=Household.objects.in_area(area))

    def filter_overdue(self, queryset, name, value):
        late = overdue_q(timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)


_CASE_RESPONSES = {
    200: ReviewCaseSerializer,
    400: OpenApiResponse(description="Dữ liệu không hợp lệ hoặc bước không được phép: {trường: [thông báo], code}"),
    404: OpenApiResponse(description="Hồ sơ không có hoặc ngoài địa bàn của bạn"),
    409: OpenApiResponse(description="version đã cũ: hồ sơ vừa được người khác cập nhật, hãy tải lại"),
}


MOVE_DESCRIPTION = (
    "Một bước của quy trình rà soát trên hồ sơ. Gửi `version` của hồ sơ bạn vừa đọc: hồ sơ đã đổi từ đó thì trả "
    "409 (tải lại rồi quyết định lại). Câu trả lời là hồ sơ sau bước này, với `version` mới và `allowed_moves` "
    "(các bước được làm tiếp); bước không có trong `allowed_moves` trả 400 mã `forbidden_move`."
)


def _move_schema(
    summary: str,
    request: type[serializers.Serializer],
    created: bool = False,
    description: str = "",
    example: tuple[str, dict] | None = None,
):
    responses = dict(_CASE_RESPONSES)
    if created:
        responses[201] = responses.pop(200)
    examples = []
    if example is not None:  # (its name in the schema, its body)
        examples.append(OpenApiExample(example[0], summary=summary, value=example[1], request_only=True))
    return extend_schema(
        summary=summary,
        description=f"{MOVE_DESCRIPTION}\n\n{description}".strip(),
        request=request,
        responses=responses,
        examples=examples,
    )


SURVEY_MOVE_DESCRIPTION = (
    "Gắn một phiếu khảo sát đã ghi vào hồ sơ và chuyển hồ sơ sang bước `classified`.\n\n"
    "**Thường không cần gọi:** `POST /api/v1/assessments/` đã tự gắn phiếu vào hồ sơ đang mở của hộ trong kỳ rà "
    "soát đó và chuyển hồ sơ sang `classified` (câu trả lời của nó có `review_case` với `version` mới). Gọi bước "
    "này sau đó với `version` đọc trước khi ghi phiếu thì trả 409; từ bước `agreed` trở đi thì trả 400 "
    "(`forbidden_move`). Bước này dùng cho phiếu ghi trước khi hồ sơ mở, hoặc để gắn một phiếu khác của hộ."
)


@extend_schema_view(
    list=extend_schema(summary="Hồ sơ rà soát hộ (danh sách việc theo hạn)"),
    retrieve=extend_schema(summary="Một hồ sơ rà soát hộ, kèm khiếu nại"),
    create=extend_schema(
        summary="Ghi đề nghị rà soát của hộ (xét hộ nghèo, cận nghèo hoặc đăng ký thoát nghèo)",
        request=ReviewRequestSerializer,
        responses={201: ReviewCaseSerializer, 400: BAD_INPUT, 404: OpenApiResponse(description="Hộ ngoài địa bàn")},
    ),
)
class ReviewCaseViewSet(
    AccessLogViewSetMixin,
    UseCaseMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ReviewCaseSerializer
    permission_classes = [HasRight]
    required_rights = {
        "list": access.REVIEW_VIEW,
        "retrieve": access.REVIEW_VIEW,
        "create": access.REVIEW_WORK,
        "survey": access.REVIEW_WORK,
        "meeting": access.REVIEW_WORK,
        "post_case": access.REVIEW_WORK,
        "complaint": access.REVIEW_WORK,
        "resolve_complaint": access.REVIEW_WORK,
        "report": access.REVIEW_WORK,
        "district_opinion": access.REVIEW_CONSULT,
        "recognise": access.REVIEW_DECIDE,
        "reject": access.REVIEW_DECIDE,
    }
    filterset_class = ReviewCaseFilter
    ordering_fields = ["id", "due_on", "updated_at", "household__code"]
    ordering = ["due_on", "id"]  # the work list: nearest deadline first, closed cases last
    lookup_value_regex = r"[0-9]+"
    id_argument = "case_id"  # a move is `service(actor=..., case_id=..., **input)`

    def get_queryset(self) -> QuerySet[ReviewCase]:
        return (
            ReviewCase.objects.visible_to(self.request.user)
            .select_related("campaign", "household__head", "household__village")
            .prefetch_related(Prefetch("complaints", queryset=ReviewComplaint.objects.order_by("received_on", "id")))
        )

    def create(self, request, *args, **kwargs):
        data = self.parse(ReviewRequestSerializer)
        case = workflow.file_review_request(
            actor=request.user,
            household_id=data["household"],
            request_kind=data["request_kind"],
            channel=data["channel"],
            filed_on=data["filed_on"],
            note=data["note"],
        )
        return self.read_back(case.pk, status.HTTP_201_CREATED)

    @_move_schema(
        "Gắn phiếu khảo sát, phân loại (bước 2)",
        SurveyInputSerializer,
        description=SURVEY_MOVE_DESCRIPTION,
        example=("SurveyMove", {"version": 1, "assessment": 8812}),
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def survey(self, request, pk=None):
        return self.act(pk, SurveyInputSerializer, workflow.attach_survey)

    @_move_schema(
        "Ghi kết quả họp thôn (bước 3; dưới 50% đồng ý thì khảo sát lại)",
        MeetingInputSerializer,
        description="Từ 50% người dự họp đồng ý trở lên: hồ sơ sang `agreed`; dưới 50%: hồ sơ trở lại `listed` để "
        "khảo sát lại.",
        example=(
            "MeetingAgreed",
            {"version": 2, "meeting_date": "2026-10-20", "attendees": 40, "agreeing": 31, "note": "Họp thôn Nà Phát"},
        ),
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def meeting(self, request, pk=None):
        return self.act(pk, MeetingInputSerializer, workflow.record_meeting)

    @_move_schema(
        "Niêm yết công khai (bước 4)",
        PostInputSerializer,
        description="Không gửi `posting_end` thì ngày kết thúc tính đủ số ngày làm việc niêm yết của kỳ rà soát.",
        example=("PostingStarted", {"version": 3, "posting_start": "2026-10-26"}),
    )
    @action(detail=True, methods=["post"], url_path="post", filter_backends=[])
    def post_case(self, request, pk=None):  # not `post`: a viewset method of that name would answer POST /{id}/
        return self.act(pk, PostInputSerializer, workflow.post_case)

    @_move_schema("Ghi nhận khiếu nại về kết quả niêm yết (chờ phúc tra)", ComplaintInputSerializer, created=True)
    @action(detail=True, methods=["post"], filter_backends=[])
    def complaint(self, request, pk=None):
        return self.act(pk, ComplaintInputSerializer, workflow.file_complaint, status.HTTP_201_CREATED)

    @_move_schema("Kết luận phúc tra một khiếu nại", ResolveComplaintInputSerializer)
    @action(detail=True, methods=["post"], url_path="resolve-complaint", filter_backends=[])
    def resolve_complaint(self, request, pk=None):
        return self.act(pk, ResolveComplaintInputSerializer, workflow.resolve_complaint)

    @_move_schema("Ghi ý kiến cấp huyện (chỉ các kỳ trước 01/07/2025)", DistrictOpinionInputSerializer)
    @action(detail=True, methods=["post"], url_path="district-opinion", filter_backends=[])
    def district_opinion(self, request, pk=None):
        return self.act(pk, DistrictOpinionInputSerializer, workflow.record_district_opinion)

    @_move_schema(
        "Công nhận (quyết định của Chủ tịch UBND xã; cấp giấy chứng nhận)",
        RecogniseInputSerializer,
        description="Sau khi hết niêm yết và không còn khiếu nại chưa giải quyết. Ghi quyết định, đổi tình trạng của "
        "hộ (kèm lịch sử tình trạng) và cấp số giấy chứng nhận (`certificate_number`).",
        example=("Recognised", {"version": 4, "decision_number": "45/QĐ-UBND", "decision_date": "2026-11-02"}),
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def recognise(self, request, pk=None):
        return self.act(pk, RecogniseInputSerializer, workflow.recognise_case)

    @_move_schema("Không công nhận đề nghị của hộ (trả lời bằng văn bản)", RejectInputSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def reject(self, request, pk=None):
        return self.act(pk, RejectInputSerializer, workflow.reject_case)

    @_move_schema("Báo cáo tỉnh kết quả đã công nhận của hồ sơ", ReportInputSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def report(self, request, pk=None):
        return self.act(pk, ReportInputSerializer, workflow.report_case)
