"""REST API of the program's records: the surveys (assessments) with their classification, and the status
changes of the households (programs.standards.api routes them with the rest)."""

from collections.abc import Callable

import django_filters
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from config.api import INTEGER_ERRORS, UseCaseMixin, id_field
from config.filters import FIRST_YEAR, FlagFilter, IdFilter, YearFilter, choice_filter, last_year
from config.permissions import HasRight
from households import rules as access
from households.access import AccessLogViewSetMixin
from households.models import HouseholdStatus
from programs import rules
from programs.models import (
    Assessment,
    CaseStateChoices,
    Category,
    ReviewCase,
    ReviewKind,
    StatusChange,
    StatusEvent,
)
from programs.standards import services


class YearField(serializers.IntegerField):
    """A year from `min_value` (2016) to `latest()` (next year). The upper bound is read from the calendar at each
    request: fixed when the server starts, it would refuse the new year's reviews until a restart. The schema shows
    it as it stands when the schema is generated."""

    def __init__(self, *, latest: Callable[[], int] = last_year, **kwargs):
        kwargs.setdefault("min_value", FIRST_YEAR)
        kwargs.setdefault("error_messages", INTEGER_ERRORS)
        super().__init__(**kwargs)
        self.latest = latest
        self.max_value = latest()  # the schema's maximum; no validator: `to_internal_value` checks the calendar

    def to_internal_value(self, data):
        year = super().to_internal_value(data)
        if year > self.latest():
            self.fail("max_value", max_value=self.latest())
        return year


# Choices named in the schema (config.settings ENUM_NAME_OVERRIDES): the causes of poverty a surveyor ticks.
POVERTY_CAUSE_CHOICES = list(rules.POVERTY_CAUSES.items())


# --- assessments -------------------------------------------------------------------------------------


class MemberExtraSerializer(serializers.Serializer):
    member = id_field("id của thành viên trong hộ", bigint=True)
    stunted = serializers.BooleanField(required=False, allow_null=True, help_text="Trẻ dưới 16 tuổi thấp còi")
    underweight = serializers.BooleanField(required=False, allow_null=True, help_text="Trẻ dưới 16 tuổi nhẹ cân")


