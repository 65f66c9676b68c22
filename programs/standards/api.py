"""REST API of the program: classification, standards, assessments, status history, what-if."""

import datetime

import django_filters
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import OuterRef, Prefetch, QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import UseCaseMixin
from config.errors import DomainError
from config.filters import FlagFilter
from config.permissions import HasRight
from households import api_rows
from households import rules as access
from households.api import HouseholdExtension
from households.models import Area, AreaType, EducationLevel, Household, Schooling
from programs import rules
from programs.models import (
    Category,
    PovertyStandard,
    StatusChange,
)
from programs.standards import derivations, selectors, services
from programs.standards.api_records import (  # noqa: F401 - routed from here (config.urls)
    AssessmentViewSet,
    StatusChangeViewSet,
)
from programs.standards.services import reclassify


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
    ever_poor = FlagFilter(label="true: hộ đã từng là hộ nghèo; false: chưa từng")
    newly_escaped = FlagFilter(
        method="filter_newly_escaped", label="true: hộ mới thoát nghèo (trong thời hạn 36 tháng); false: các hộ khác"
    )

    def filter_newly_escaped(self, queryset, name, value):
        window = selectors.newly_escaped(timezone.localdate())
        return queryset.filter(window) if value else queryset.exclude(window)


def with_status_history(queryset: QuerySet[Household]) -> QuerySet[Household]:
    """What `years_in_poverty` reads: the household's status changes, in one query for a page."""
    changes = StatusChange.objects.only("household_id", "effective_date", "to_status")
    return queryset.prefetch_related(Prefetch("status_changes", queryset=changes))


def _history(field: str) -> ArraySubquery:
    """One column of the household's status history, in date order, as an array read with the household's row."""
    changes = StatusChange.objects.filter(household=OuterRef("pk")).order_by("effective_date", "id")
    return ArraySubquery(changes.values(field))


# The columns the status flags are read from, with the household's row: two caches, and on PostgreSQL its history
# (as arrays; elsewhere, the embedded SQLite, the page's history is one query of its own).
STATUS_COLUMNS: api_rows.Columns = (("ever_poor", "ever_poor"), ("left_lists_on", "left_lists_on"))
if connection.vendor == "postgresql":
    STATUS_COLUMNS += (("_history_dates", _history("effective_date")), ("_history_statuses", _history("to_status")))


def _histories(rows: list[dict]) -> dict[int, list[tuple[datetime.date, str]]]:
    """The status history of each household of the page: read with the rows, or in one query."""
    if rows and "_history_dates" in rows[0]:
        return {
            row["id"]: list(zip(row.pop("_history_dates"), row.pop("_history_statuses"), strict=True)) for row in rows
        }
    history: dict[int, list[tuple[datetime.date, str]]] = {row["id"]: [] for row in rows}
    changes = StatusChange.objects.filter(household_id__in=list(history))
    changes = changes.order_by("household_id", "effective_date", "id")
    for household_id, effective_date, to_status in changes.values_list("household_id", "effective_date", "to_status"):
        history[household_id].append((effective_date, to_status))
    return history


def complete_status_rows(rows: list[dict]) -> None:
    """The status flags of a page of the list read as values (`households.api_rows`), as `StatusFieldsMixin`
    shows them: the same rules on the same history."""
    today = timezone.localdate()
    histories = _histories(rows)
    for row in rows:
        history = histories[row["id"]]
        left = row["left_lists_on"]
        row["left_lists_on"] = api_rows.shown(left, api_rows.DATE.to_representation)
        row["newly_escaped_until"] = rules.newly_escaped_until(left, row["status"])
        row["years_in_poverty"] = rules.years_in_poverty(history, today)


# The status flags of the program on the registry's household endpoints (registered by `ProgramsConfig.ready`).
HOUSEHOLD_STATUS = HouseholdExtension(
    name="Status",
    fields=StatusFieldsMixin,
    filters=StatusFilters,
    queryset=with_status_history,
    columns=STATUS_COLUMNS,
    rows=complete_status_rows,
)

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
