"""The serializers of the annual review's API (programs.review.api): what a case and a campaign look like in an
answer, and the input of each move. A choice a case does not have yet is answered as null (`AbsentChoiceField`)."""

import datetime

from django.db.models import Count, Q
from django.utils import timezone
from drf_spectacular.utils import (
    extend_schema_field,
)
from rest_framework import serializers

from config.api import choice_field, id_field, integer_field, text_field
from config.filters import FIRST_YEAR
from households.api import HouseholdBriefSerializer
from households.api_areas import AreaBriefSerializer
from households.models import HouseholdStatus
from programs.models import (
    CaseOrigin,
    Category,
    ComplaintOutcome,
    RequestChannel,
    RequestKind,
    ReviewCampaign,
    ReviewCase,
    ReviewComplaint,
    ReviewKind,
)
from programs.review import rules
from programs.standards.api_records import YearField

STATES = [state.value for state in rules.CaseState]
# Choices named in the schema (config.settings ENUM_NAME_OVERRIDES): the steps a case waits for, its moves.
CASE_STEP_CHOICES = [(step.value, rules.STEP_LABELS[step]) for step in rules.Step]
CASE_MOVE_CHOICES = [(move.value, rules.MOVE_LABELS[move]) for move in rules.Move]
OPEN_STATES = sorted(state.value for state in rules.OPEN_STATES)


def overdue_q(today: datetime.date, prefix: str = "") -> Q:
    """Open cases whose awaited step was due before `today` (closed cases have no deadline)."""
    return Q(**{f"{prefix}state__in": OPEN_STATES, f"{prefix}due_on__lt": today})


def state_counts(prefix: str) -> dict[str, Count]:
    return {f"n_{state}": Count(f"{prefix}id", filter=Q(**{f"{prefix}state": state})) for state in STATES}


# --- output serializers ----------------------------------------------------------------------------------


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


def counts_of(row) -> dict[str, int]:
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
        return sum(counts_of(obj).values())

    @extend_schema_field(StateCountsSerializer)
    def get_counts(self, obj) -> dict[str, int]:
        return counts_of(obj)


class CampaignReportResultSerializer(serializers.Serializer):
    reported_cases = serializers.IntegerField(help_text="Số hồ sơ vừa báo cáo tỉnh")
    campaign = ReviewCampaignDetailSerializer()


class ProgressRowSerializer(serializers.Serializer):
    commune = AreaBriefSerializer()
    total = serializers.IntegerField(help_text="Tổng số hồ sơ")
    counts = StateCountsSerializer(help_text="Số hồ sơ theo từng bước")
    overdue = serializers.IntegerField(help_text="Hồ sơ chưa xong đã quá hạn bước đang chờ")


class AbsentChoiceField(serializers.ChoiceField):
    """A choice a row does not have yet (stored as ""): answered as null, never as an empty string outside the
    enum, and declared nullable."""

    def __init__(self, choices, **kwargs):
        super().__init__(choices=choices, read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value):
        return None if value in ("", None) else super().to_representation(value)


class ReviewComplaintSerializer(serializers.ModelSerializer):
    outcome = AbsentChoiceField(
        ComplaintOutcome.choices,
        help_text="Kết quả phúc tra: upheld (có cơ sở), dismissed (không); null: chưa giải quyết",
    )

    class Meta:
        model = ReviewComplaint
        fields = ["id", "received_on", "complainant", "content", "outcome", "resolution", "resolved_on"]
        read_only_fields = fields


class ReviewCaseSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True, help_text="Số hồ sơ hộ dân dùng khi khiếu nại")
    household = HouseholdBriefSerializer(read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    overdue = serializers.SerializerMethodField(help_text="Bước đang chờ đã quá hạn (hồ sơ chưa đóng)")
    allowed_moves = serializers.SerializerMethodField(
        help_text="Các bước quy trình cho phép từ bước hiện tại (quyền của người dùng xét riêng)"
    )
    complaints = ReviewComplaintSerializer(many=True, read_only=True)
    request_kind = AbsentChoiceField(
        RequestKind.choices,
        help_text="Hộ tự đề nghị: add (xét nghèo, cận nghèo), exit (thoát nghèo); null: hồ sơ theo danh sách",
    )
    request_channel = AbsentChoiceField(
        RequestChannel.choices, help_text="Hình thức nộp đề nghị; null: không có đề nghị"
    )
    proposed_category = AbsentChoiceField(
        Category.choices, help_text="Phân loại đề xuất theo phiếu khảo sát; null: chưa khảo sát"
    )
    recognised_status = AbsentChoiceField(
        HouseholdStatus.choices, help_text="Tình trạng được công nhận; null: chưa có quyết định công nhận"
    )
    due_step = AbsentChoiceField(
        CASE_STEP_CHOICES,
        help_text="Bước đang chờ theo lịch của kỳ rà soát; null: hồ sơ đã đóng",
    )

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

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=CASE_MOVE_CHOICES)))
    def get_allowed_moves(self, obj) -> list[str]:
        moves = rules.allowed_moves(
            obj.state,
            has_district_step=obj.campaign.has_district_step,
            requested=obj.origin == CaseOrigin.REQUESTED,
            open_complaints=any(not complaint.outcome for complaint in obj.complaints.all()),
        )
        return [move.value for move in moves]


