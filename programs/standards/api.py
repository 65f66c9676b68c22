"""REST API of the program: classification, standards, assessments, status history, what-if."""

import datetime

import django_filters
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import UseCaseMixin, id_field, integer_field
from config.errors import DomainError
from config.filters import FIRST_YEAR, IdFilter, YearFilter, last_year
from config.permissions import HasRight
from households import rules as access
from households.access import AccessLogViewSetMixin
from households.api import HouseholdExtension
from households.models import Area, AreaType, EducationLevel, Household, HouseholdStatus, Schooling
from programs import rules
from programs.models import (
    Assessment,
    CaseStateChoices,
    Category,
    PovertyStandard,
    ReviewCase,
    ReviewKind,
    StatusChange,
    StatusEvent,
)
from programs.standards import derivations, selectors, services
from programs.standards.services import reclassify

# Choices named in the schema (config.settings ENUM_NAME_OVERRIDES): the causes of poverty a surveyor ticks.
POVERTY_CAUSE_CHOICES = list(rules.POVERTY_CAUSES.items())


class ClassifyRequestSerializer(serializers.Serializer):
    standard = serializers.CharField(max_length=20, help_text="Mã chuẩn nghèo: VN-2016, VN-2022, VN-2027.")
    area_type = serializers.ChoiceField(
        choices=AreaType.choices,
        error_messages={"invalid_choice": "Khu vực “{input}” không hợp lệ: chỉ nhận rural hoặc urban."},
    )
    income_per_capita = serializers.IntegerField(
        required=False, allow_null=True, help_text="Thu nhập bình quân đầu người/tháng (VND)."
    )
    point_a = serializers.IntegerField(
        required=False, allow_null=True, help_text="Điểm A (phiếu B1), thay cho thu nhập."
    )
    deprivations = serializers.ListField(
        child=serializers.CharField(max_length=30),
        required=False,
        default=list,
        help_text="Mã các chỉ số thiếu hụt (A3).",
    )


class MemberFactsSerializer(serializers.Serializer):
    date_of_birth = serializers.DateField()
    has_valid_health_insurance = serializers.BooleanField()
    schooling = serializers.ChoiceField(choices=Schooling.choices, default=Schooling.NONE)
    education_level = serializers.ChoiceField(choices=EducationLevel.choices, default=EducationLevel.NONE)
    receives_disability_allowance = serializers.BooleanField(default=False)
    stunted = serializers.BooleanField(required=False, allow_null=True, default=None)
    underweight = serializers.BooleanField(required=False, allow_null=True, default=None)


class FactsSerializer(serializers.Serializer):
    survey_date = serializers.DateField()
    members = MemberFactsSerializer(many=True, allow_empty=False)
    dwelling = serializers.DictField(required=False, default=dict)
    answers = serializers.DictField(child=serializers.BooleanField(allow_null=True), required=False, default=dict)
    confirmed = serializers.DictField(child=serializers.BooleanField(), required=False, default=dict)


class ClassifyFactsRequestSerializer(ClassifyRequestSerializer):
    facts = FactsSerializer(
        required=False, help_text="Thông tin thành viên và nhà ở (như phiếu khảo sát), thay cho danh sách chỉ số."
    )


class ClassifyResponseSerializer(serializers.Serializer):
    derived = serializers.DictField(
        child=serializers.BooleanField(allow_null=True), required=False, help_text="Chỉ khi gửi facts"
    )
    disagreements = serializers.ListField(child=serializers.CharField(), required=False)
    standard = serializers.CharField()
    area_type = serializers.ChoiceField(
        choices=AreaType.choices, help_text="Khu vực: rural (nông thôn), urban (thành thị)"
    )
    category = serializers.ChoiceField(choices=Category.choices, help_text="Phân loại theo chuẩn")
    deprivation_count = serializers.IntegerField()
    deprived = serializers.ListField(child=serializers.CharField())
    point_b = serializers.IntegerField()
    income_line = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())


def classification_data(result: rules.Classification) -> dict:
    return {
        "standard": result.standard,
        "area_type": result.area_type.value,
        "category": result.category.value,
        "deprivation_count": result.deprivation_count,
        "deprived": list(result.deprived),
        "point_b": result.point_b,
        "income_line": result.income_line,
        "reasons": list(result.reasons),
    }


def run_rule(function, *args, **kwargs):
    """Call a pure rule; its input errors become the API's 400 naming the field."""
    try:
        return function(*args, **kwargs)
    except rules.RuleInputError as exc:
        raise DomainError(exc.code, exc.message, exc.field) from exc