class DwellingSerializer(serializers.Serializer):
    has_house = serializers.BooleanField(required=False, allow_null=True)
    floor_area_m2 = serializers.DecimalField(
        max_digits=9, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    foundation_frame_durable = serializers.BooleanField(required=False, allow_null=True)
    walls_durable = serializers.BooleanField(required=False, allow_null=True)
    roof_durable = serializers.BooleanField(required=False, allow_null=True)


class AnswersField(serializers.DictField):
    child = serializers.BooleanField(allow_null=True)


class AssessmentCreateSerializer(serializers.Serializer):
    household = id_field("id hộ", bigint=True)
    standard = serializers.CharField(max_length=20, required=False, help_text="Mặc định: chuẩn áp dụng ngày khảo sát.")
    review_year = YearField(help_text="Năm rà soát (đến năm sau ngày khảo sát)")
    review_kind = serializers.ChoiceField(choices=ReviewKind.choices, default=ReviewKind.PERIODIC)
    review_month = serializers.IntegerField(min_value=0, max_value=12, default=0)
    survey_date = serializers.DateField()
    income_per_capita = serializers.IntegerField(required=False, allow_null=True)
    point_a = serializers.IntegerField(required=False, allow_null=True)
    quick_answers = serializers.DictField(required=False, default=dict)
    dwelling = DwellingSerializer(required=False, default=dict)
    members = MemberExtraSerializer(many=True, required=False, default=list)
    answers = AnswersField(
        required=False, default=dict, help_text="Câu trả lời của người khảo sát: {mã chỉ số: true/false}"
    )
    confirmed = serializers.DictField(child=serializers.BooleanField(), required=False, default=dict)
    causes = serializers.ListField(
        child=serializers.ChoiceField(choices=POVERTY_CAUSE_CHOICES),
        required=False,
        default=list,
        max_length=len(rules.POVERTY_CAUSES),
        help_text="Nguyên nhân nghèo người khảo sát đánh dấu (hộ nghèo, cận nghèo): "
        + ", ".join(f"{code} ({name})" for code, name in rules.POVERTY_CAUSES.items()),
    )
    surveyor_name = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class DisagreementSerializer(serializers.Serializer):
    indicator = serializers.CharField(help_text="Mã chỉ số (A3)")
    derived = serializers.BooleanField(help_text="Hệ thống tính: thiếu hụt hay không")
    answered = serializers.BooleanField(help_text="Người khảo sát ghi: thiếu hụt hay không")
    text = serializers.CharField(help_text="Mô tả khác nhau, bằng lời")


def _flags(help_text: str) -> serializers.DictField:
    return serializers.DictField(child=serializers.BooleanField(allow_null=True), read_only=True, help_text=help_text)


def _codes(help_text: str) -> serializers.ListField:
    return serializers.ListField(child=serializers.CharField(), read_only=True, help_text=help_text)


class AssessmentSerializer(serializers.ModelSerializer):
    standard = serializers.CharField(source="standard.code", read_only=True, help_text="Mã chuẩn nghèo áp dụng")
    household_code = serializers.CharField(source="household.code", read_only=True, help_text="Mã hộ")
    surveyor = serializers.CharField(source="surveyor.username", read_only=True, help_text="Tài khoản người ghi phiếu")
    quick_answers = serializers.DictField(read_only=True, help_text="Câu trả lời nhận dạng nhanh, như đã gửi")
    dwelling = serializers.DictField(
        read_only=True, help_text="Thông tin nhà ở như đã gửi (has_house, floor_area_m2, …)"
    )
    member_facts = serializers.ListField(
        child=serializers.DictField(),
        read_only=True,
        help_text="Thông tin từng thành viên vào ngày khảo sát (member, full_name, date_of_birth, age, …)",
    )
    answers = _flags("Câu trả lời của người khảo sát: {mã chỉ số: true/false/null}")
    derived = _flags("Chỉ số hệ thống tính từ thông tin thành viên, nhà ở: {mã chỉ số: true/false/null}")
    confirmed = _flags("Xác nhận của người khảo sát khi khác với hệ thống: {mã chỉ số: true/false}")
    disagreements = DisagreementSerializer(many=True, read_only=True, help_text="Khác nhau giữa tính toán và trả lời")
    deprived = _codes("Mã các chỉ số thiếu hụt")
    causes = serializers.ListField(
        child=serializers.ChoiceField(choices=POVERTY_CAUSE_CHOICES),
        read_only=True,
        help_text="Nguyên nhân nghèo đã đánh dấu",
    )
    reasons = _codes("Lý do phân loại, bằng lời")

    class Meta:
        model = Assessment
        fields = [
            "id",
            "household",
            "household_code",
            "standard",
            "review_year",
            "review_kind",
            "review_month",
            "survey_date",
            "area_type",
            "quick_answers",
            "income_per_capita",
            "point_a",
            "dwelling",
            "member_facts",
            "answers",
            "derived",
            "confirmed",
            "disagreements",
            "deprived",
            "causes",
            "deprivation_count",
            "point_b",
            "income_line",
            "category",
            "reasons",
            "surveyor",
            "surveyor_name",
            "recorded_at",
            "is_current",
            "superseded_by",
            "note",
        ]
        read_only_fields = fields


class MovedCaseSerializer(serializers.Serializer):
    """The review case a survey moved on: what a client needs for the case's next move."""

    id = serializers.IntegerField(help_text="id hồ sơ rà soát")
    reference = serializers.CharField(help_text="Số hồ sơ")
    state = serializers.ChoiceField(choices=CaseStateChoices.choices, help_text="Bước của hồ sơ sau khi ghi phiếu")
    version = serializers.IntegerField(help_text="Phiên bản hồ sơ: gửi kèm bước tiếp theo (họp thôn)")


class AssessmentCreatedSerializer(AssessmentSerializer):
    review_case = serializers.SerializerMethodField(
        help_text="Hồ sơ rà soát của hộ mà phiếu này vừa được gắn vào và chuyển bước; null: hộ không có hồ sơ đang mở "
        "trong kỳ rà soát này"
    )

    class Meta(AssessmentSerializer.Meta):
        fields = [*AssessmentSerializer.Meta.fields, "review_case"]
        read_only_fields = fields

    @extend_schema_field(MovedCaseSerializer(allow_null=True))
    def get_review_case(self, assessment) -> dict | None:
        case = self.context.get("review_case")
        return None if case is None else MovedCaseSerializer(case).data


SURVEY_MOVES_CASE = (
    "Ghi phiếu khảo sát của hộ trong một kỳ rà soát và phân loại hộ theo chuẩn của kỳ (phiếu cũ của cùng kỳ được "
    "giữ lại, đánh dấu đã thay thế).\n\n"
    "**Tác dụng kèm theo:** nếu hộ có hồ sơ rà soát đang mở trong kỳ này (bước `listed`, hoặc khảo sát lại), phiếu "
    "được gắn vào hồ sơ và hồ sơ chuyển sang bước `classified` ngay trong cùng thao tác, như bước `survey` của hồ sơ. "
    "Vì vậy không cần gửi `POST /api/v1/review-cases/{id}/survey/` sau đó: gửi với `version` đọc trước khi ghi "
    "phiếu thì trả 409 (hồ sơ đã đổi). Trường `review_case` của câu trả lời cho biết hồ sơ nào đã chuyển bước, "
    "bước mới và `version` mới: dùng `version` đó cho bước tiếp theo (họp thôn). Số liệu thống kê của xã được "
    "đánh dấu cần tính lại."
)

ASSESSMENT_EXAMPLE = OpenApiExample(
    "PeriodicSurvey2026",
    summary="Phiếu khảo sát rà soát định kỳ 2026",
    request_only=True,
    value={
        "household": 1201,
        "review_year": 2026,
        "survey_date": "2026-10-01",
        "income_per_capita": 1_350_000,
        "dwelling": {
            "has_house": True,
            "floor_area_m2": "45",
            "foundation_frame_durable": True,
            "walls_durable": True,
            "roof_durable": True,
        },
        "members": [{"member": 5402, "stunted": False, "underweight": False}],
        "answers": {"employment": False, "water": True, "sanitation": True, "telecom": False},
        "causes": ["land", "illness"],
        "surveyor_name": "Lò Thị Mai",
    },
)

ASSESSMENT_CREATED_EXAMPLE = OpenApiExample(
    "SurveyRecordedCaseClassified",
    summary="Phiếu đã ghi, hồ sơ rà soát chuyển sang bước classified",
    response_only=True,
    status_codes=["201"],
    value={
        "id": 8812,
        "household": 1201,
        "household_code": "15001000123",
        "standard": "VN-2027",
        "review_year": 2026,
        "review_kind": "periodic",
        "review_month": 0,
        "survey_date": "2026-10-01",
        "area_type": "rural",
        "quick_answers": {},
        "income_per_capita": 1_350_000,
        "point_a": None,
        "dwelling": {
            "has_house": True,
            "floor_area_m2": "45",
            "foundation_frame_durable": True,
            "walls_durable": True,
            "roof_durable": True,
        },
        "member_facts": [
            {
                "member": 5402,
                "full_name": "Lò Văn Pình",
                "date_of_birth": "1981-04-12",
                "age": 45,
                "has_valid_health_insurance": True,
                "schooling": "none",
                "education_level": "lower_secondary",
                "stunted": False,
                "underweight": False,
            }
        ],
        "answers": {"employment": False, "water": True, "sanitation": True, "telecom": False},
        "derived": {"housing_quality": False, "housing_area": False, "health_insurance": False},
        "confirmed": {},
        "disagreements": [],
        "deprived": ["water", "sanitation"],
        "causes": ["land", "illness"],
        "deprivation_count": 2,
        "point_b": 20,
        "income_line": 2_200_000,
        "category": "near_poor",
        "reasons": ["Thu nhập 1.350.000 đ/người/tháng ≤ chuẩn nghèo 2.200.000 đ; thiếu hụt 2 chỉ số (dưới 3)"],
        "surveyor": "canbo_xa_a",
        "surveyor_name": "Lò Thị Mai",
        "recorded_at": "2026-10-01T09:12:40.118000+07:00",
        "is_current": True,
        "superseded_by": None,
        "note": "",
        "review_case": {"id": 431, "reference": "RS2026-000431", "state": "classified", "version": 2},
    },
)


class AssessmentFilter(django_filters.FilterSet):
    household = IdFilter(field_name="household_id", label="id hộ")
    commune = IdFilter(field_name="household__commune_id", label="id xã/phường")
    province = IdFilter(field_name="household__province_id", label="id tỉnh")
    review_year = YearFilter(label="Năm rà soát")
    review_kind = choice_filter(ReviewKind.choices, "Loại rà soát")
    category = choice_filter(Category.choices, "Phân loại")
    is_current = FlagFilter(label="true: chỉ phiếu hiện hành của mỗi kỳ rà soát; false: chỉ phiếu đã được thay")

    class Meta:
        model = Assessment
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(summary="Phiếu khảo sát và kết quả phân loại"),
    retrieve=extend_schema(summary="Một phiếu khảo sát"),
    create=extend_schema(
        summary="Ghi phiếu khảo sát và phân loại hộ (chuyển bước hồ sơ rà soát đang mở của hộ)",
        description=SURVEY_MOVES_CASE,
        request=AssessmentCreateSerializer,
        responses={201: AssessmentCreatedSerializer},
        examples=[ASSESSMENT_EXAMPLE, ASSESSMENT_CREATED_EXAMPLE],
    ),
)
class AssessmentViewSet(
    AccessLogViewSetMixin,
    UseCaseMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = AssessmentSerializer
    permission_classes = [HasRight]
    required_rights = {
        "list": access.ASSESSMENT_VIEW,
        "retrieve": access.ASSESSMENT_VIEW,
        "create": access.ASSESSMENT_RECORD,
    }
    filterset_class = AssessmentFilter
    ordering_fields = ["id", "survey_date", "recorded_at"]
    ordering = ["-id"]

    def get_queryset(self):
        return Assessment.objects.visible_to(self.request.user).select_related("standard", "household", "surveyor")

    def create(self, request, *args, **kwargs):
        data = self.parse(AssessmentCreateSerializer)
        assessment = services.record_assessment(
            actor=request.user,
            household_id=data["household"],
            survey_date=data["survey_date"],
            review_year=data["review_year"],
            review_kind=data["review_kind"],
            review_month=data["review_month"],
            standard_code=data.get("standard"),
            income_per_capita=data.get("income_per_capita"),
            point_a=data.get("point_a"),
            quick_answers=data["quick_answers"],
            dwelling=data["dwelling"],
            member_extras={m["member"]: {k: v for k, v in m.items() if k != "member"} for m in data["members"]},
            answers=data["answers"],
            confirmed=data["confirmed"],
            causes=data["causes"],
            surveyor_name=data["surveyor_name"],
            note=data["note"],
        )
        # The survey moved the household's open case of this review on (`advance_on_survey`): say which.
        moved = ReviewCase.objects.visible_to(request.user).filter(assessment=assessment).order_by("-id").first()
        body = AssessmentCreatedSerializer(assessment, context={"review_case": moved}).data
        return Response(body, status=status.HTTP_201_CREATED)


# --- status changes ----------------------------------------------------------------------------------


class StatusChangeSerializer(serializers.ModelSerializer):
    household_code = serializers.CharField(source="household.code", read_only=True, help_text="Mã hộ")
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True, help_text="Tài khoản người ghi")

    class Meta:
        model = StatusChange
        fields = [
            "id",
            "household",
            "household_code",
            "from_status",
            "to_status",
            "event",
            "effective_date",
            "decision_number",
            "assessment",
            "recorded_by",
            "recorded_at",
            "reason",
        ]
        read_only_fields = fields


