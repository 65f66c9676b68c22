"""REST API of the annual review (domain A6; Part B §3, §8.4): campaigns, their progress, and the cases.

Thin, like the rest of the API: an input serializer parses, one service of `programs.review.services` decides and
writes, the case (or campaign) is read back through the user's scope. The moves of a case are `@action` endpoints,
each with the case `version` the client saw (a mismatch is a 409). Kept apart from `api.py`, which holds
classification, assessments and statuses, to keep each module one screenful of concepts (STYLE 2).
"""

import datetime

import django_filters
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from config.permissions import HasRight
from households import rules as access
from households.models import Area, Household, User
from households.selectors import visible_area
from programs.models import (
    CaseOrigin,
    CaseStateChoices,
    ComplaintOutcome,
    RequestChannel,
    RequestKind,
    ReviewCampaign,
    ReviewCase,
    ReviewComplaint,
    ReviewKind,
)
from programs.review import rules
from programs.review import services as workflow

STATES = [state.value for state in rules.CaseState]
OPEN_STATES = sorted(state.value for state in rules.OPEN_STATES)


def overdue_q(today: datetime.date, prefix: str = "") -> Q:
    """Open cases whose awaited step was due before `today` (closed cases have no deadline)."""
    return Q(**{f"{prefix}state__in": OPEN_STATES, f"{prefix}due_on__lt": today})


def _state_counts(prefix: str) -> dict[str, Count]:
    return {f"n_{state}": Count(f"{prefix}id", filter=Q(**{f"{prefix}state": state})) for state in STATES}


# --- output serializers ----------------------------------------------------------------------------------


class AreaBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Area
        fields = ["id", "code", "name"]
        read_only_fields = fields


class StateCountsSerializer(serializers.Serializer):
    """One count per case state, every state present (zero when none)."""

    listed = serializers.IntegerField(help_text="Chờ khảo sát")
    classified = serializers.IntegerField(help_text="Đã khảo sát, phân loại")
    agreed = serializers.IntegerField(help_text="Họp thôn đã thống nhất")
    posted = serializers.IntegerField(help_text="Đang niêm yết")
    recheck = serializers.IntegerField(help_text="Đang phúc tra khiếu nại")
    district_consulted = serializers.IntegerField(help_text="Đã xin ý kiến cấp huyện")
    recognised = serializers.IntegerField(help_text="Đã công nhận")
    reported = serializers.IntegerField(help_text="Đã báo cáo tỉnh")
    rejected = serializers.IntegerField(help_text="Không công nhận")


def _counts_of(row) -> dict[str, int]:
    """The `n_<state>` annotations of a row (a model or a values() dict) as {state: count}."""
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    return {state: get(f"n_{state}") or 0 for state in STATES}


class ReviewCampaignSerializer(serializers.ModelSerializer):
    area = AreaBriefSerializer(read_only=True)
    standard = serializers.CharField(source="standard.code", read_only=True, help_text="Mã chuẩn nghèo áp dụng")
    steps = serializers.SerializerMethodField(help_text="Bước → hạn, theo thứ tự các bước")

    class Meta:
        model = ReviewCampaign
        fields = [
            "id",
            "area",
            "year",
            "kind",
            "month",
            "standard",
            "steps",
            "posting_days",
            "has_district_step",
            "reported_on",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DictField(child=serializers.DateField()))
    def get_steps(self, obj) -> dict[str, str]:
        return {step.value: obj.steps[step.value] for step in rules.Step if step.value in obj.steps}


class ReviewCampaignDetailSerializer(ReviewCampaignSerializer):
    total = serializers.SerializerMethodField(help_text="Tổng số hồ sơ của kỳ rà soát")
    counts = serializers.SerializerMethodField(help_text="Số hồ sơ theo từng bước")

    class Meta(ReviewCampaignSerializer.Meta):
        fields = [*ReviewCampaignSerializer.Meta.fields, "total", "counts"]
        read_only_fields = fields

    def get_total(self, obj) -> int:
        return sum(_counts_of(obj).values())

    @extend_schema_field(StateCountsSerializer)
    def get_counts(self, obj) -> dict[str, int]:
        return _counts_of(obj)