class ClassifyView(UseCaseMixin, APIView):
    """Stateless classification of one household's facts under a named standard (domain A2)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Phân loại hộ theo một chuẩn nghèo (không lưu)",
        description="Không ghi gì. Gửi `deprivations` (mã các chỉ số thiếu hụt) hoặc `facts` (thông tin thành viên, "
        "nhà ở như phiếu khảo sát: hệ thống tự tính các chỉ số, trả về `derived` và `disagreements`), không gửi cả "
        "hai; thu nhập (`income_per_capita`) hoặc điểm A (`point_a`).",
        request=ClassifyFactsRequestSerializer,
        responses={200: ClassifyResponseSerializer},
        examples=[
            OpenApiExample(
                "RuralLowIncomeThreeDeprivations",
                summary="Hộ nông thôn, thu nhập 1.200.000 đ, thiếu hụt 3 chỉ số",
                request_only=True,
                value={
                    "standard": "VN-2022",
                    "area_type": "rural",
                    "income_per_capita": 1_200_000,
                    "deprivations": ["water", "sanitation", "telecom"],
                },
            ),
            OpenApiExample(
                "PoorUnder2022Standard",
                summary="Hộ nghèo theo chuẩn 2022-2025",
                response_only=True,
                value={
                    "standard": "VN-2022",
                    "area_type": "rural",
                    "category": "poor",
                    "deprivation_count": 3,
                    "deprived": ["water", "sanitation", "telecom"],
                    "point_b": 30,
                    "income_line": 1_500_000,
                    "reasons": [
                        "Thu nhập 1.800.000 đ/người/tháng trên chuẩn nghèo 1.500.000 đ, đến 2.000.000 đ; "
                        "thiếu hụt 3 chỉ số (từ 3): hộ nghèo"
                    ],
                },
            ),
        ],
    )
    def post(self, request):
        data = self.parse(ClassifyFactsRequestSerializer)
        standard = selectors.standard_rule(data["standard"])
        facts = data.get("facts")
        if facts is None:
            result = run_rule(
                rules.classify,
                standard,
                area_type=data["area_type"],
                deprived=data["deprivations"],
                income_per_capita=data.get("income_per_capita"),
                point_a=data.get("point_a"),
            )
            return Response(classification_data(result))
        if "deprivations" in request.data:
            raise DomainError(
                "facts_and_deprivations", "Gửi facts hoặc deprivations, không gửi cả hai.", "deprivations"
            )
        derived, reconciled, result = services.evaluate(
            standard,
            area_type=data["area_type"],
            members=[derivations.MemberFacts(**member) for member in facts["members"]],
            dwelling=services.dwelling_facts(facts["dwelling"]),
            survey_date=facts["survey_date"],
            answers=facts["answers"],
            confirmed=facts["confirmed"],
            income_per_capita=data.get("income_per_capita"),
            point_a=data.get("point_a"),
        )
        body = classification_data(result)
        body["derived"] = derived
        body["disagreements"] = [d.describe() for d in reconciled.disagreements]
        return Response(body)


class PovertyStandardSerializer(serializers.ModelSerializer):
    indicators = serializers.SerializerMethodField()

    class Meta:
        model = PovertyStandard
        fields = [
            "id",
            "code",
            "name",
            "legal_basis",
            "valid_from",
            "valid_to",
            "rural_poor_line",
            "urban_poor_line",
            "rural_income_only_line",
            "urban_income_only_line",
            "rural_average_upper",
            "urban_average_upper",
            "deprivation_threshold",
            "rural_point_a_max",
            "urban_point_a_max",
            "point_b_per_indicator",
            "indicators",
        ]

    def get_indicators(self, obj) -> list[str]:
        return [si.indicator.code for si in obj.standard_indicators.all()]


class PovertyStandardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = PovertyStandardSerializer
    permission_classes = [HasRight]
    required_rights = {"list": access.STANDARD_VIEW, "retrieve": access.STANDARD_VIEW}
    queryset = PovertyStandard.objects.prefetch_related("standard_indicators__indicator")
    ordering_fields = ["valid_from", "code", "id"]
    ordering = ["valid_from"]
    filterset_fields = ["code"]


# --- the status flags on the households -----------------------------------------------------------


def newly_escaped_until(household) -> "datetime.date | None":
    """The end of the household's own newly-escaped window (36 months, shared/domain.md A5), or None."""
    return rules.newly_escaped_until(household.left_lists_on, household.status)


def years_in_poverty(household, as_of: "datetime.date") -> int:
    history = [(c.effective_date, c.to_status) for c in household.status_changes.all()]
    return rules.years_in_poverty(history, as_of)


class StatusFieldsMixin(serializers.Serializer):
    ever_poor = serializers.BooleanField(read_only=True, help_text="Đã từng là hộ nghèo (theo lịch sử tình trạng)")
    left_lists_on = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="Ngày ra khỏi danh sách hộ nghèo, cận nghèo gần nhất; null: chưa từng ra",
    )
    newly_escaped_until = serializers.SerializerMethodField(
        help_text="Hết thời hạn hộ mới thoát nghèo (36 tháng từ ngày ra khỏi danh sách); null: không phải hộ mới thoát"
    )
    years_in_poverty = serializers.SerializerMethodField(help_text="Số năm là hộ nghèo tính đến hôm nay")

    def get_newly_escaped_until(self, obj) -> datetime.date | None:
        return newly_escaped_until(obj)

    def get_years_in_poverty(self, obj) -> int:
        return years_in_poverty(obj, timezone.localdate())