# --- input serializers -----------------------------------------------------------------------------------

# Input fields are named like the services' arguments; `version`, `assessment` and `complaint` map to theirs
# with `source=`.


class CaseMoveSerializer(serializers.Serializer):
    version = integer_field(
        min_value=1,
        source="expected_version",
        help_text="Phiên bản hồ sơ bạn đã đọc (version); hồ sơ đã đổi thì trả 409.",
    )


class SurveyInputSerializer(CaseMoveSerializer):
    assessment = id_field("id phiếu khảo sát của hộ trong kỳ rà soát này", source="assessment_id")


class MeetingInputSerializer(CaseMoveSerializer):
    meeting_date = serializers.DateField(help_text="Ngày họp thôn")
    attendees = integer_field(min_value=1, max_value=100_000, help_text="Số người dự họp")
    agreeing = integer_field(
        min_value=0, max_value=100_000, help_text="Số người đồng ý (thống nhất khi ít nhất 50% người dự họp)"
    )
    note = text_field(required=False, allow_blank=True, default="", help_text="Ghi chú biên bản họp")


class PostInputSerializer(CaseMoveSerializer):
    posting_start = serializers.DateField(help_text="Ngày bắt đầu niêm yết")
    posting_end = serializers.DateField(
        required=False, allow_null=True, help_text="Ngày kết thúc; mặc định đủ số ngày làm việc của kỳ rà soát"
    )


class ComplaintInputSerializer(CaseMoveSerializer):
    received_on = serializers.DateField(help_text="Ngày nhận khiếu nại")
    complainant = text_field(max_length=120, help_text="Người khiếu nại")
    content = text_field(help_text="Nội dung khiếu nại")


class ResolveComplaintInputSerializer(CaseMoveSerializer):
    complaint = id_field("id khiếu nại của hồ sơ", source="complaint_id")
    outcome = choice_field(ComplaintOutcome.choices, help_text="upheld: có cơ sở, khảo sát lại; dismissed: giữ kết quả")
    resolution = text_field(help_text="Kết luận phúc tra")
    resolved_on = serializers.DateField(help_text="Ngày giải quyết")


class DistrictOpinionInputSerializer(CaseMoveSerializer):
    opinion_on = serializers.DateField(help_text="Ngày có ý kiến của cấp huyện")
    opinion = text_field(help_text="Ý kiến của Chủ tịch UBND cấp huyện")


class RecogniseInputSerializer(CaseMoveSerializer):
    decision_number = text_field(max_length=60, help_text="Số quyết định công nhận của Chủ tịch UBND xã")
    decision_date = serializers.DateField(help_text="Ngày quyết định (sau khi hết niêm yết)")


class RejectInputSerializer(CaseMoveSerializer):
    reason = text_field(help_text="Lý do không công nhận (trả lời hộ bằng văn bản)")
    decided_on = serializers.DateField(help_text="Ngày trả lời")


class ReportInputSerializer(CaseMoveSerializer):
    reported_on = serializers.DateField(help_text="Ngày báo cáo tỉnh")


class ReviewRequestSerializer(serializers.Serializer):
    household = id_field("id của hộ đề nghị")
    request_kind = choice_field(
        RequestKind.choices, help_text="add: đề nghị xét hộ nghèo, cận nghèo; exit: đăng ký thoát nghèo"
    )
    channel = choice_field(RequestChannel.choices, help_text="Hình thức nộp đề nghị")
    filed_on = serializers.DateField(help_text="Ngày nộp đề nghị")
    note = text_field(required=False, allow_blank=True, default="", help_text="Nội dung đề nghị")


class CampaignReportInputSerializer(serializers.Serializer):
    reported_on = serializers.DateField(help_text="Ngày báo cáo tỉnh")


class CampaignCalendarInputSerializer(serializers.Serializer):
    steps = serializers.DictField(
        child=serializers.DateField(),
        error_messages={"not_a_dict": "Phải là một bảng bước → ngày (JSON object), không phải {input_type}."},
        help_text="Bước → hạn mới (survey, meeting, posting, district, recognition, report); bước không gửi giữ nguyên",
    )
    posting_days = integer_field(min_value=1, max_value=365, required=False, help_text="Số ngày làm việc niêm yết")
    reason = text_field(required=False, allow_blank=True, default="", help_text="Lý do (ghi nhật ký)")


class ProgressQuerySerializer(serializers.Serializer):
    area = id_field("id địa bàn (tỉnh, huyện cũ hoặc xã): các xã trong địa bàn", bigint=True)
    year = YearField(help_text=f"Năm rà soát, từ {FIRST_YEAR} đến năm sau")
    kind = choice_field(ReviewKind.choices, default=ReviewKind.PERIODIC, help_text="Loại rà soát")
    month = integer_field(
        min_value=1, max_value=12, required=False, help_text="Tháng (rà soát thường xuyên); bỏ trống: cả năm"
    )