class CampaignReportResultSerializer(serializers.Serializer):
    reported_cases = serializers.IntegerField(help_text="Số hồ sơ vừa báo cáo tỉnh")
    campaign = ReviewCampaignDetailSerializer()


class ProgressRowSerializer(serializers.Serializer):
    commune = AreaBriefSerializer()
    total = serializers.IntegerField(help_text="Tổng số hồ sơ")
    counts = StateCountsSerializer(help_text="Số hồ sơ theo từng bước")
    overdue = serializers.IntegerField(help_text="Hồ sơ chưa xong đã quá hạn bước đang chờ")


class CaseHouseholdSerializer(serializers.ModelSerializer):
    head_name = serializers.CharField(source="head.full_name", read_only=True, default=None, allow_null=True)
    village_name = serializers.CharField(source="village.name", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Household
        fields = ["id", "code", "head_name", "village_name"]
        read_only_fields = fields


class ReviewComplaintSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewComplaint
        fields = ["id", "received_on", "complainant", "content", "outcome", "resolution", "resolved_on"]
        read_only_fields = fields


class ReviewCaseSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True, help_text="Số hồ sơ hộ dân dùng khi khiếu nại")
    household = CaseHouseholdSerializer(read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    overdue = serializers.SerializerMethodField(help_text="Bước đang chờ đã quá hạn (hồ sơ chưa đóng)")
    allowed_moves = serializers.SerializerMethodField(
        help_text="Các bước quy trình cho phép từ bước hiện tại (quyền của người dùng xét riêng)"
    )
    complaints = ReviewComplaintSerializer(many=True, read_only=True)

    class Meta:
        model = ReviewCase
        fields = [
            "id",
            "reference",
            "campaign",
            "household",
            "state",
            "state_label",
            "origin",
            "request_kind",
            "request_channel",
            "requested_on",
            "status_at_opening",
            "assessment",
            "proposed_category",
            "meeting_date",
            "meeting_attendees",
            "meeting_agreeing",
            "meeting_note",
            "posting_start",
            "posting_end",
            "district_opinion_on",
            "district_opinion",
            "decision_number",
            "decision_date",
            "recognised_status",
            "certificate_number",
            "rejection_reason",
            "reported_on",
            "due_step",
            "due_on",
            "overdue",
            "version",
            "allowed_moves",
            "complaints",
        ]
        read_only_fields = fields

    def get_overdue(self, obj) -> bool:
        return obj.state in OPEN_STATES and obj.due_on is not None and obj.due_on < timezone.localdate()

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=[m.value for m in rules.Move])))
    def get_allowed_moves(self, obj) -> list[str]:
        moves = rules.allowed_moves(
            obj.state,
            has_district_step=obj.campaign.has_district_step,
            requested=obj.origin == CaseOrigin.REQUESTED,
            open_complaints=any(not complaint.outcome for complaint in obj.complaints.all()),
        )
        return [move.value for move in moves]


# --- input serializers -----------------------------------------------------------------------------------

# DRF's Vietnamese catalogue lacks these messages; "required", "blank" and date formats are translated.
_INTEGER_ERRORS = {
    "invalid": "Phải là một số nguyên.",
    "min_value": "Phải lớn hơn hoặc bằng {min_value}.",
    "max_value": "Phải nhỏ hơn hoặc bằng {max_value}.",
    "max_string_length": "Số quá lớn.",
}