class StatusFilters(django_filters.FilterSet):
    ever_poor = django_filters.BooleanFilter()
    newly_escaped = django_filters.BooleanFilter(
        method="filter_newly_escaped", label="Hộ mới thoát nghèo (trong thời hạn)"
    )

    def filter_newly_escaped(self, queryset, name, value):
        window = selectors.newly_escaped(timezone.localdate())
        return queryset.filter(window) if value else queryset.exclude(window)


def with_status_history(queryset: QuerySet[Household]) -> QuerySet[Household]:
    """What `years_in_poverty` reads: the household's status changes, in one query for a page."""
    changes = StatusChange.objects.only("household_id", "effective_date", "to_status")
    return queryset.prefetch_related(Prefetch("status_changes", queryset=changes))


# The status flags of the program on the registry's household endpoints (registered by `ProgramsConfig.ready`).
HOUSEHOLD_STATUS = HouseholdExtension(
    name="Status", fields=StatusFieldsMixin, filters=StatusFilters, queryset=with_status_history
)


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
    review_year = integer_field(
        min_value=FIRST_YEAR, max_value=last_year(), help_text="Năm rà soát (đến năm sau ngày khảo sát)"
    )
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
    review_kind = django_filters.ChoiceFilter(choices=ReviewKind.choices)
    category = django_filters.ChoiceFilter(choices=Category.choices)
    is_current = django_filters.BooleanFilter()

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
    event = django_filters.ChoiceFilter(choices=StatusEvent.choices, label="Sự kiện")
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


# --- what-if --------------------------------------------------------------------------------------------


class WhatIfQuerySerializer(serializers.Serializer):
    standard = serializers.CharField(max_length=20)
    area = serializers.CharField(max_length=20, required=False, help_text="Mã địa bàn; mặc định: địa bàn của bạn")


class CategoryMoveSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=Category.choices, help_text="Phân loại theo chuẩn mới")
    households = serializers.IntegerField(help_text="Số hộ")

    def get_fields(self):
        # "from" is a Python keyword: declared here so that the field keeps the name the report uses
        fields = {"from": serializers.ChoiceField(choices=Category.choices, help_text="Phân loại hiện tại")}
        return {**fields, **super().get_fields()}


class WhatIfCommuneSerializer(serializers.Serializer):
    commune = serializers.IntegerField(help_text="id xã/phường")
    code = serializers.CharField(help_text="Mã xã/phường")
    name = serializers.CharField(help_text="Tên xã/phường")
    households = serializers.IntegerField(help_text="Số hộ có phiếu khảo sát được xét")
    changed = serializers.IntegerField(help_text="Số hộ đổi phân loại")
    moves = CategoryMoveSerializer(many=True, help_text="Đổi từ phân loại nào sang phân loại nào, bao nhiêu hộ")


class SkippedSerializer(serializers.Serializer):
    assessment = serializers.IntegerField(help_text="id phiếu khảo sát không xét được")
    reason = serializers.CharField(help_text="Lý do")


class WhatIfSerializer(serializers.Serializer):
    standard = serializers.CharField(help_text="Mã chuẩn nghèo đem thử")
    households = serializers.IntegerField(help_text="Số hộ được xét (phiếu khảo sát mới nhất của mỗi hộ)")
    changed = serializers.IntegerField(help_text="Số hộ đổi phân loại")
    unanswered_counted_as_not_deprived = serializers.IntegerField(
        help_text="Số câu trả lời thiếu (chỉ số của chuẩn mới) được tính là không thiếu hụt"
    )
    skipped = SkippedSerializer(many=True, help_text="Phiếu không xét được (tối đa 100)")
    written = serializers.IntegerField(help_text="Số phiếu đã ghi: luôn 0 (chỉ thử, không ghi)")
    communes = WhatIfCommuneSerializer(many=True, help_text="Theo từng xã")


class WhatIfView(UseCaseMixin, APIView):
    """How many households would change category under another standard, by commune (nothing is written)."""

    permission_classes = [HasRight]
    required_rights = {"get": access.ASSESSMENT_VIEW}

    def get_permissions(self):
        # One right for every method, not a no-op: without it HasRight would look up "head", "options"... and refuse
        # them (403), where the holder of the right gets HEAD and OPTIONS answered and 405 for POST.
        self.action = "get"
        return super().get_permissions()

    @extend_schema(
        summary="Thử phân loại lại theo chuẩn khác (không ghi)",
        parameters=[WhatIfQuerySerializer],
        responses={200: WhatIfSerializer},
    )
    def get(self, request):
        query = self.parse(WhatIfQuerySerializer, request.query_params)
        area = None
        if query.get("area"):
            area = Area.objects.in_charge_of(request.user).filter(code=query["area"]).first()
            if area is None:
                raise DomainError("unknown_area", f"Không có địa bàn mã {query['area']}.", "area")
        report = reclassify.reclassify(actor=request.user, standard_code=query["standard"], area=area, dry_run=True)
        return Response(report.as_dict(reclassify.commune_names(report)))