class StatusChangeCreateSerializer(serializers.Serializer):
    household = id_field("id hộ", bigint=True)
    to_status = serializers.ChoiceField(choices=HouseholdStatus.choices)
    effective_date = serializers.DateField(help_text="Ngày quyết định công nhận")
    decision_number = serializers.CharField(max_length=60)
    assessment = id_field("id phiếu khảo sát làm căn cứ", bigint=True, required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class StatusChangeFilter(django_filters.FilterSet):
    household = IdFilter(field_name="household_id", label="id hộ")
    commune = IdFilter(field_name="household__commune_id", label="id xã/phường")
    event = choice_filter(StatusEvent.choices, "Sự kiện")
    year = YearFilter(field_name="effective_date__year", label="Năm có hiệu lực")

    class Meta:
        model = StatusChange
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(summary="Lịch sử tình trạng hộ (thoát nghèo, tái nghèo, phát sinh…)"),
    retrieve=extend_schema(summary="Một thay đổi tình trạng"),
    create=extend_schema(
        summary="Ghi quyết định công nhận tình trạng mới của hộ",
        request=StatusChangeCreateSerializer,
        responses={201: StatusChangeSerializer},
    ),
)
class StatusChangeViewSet(
    AccessLogViewSetMixin,
    UseCaseMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = StatusChangeSerializer
    permission_classes = [HasRight]
    required_rights = {
        "list": access.HOUSEHOLD_VIEW,
        "retrieve": access.HOUSEHOLD_VIEW,
        "create": access.STATUS_RECOGNISE,
    }
    filterset_class = StatusChangeFilter
    ordering_fields = ["id", "effective_date"]
    ordering = ["-id"]

    def get_queryset(self):
        return StatusChange.objects.visible_to(self.request.user).select_related("household", "recorded_by")

    def create(self, request, *args, **kwargs):
        data = self.parse(StatusChangeCreateSerializer)
        change = services.record_status_change(
            actor=request.user,
            household_id=data["household"],
            to_status=data["to_status"],
            effective_date=data["effective_date"],
            decision_number=data["decision_number"],
            assessment_id=data.get("assessment"),
            reason=data["reason"],
        )
        return Response(StatusChangeSerializer(change).data, status=status.HTTP_201_CREATED)