def _integer(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(error_messages=_INTEGER_ERRORS, **kwargs)


def _id(help_text: str) -> serializers.IntegerField:
    return _integer(min_value=1, help_text=help_text)


def _choice(choices: list[tuple[str, str]], **kwargs) -> serializers.ChoiceField:
    accepted = ", ".join(value for value, _ in choices)
    message = f"“{{input}}” không hợp lệ: chỉ nhận {accepted}."
    return serializers.ChoiceField(choices=choices, error_messages={"invalid_choice": message}, **kwargs)


def _text(**kwargs) -> serializers.CharField:
    return serializers.CharField(error_messages={"max_length": "Tối đa {max_length} ký tự."}, **kwargs)


# Input fields of the moves are named like the services' arguments, but for these.
MOVE_ARGUMENTS = {"version": "expected_version", "assessment": "assessment_id", "complaint": "complaint_id"}


class CaseMoveSerializer(serializers.Serializer):
    version = _integer(min_value=1, help_text="Phiên bản hồ sơ bạn đã đọc (version); hồ sơ đã đổi thì trả 409.")


class SurveyInputSerializer(CaseMoveSerializer):
    assessment = _id("id phiếu khảo sát của hộ trong kỳ rà soát này")


class MeetingInputSerializer(CaseMoveSerializer):
    meeting_date = serializers.DateField(help_text="Ngày họp thôn")
    attendees = _integer(min_value=1, max_value=100_000, help_text="Số người dự họp")
    agreeing = _integer(
        min_value=0, max_value=100_000, help_text="Số người đồng ý (thống nhất khi ít nhất 50% người dự họp)"
    )
    note = _text(required=False, allow_blank=True, default="", help_text="Ghi chú biên bản họp")


class PostInputSerializer(CaseMoveSerializer):
    posting_start = serializers.DateField(help_text="Ngày bắt đầu niêm yết")
    posting_end = serializers.DateField(
        required=False, allow_null=True, help_text="Ngày kết thúc; mặc định đủ số ngày làm việc của kỳ rà soát"
    )


class ComplaintInputSerializer(CaseMoveSerializer):
    received_on = serializers.DateField(help_text="Ngày nhận khiếu nại")
    complainant = _text(max_length=120, help_text="Người khiếu nại")
    content = _text(help_text="Nội dung khiếu nại")


class ResolveComplaintInputSerializer(CaseMoveSerializer):
    complaint = _id("id khiếu nại của hồ sơ")
    outcome = _choice(ComplaintOutcome.choices, help_text="upheld: có cơ sở, khảo sát lại; dismissed: giữ kết quả")
    resolution = _text(help_text="Kết luận phúc tra")
    resolved_on = serializers.DateField(help_text="Ngày giải quyết")


class DistrictOpinionInputSerializer(CaseMoveSerializer):
    opinion_on = serializers.DateField(help_text="Ngày có ý kiến của cấp huyện")
    opinion = _text(help_text="Ý kiến của Chủ tịch UBND cấp huyện")


class RecogniseInputSerializer(CaseMoveSerializer):
    decision_number = _text(max_length=60, help_text="Số quyết định công nhận của Chủ tịch UBND xã")
    decision_date = serializers.DateField(help_text="Ngày quyết định (sau khi hết niêm yết)")


class RejectInputSerializer(CaseMoveSerializer):
    reason = _text(help_text="Lý do không công nhận (trả lời hộ bằng văn bản)")
    decided_on = serializers.DateField(help_text="Ngày trả lời")


class ReportInputSerializer(CaseMoveSerializer):
    reported_on = serializers.DateField(help_text="Ngày báo cáo tỉnh")


class ReviewRequestSerializer(serializers.Serializer):
    household = _id("id của hộ đề nghị")
    request_kind = _choice(
        RequestKind.choices, help_text="add: đề nghị xét hộ nghèo, cận nghèo; exit: đăng ký thoát nghèo"
    )
    channel = _choice(RequestChannel.choices, help_text="Hình thức nộp đề nghị")
    filed_on = serializers.DateField(help_text="Ngày nộp đề nghị")
    note = _text(required=False, allow_blank=True, default="", help_text="Nội dung đề nghị")


class CampaignReportInputSerializer(serializers.Serializer):
    reported_on = serializers.DateField(help_text="Ngày báo cáo tỉnh")


class CampaignCalendarInputSerializer(serializers.Serializer):
    steps = serializers.DictField(
        child=serializers.DateField(),
        error_messages={"not_a_dict": "Phải là một bảng bước → ngày (JSON object), không phải {input_type}."},
        help_text="Bước → hạn mới (survey, meeting, posting, district, recognition, report); bước không gửi giữ nguyên",
    )
    posting_days = _integer(min_value=1, max_value=365, required=False, help_text="Số ngày làm việc niêm yết")
    reason = _text(required=False, allow_blank=True, default="", help_text="Lý do (ghi nhật ký)")


class ProgressQuerySerializer(serializers.Serializer):
    area = _id("id địa bàn (tỉnh, huyện cũ hoặc xã): các xã trong địa bàn")
    year = _integer(min_value=2016, max_value=2100, help_text="Năm rà soát")
    kind = _choice(ReviewKind.choices, default=ReviewKind.PERIODIC, help_text="Loại rà soát")
    month = _integer(
        min_value=1, max_value=12, required=False, help_text="Tháng (rà soát thường xuyên); bỏ trống: cả năm"
    )


# --- campaigns -------------------------------------------------------------------------------------------


class ReviewCampaignFilter(django_filters.FilterSet):
    area = django_filters.NumberFilter(
        method="filter_area", label="id địa bàn (mọi cấp): kỳ rà soát của các xã trong đó"
    )
    year = django_filters.NumberFilter(min_value=1, max_value=9999)
    kind = django_filters.ChoiceFilter(choices=ReviewKind.choices)
    month = django_filters.NumberFilter(min_value=0, max_value=12)

    class Meta:
        model = ReviewCampaign
        fields: list[str] = []

    def filter_area(self, queryset, name, value):
        area = visible_area(self.request.user, value)
        return queryset.filter(area__path__startswith=area.path)


def campaign_progress(user: User, *, area: Area, year: int, kind: str, month: int | None, today: datetime.date):
    """Cases per commune within `area`: total, per state and overdue, in one grouped query over the campaigns
    the user sees (a commune with an open campaign and no case yet shows zeros)."""
    campaigns = ReviewCampaign.objects.visible_to(user).filter(area__path__startswith=area.path, year=year, kind=kind)
    if month is not None:
        campaigns = campaigns.filter(month=month)
    return (
        campaigns.values("area_id", "area__code", "area__name")
        .annotate(total=Count("cases__id"), overdue=Count("cases__id", filter=overdue_q(today, "cases__")))
        .annotate(**_state_counts("cases__"))
        .order_by("area__code", "area_id")
    )


_CAMPAIGN_404 = OpenApiResponse(description="Kỳ rà soát không có hoặc ngoài địa bàn của bạn")
_BAD_INPUT = OpenApiResponse(description="Dữ liệu không hợp lệ: {trường: [thông báo], code}")


@extend_schema_view(
    list=extend_schema(summary="Kỳ rà soát của các xã"),
    retrieve=extend_schema(summary="Một kỳ rà soát, kèm số hồ sơ theo từng bước"),
)
class ReviewCampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
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
            queryset = queryset.annotate(**_state_counts("cases__"))
        return queryset

    def get_serializer_class(self):
        return ReviewCampaignSerializer if self.action == "list" else ReviewCampaignDetailSerializer

    def _visible_id(self, pk) -> int:
        """The campaign in the user's scope, or 404 before the input is read."""
        if not ReviewCampaign.objects.visible_to(self.request.user).filter(pk=pk).exists():
            raise Http404
        return int(pk)

    def _detail(self, campaign_id: int) -> dict:
        return ReviewCampaignDetailSerializer(self.get_queryset().get(pk=campaign_id)).data

    @extend_schema(
        summary="Báo cáo tỉnh mọi hồ sơ đã công nhận của kỳ rà soát",
        request=CampaignReportInputSerializer,
        responses={200: CampaignReportResultSerializer, 400: _BAD_INPUT, 404: _CAMPAIGN_404},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def report(self, request, pk=None):
        campaign_id = self._visible_id(pk)
        payload = CampaignReportInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        count = workflow.report_campaign(
            actor=request.user, campaign_id=campaign_id, reported_on=payload.validated_data["reported_on"]
        )
        return Response({"reported_cases": count, "campaign": self._detail(campaign_id)})

    @extend_schema(
        summary="Đổi lịch (hạn các bước, số ngày niêm yết) của kỳ rà soát",
        request=CampaignCalendarInputSerializer,
        responses={200: ReviewCampaignDetailSerializer, 400: _BAD_INPUT, 404: _CAMPAIGN_404},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def calendar(self, request, pk=None):
        campaign_id = self._visible_id(pk)
        payload = CampaignCalendarInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        workflow.change_campaign_calendar(
            actor=request.user,
            campaign_id=campaign_id,
            steps=data["steps"],
            posting_days=data.get("posting_days"),
            reason=data["reason"],
        )
        return Response(self._detail(campaign_id))

    @extend_schema(
        summary="Tiến độ rà soát theo xã trong một địa bàn",
        parameters=[ProgressQuerySerializer],
        responses={200: ProgressRowSerializer(many=True), 400: _BAD_INPUT},
        filters=False,
    )
    @action(detail=False, methods=["get"], filter_backends=[])
    def progress(self, request):
        query = ProgressQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
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
                "counts": _counts_of(row),
                "overdue": row["overdue"],
            }
            for row in page
        ]
        return self.get_paginated_response(ProgressRowSerializer(body, many=True).data)


# --- cases -----------------------------------------------------------------------------------------------


class ReviewCaseFilter(django_filters.FilterSet):
    area = django_filters.NumberFilter(method="filter_area", label="id địa bàn (mọi cấp): hồ sơ của các hộ trong đó")
    campaign = django_filters.NumberFilter(field_name="campaign_id")
    year = django_filters.NumberFilter(field_name="campaign__year", min_value=1, max_value=9999)
    kind = django_filters.ChoiceFilter(field_name="campaign__kind", choices=ReviewKind.choices)
    state = django_filters.MultipleChoiceFilter(choices=CaseStateChoices.choices, distinct=False)
    overdue = django_filters.ChoiceFilter(
        method="filter_overdue",
        choices=[("true", "Có"), ("false", "Không"), ("yes", "Có"), ("no", "Không")],
        label="Quá hạn bước đang chờ (hồ sơ chưa đóng): true/yes hoặc false/no",
    )
    household = django_filters.NumberFilter(field_name="household_id")

    class Meta:
        model = ReviewCase
        fields: list[str] = []

    def filter_area(self, queryset, name, value):
        area = visible_area(self.request.user, value)
        return queryset.filter(household__in=Household.objects.in_area(area))

    def filter_overdue(self, queryset, name, value):
        late = overdue_q(timezone.localdate())
        return queryset.filter(late) if value in ("true", "yes") else queryset.exclude(late)


_CASE_RESPONSES = {
    200: ReviewCaseSerializer,
    400: OpenApiResponse(description="Dữ liệu không hợp lệ hoặc bước không được phép: {trường: [thông báo], code}"),
    404: OpenApiResponse(description="Hồ sơ không có hoặc ngoài địa bàn của bạn"),
    409: OpenApiResponse(description="version đã cũ: hồ sơ vừa được người khác cập nhật, hãy tải lại"),
}


def _move_schema(summary: str, request: type[serializers.Serializer], created: bool = False):
    responses = dict(_CASE_RESPONSES)
    if created:
        responses[201] = responses.pop(200)
    return extend_schema(summary=summary, request=request, responses=responses)


@extend_schema_view(
    list=extend_schema(summary="Hồ sơ rà soát hộ (danh sách việc theo hạn)"),
    retrieve=extend_schema(summary="Một hồ sơ rà soát hộ, kèm khiếu nại"),
    create=extend_schema(
        summary="Ghi đề nghị rà soát của hộ (xét hộ nghèo, cận nghèo hoặc đăng ký thoát nghèo)",
        request=ReviewRequestSerializer,
        responses={201: ReviewCaseSerializer, 400: _BAD_INPUT, 404: OpenApiResponse(description="Hộ ngoài địa bàn")},
    ),
)
class ReviewCaseViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
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

    def get_queryset(self) -> QuerySet[ReviewCase]:
        return (
            ReviewCase.objects.visible_to(self.request.user)
            .select_related("campaign", "household__head", "household__village")
            .prefetch_related(Prefetch("complaints", queryset=ReviewComplaint.objects.order_by("received_on", "id")))
        )

    def _visible_id(self, pk) -> int:
        """The case in the user's scope, or 404 before the input is read."""
        if not ReviewCase.objects.visible_to(self.request.user).filter(pk=pk).exists():
            raise Http404
        return int(pk)

    def _input(self, serializer_class: type[serializers.Serializer]) -> dict:
        payload = serializer_class(data=self.request.data)
        payload.is_valid(raise_exception=True)
        return dict(payload.validated_data)

    def _case(self, case_id: int, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(ReviewCaseSerializer(self.get_queryset().get(pk=case_id)).data, status=status_code)

    def create(self, request, *args, **kwargs):
        data = self._input(ReviewRequestSerializer)
        case = workflow.file_review_request(
            actor=request.user,
            household_id=data["household"],
            request_kind=data["request_kind"],
            channel=data["channel"],
            filed_on=data["filed_on"],
            note=data["note"],
        )
        return self._case(case.pk, status.HTTP_201_CREATED)

    def _move(self, pk, serializer_class: type[serializers.Serializer], service, created: bool = False) -> Response:
        """Run one move: scope first (404), then the input (400 naming the field), then the service. Input
        fields are named like the service's arguments; `version`, `assessment` and `complaint` are renamed."""
        case_id = self._visible_id(pk)
        data = self._input(serializer_class)
        service(actor=self.request.user, case_id=case_id, **{MOVE_ARGUMENTS.get(k, k): v for k, v in data.items()})
        return self._case(case_id, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @_move_schema("Gắn phiếu khảo sát, phân loại (bước 2)", SurveyInputSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def survey(self, request, pk=None):
        return self._move(pk, SurveyInputSerializer, workflow.attach_survey)

    @_move_schema("Ghi kết quả họp thôn (bước 3; dưới 50% đồng ý thì khảo sát lại)", MeetingInputSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def meeting(self, request, pk=None):
        return self._move(pk, MeetingInputSerializer, workflow.record_meeting)

    @_move_schema("Niêm yết công khai (bước 4)", PostInputSerializer)
    @action(detail=True, methods=["post"], url_path="post", filter_backends=[])
    def post_case(self, request, pk=None):  # not `post`: a viewset method of that name would answer POST /{id}/
        return self._move(pk, PostInputSerializer, workflow.post_case)

    @_move_schema("Ghi nhận khiếu nại về kết quả niêm yết (chờ phúc tra)", ComplaintInputSerializer, created=True)
    @action(detail=True, methods=["post"], filter_backends=[])
    def complaint(self, request, pk=None):
        return self._move(pk, ComplaintInputSerializer, workflow.file_complaint, created=True)

    @_move_schema("Kết luận phúc tra một khiếu nại", ResolveComplaintInputSerializer)
    @action(detail=True, methods=["post"], url_path="resolve-complaint", filter_backends=[])
    def resolve_complaint(self, request, pk=None):
        return self._move(pk, ResolveComplaintInputSerializer, workflow.resolve_complaint)

    @_move_schema("Ghi ý kiến cấp huyện (chỉ các kỳ trước 01/07/2025)", DistrictOpinionInputSerializer)
    @action(detail=True, methods=["post"], url_path="district-opinion", filter_backends=[])
    def district_opinion(self, request, pk=None):
        return self._move(pk, DistrictOpinionInputSerializer, workflow.record_district_opinion)

    @_move_schema("Công nhận (quyết định của Chủ tịch UBND xã; cấp giấy chứng nhận)", RecogniseInputSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def recognise(self, request, pk=None):
        return self._move(pk, RecogniseInputSerializer, workflow.recognise_case)

    @_move_schema("Không công nhận đề nghị của hộ (trả lời bằng văn bản)", RejectInputSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def reject(self, request, pk=None):
        return self._move(pk, RejectInputSerializer, workflow.reject_case)

    @_move_schema("Báo cáo tỉnh kết quả đã công nhận của hồ sơ", ReportInputSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def report(self, request, pk=None):
        return self._move(pk, ReportInputSerializer, workflow.report_case)
