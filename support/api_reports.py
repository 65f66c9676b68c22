"""REST API of support's figures over an area (domain A8, Part B §5): budgets and their summary, the targeting
list (JSON or an audited Excel file) and the outcomes of the households supported in a year.

Built on the API base (`config.api`) and the plumbing of `api.py` (filters, `SupportViewSet`): an input serializer
parses, a service (budgets) or a selector (figures) does the work. The views of figures over an area (budget summary,
targeting, outcomes) take an area within the user's own scope. Kept apart from `api.py`, which holds the
intervention types, records and their moves, follow-ups and loans, to keep each module one screenful of
concepts (STYLE 2).
"""

import datetime
from collections.abc import Sequence

import django_filters
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from drf_spectacular.utils import extend_schema, extend_schema_serializer, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from config.api import BAD_INPUT, NOT_FOUND, STALE, choice_field, id_field, integer_field, text_field
from config.errors import DomainError
from config.filters import IdFilter, YearFilter, choice_filter
from households import rules as access
from households.access import AccessLogViewSetMixin, log_access, log_export
from households.api_areas import AreaBriefSerializer
from households.models import AccessAction, AccessDoor, Area, Household, subtree
from households.selectors import scoped_area, visible_area
from households.services import log_action
from programs.review.documents import render_xlsx
from programs.rules import INDICATOR_NAMES, LISTED, STATUSES
from programs.standards.api_records import YearField
from support import documents, rules, selectors, services
from support.api import SupportViewSet, known_types, optional_text
from support.models import BudgetAllocation, FundingSource, InterventionType, Project

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORTED = "support.targeting.exported"


# --- budgets ---------------------------------------------------------------------------------------------


class BudgetSerializer(serializers.ModelSerializer):
    area = AreaBriefSerializer(read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)

    class Meta:
        model = BudgetAllocation
        fields = ["id", "area", "year", "project", "funding_source", "amount", "decision", "recorded_by"]
        fields += ["updated_at", "version"]
        read_only_fields = fields


class BudgetInputSerializer(serializers.Serializer):
    area = id_field("id địa bàn (tỉnh, huyện hoặc xã)", bigint=True, source="area_id")
    year = integer_field(bigint=True, help_text="Năm kế hoạch")
    project = choice_field(Project.choices)
    funding_source = choice_field(FundingSource.choices)
    amount = integer_field(bigint=True, help_text="Số tiền (đồng); cấp dưới cộng lại không vượt cấp trên")
    decision = optional_text(max_length=120, help_text="Quyết định giao vốn")
    version = integer_field(
        bigint=True, min_value=1, required=False, help_text="Khi sửa: phiên bản bạn đã đọc; đã đổi thì trả 409"
    )


class AreaYearQuerySerializer(serializers.Serializer):
    area = id_field("id địa bàn (tỉnh, huyện cũ hoặc xã) trong phạm vi của bạn", bigint=True)
    year = integer_field(min_value=2000, max_value=2100)


class BudgetLineSerializer(serializers.Serializer):
    project = serializers.CharField()
    project_label = serializers.CharField()
    funding_source = serializers.CharField()
    funding_source_label = serializers.CharField()
    allocated = serializers.IntegerField(help_text="Kế hoạch vốn của địa bàn (hoặc tổng các địa bàn cấp dưới)")
    distributed = serializers.IntegerField(help_text="Đã giao cho cấp dưới")
    committed = serializers.IntegerField(help_text="Hỗ trợ dự kiến, đã duyệt (phần ngân sách)")
    delivered = serializers.IntegerField(help_text="Hỗ trợ đã giao (phần ngân sách)")
    cofinancing = serializers.IntegerField(help_text="Hộ đối ứng của hỗ trợ đã giao")
    remaining = serializers.IntegerField(help_text="Còn lại: kế hoạch trừ đã giao và dự kiến")


TOTALS = ["allocated", "distributed", "committed", "delivered", "cofinancing", "remaining"]


class CommuneBudgetSerializer(serializers.Serializer):
    area = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    allocated = serializers.IntegerField()
    delivered = serializers.IntegerField()


class BudgetSummarySerializer(serializers.Serializer):
    area = AreaBriefSerializer()
    year = serializers.IntegerField()
    lines = BudgetLineSerializer(many=True)
    totals = serializers.DictField(child=serializers.IntegerField(), help_text="Tổng các dòng: " + ", ".join(TOTALS))
    communes = CommuneBudgetSerializer(many=True)


class BudgetFilter(django_filters.FilterSet):
    area = IdFilter(method="filter_area", label="id địa bàn: kế hoạch vốn của địa bàn và các địa bàn trong đó")
    year = YearFilter(label="Năm kế hoạch")
    project = choice_filter(Project.choices, "Dự án")
    funding_source = choice_filter(FundingSource.choices, "Nguồn vốn")

    class Meta:
        model = BudgetAllocation
        fields: list[str] = []

    def filter_area(self, queryset, name, value):
        return queryset.filter(subtree(visible_area(self.request.user, value), "area__path"))


@extend_schema_view(
    list=extend_schema(summary="Kế hoạch vốn theo địa bàn, năm, dự án, nguồn"),
    create=extend_schema(
        summary="Giao (hoặc sửa) kế hoạch vốn của một địa bàn",
        request=BudgetInputSerializer,
        responses={201: BudgetSerializer, 200: BudgetSerializer, 400: BAD_INPUT, 404: NOT_FOUND, 409: STALE},
    ),
)
class BudgetViewSet(mixins.ListModelMixin, SupportViewSet):
    serializer_class = BudgetSerializer
    required_rights = {"list": access.SUPPORT_VIEW, "create": access.SUPPORT_BUDGET, "summary": access.SUPPORT_VIEW}
    filterset_class = BudgetFilter
    ordering_fields = ["id", "year", "amount"]
    ordering = ["year", "area__path", "project", "funding_source", "id"]

    def get_queryset(self) -> QuerySet[BudgetAllocation]:
        return BudgetAllocation.objects.visible_to(self.request.user).select_related("area", "recorded_by")

    def create(self, request, *args, **kwargs):
        data = self.parse(BudgetInputSerializer)
        visible_area(request.user, data["area_id"])  # an unknown area is a 400 naming it, like any unknown id
        # without the version it read, a POST only adds a line: it never overwrites one (STYLE 9)
        budget = services.set_budget(actor=request.user, create_only="version" not in data, **data)
        created = budget.version == 1  # set_budget creates at version 1 and bumps it on every change
        return self.read_back(budget.pk, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        summary="Kế hoạch vốn so với hỗ trợ đã giao, theo dự án và nguồn, và theo xã",
        parameters=[AreaYearQuerySerializer],
        responses={200: BudgetSummarySerializer, 400: BAD_INPUT},
        filters=False,
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def summary(self, request):
        query = self.parse(AreaYearQuerySerializer, request.query_params)
        area, year = scoped_area(request.user, query["area"]), query["year"]
        lines = selectors.budget_summary(area, year)
        return Response(
            {
                "area": AreaBriefSerializer(area).data,
                "year": year,
                "lines": [line.as_dict() for line in lines],
                "totals": {name: sum(getattr(line, name) for line in lines) for name in TOTALS},
                "communes": selectors.budget_by_commune(area, year),
            }
        )


# --- targeting list and outcomes -------------------------------------------------------------------------


class TargetingQuerySerializer(serializers.Serializer):
    area = id_field("id địa bàn (tỉnh, huyện cũ hoặc xã) trong phạm vi của bạn", bigint=True)
    indicator = choice_field(
        sorted(INDICATOR_NAMES.items()), required=False, help_text="Mã chỉ số thiếu hụt (phiếu gần nhất của hộ)"
    )
    status = serializers.ListField(
        child=choice_field([(s, rules.STATUS_LABELS[s]) for s in STATUSES]),
        required=False,
        default=[s for s in STATUSES if s in LISTED],
        help_text="Tình trạng hộ (lặp lại được); mặc định hộ nghèo và cận nghèo",
    )
    since = serializers.DateField(
        required=False,
        help_text="Chưa nhận hỗ trợ đã giao từ ngày này; mặc định "
        f"{rules.TARGETING_SINCE:%d/%m/%Y}, khi Chương trình bắt đầu (như trang quản trị)",
    )
    type = serializers.ListField(
        child=text_field(max_length=40),
        max_length=50,
        required=False,
        default=list,
        help_text="Chỉ xét các loại hỗ trợ này",
    )
    format = choice_field([("json", "JSON"), ("xlsx", "Excel")], default="json", help_text="xlsx: tải tệp Excel")


class TargetRowSerializer(serializers.ModelSerializer):
    head_name = serializers.CharField(source="head.full_name", read_only=True, default=None, allow_null=True)
    village = serializers.CharField(source="village.name", read_only=True, default=None, allow_null=True)
    deprived = serializers.ListField(
        source="deprived_now",
        child=serializers.CharField(),
        default=list,
        allow_null=True,
        help_text="Mã các chỉ số thiếu hụt theo phiếu khảo sát mới nhất của hộ; null: hộ chưa có phiếu",
    )

    class Meta:
        model = Household
        fields = ["id", "code", "head_name", "village", "status", "status_since", "deprived"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        summary="Danh sách hộ cần hỗ trợ: thiếu hụt chỉ số X, chưa được hỗ trợ từ ngày D",
        description="Với format=xlsx: tệp Excel (có ghi nhật ký tải xuống).",
        parameters=[TargetingQuerySerializer],
        responses={200: TargetRowSerializer(many=True), 400: BAD_INPUT},
    )
)
class TargetingViewSet(AccessLogViewSetMixin, SupportViewSet):
    serializer_class = TargetRowSerializer
    required_rights = {"list": access.SUPPORT_VIEW}
    filter_backends: list = []

    def perform_content_negotiation(self, request, force=False):
        """`format` chooses JSON or the Excel file (this view answers the file itself), not a DRF renderer."""
        renderer = JSONRenderer()
        return renderer, renderer.media_type

    def list(self, request):
        query = self.parse(TargetingQuerySerializer, request.query_params)
        area, today = scoped_area(request.user, query["area"]), timezone.localdate()
        if query.get("since") and query["since"] > today:
            message = f"Ngày “chưa được hỗ trợ từ” ({query['since']:%d/%m/%Y}) sau hôm nay."
            raise DomainError("in_future", message, "since")
        criteria = {
            "indicator": query.get("indicator"),
            "statuses": list(dict.fromkeys(query["status"])),
            "since": query.get("since") or rules.TARGETING_SINCE,
        }
        type_codes = known_types(query["type"])
        households = selectors.targeting(
            Household.objects.visible_to(request.user).in_area(area), type_codes=type_codes, **criteria
        )
        if query["format"] == "xlsx":
            return self._export(area, households, criteria, type_codes, today)
        rows = (
            households.select_related("head", "village")
            .annotate(deprived_now=selectors.latest_assessment())
            .order_by("village__name", "code", "id")
        )
        return self.get_paginated_response(self.get_serializer(self.paginate_queryset(rows), many=True).data)

    def _export(self, area: Area, households, criteria: dict, type_codes: Sequence[str], today: datetime.date):
        """The list as an Excel file; the download is audited (names of people, STYLE 15)."""
        names = list(InterventionType.objects.filter(code__in=type_codes).values_list("name", flat=True))
        document = documents.targeting_document(
            area=area, households=households, today=today, type_names=names, **criteria
        )
        response = HttpResponse(render_xlsx(document), content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{document.filename}.xlsx"'
        patch_cache_control(response, private=True, no_store=True)
        changes = {
            "indicator": (None, criteria["indicator"]),
            "statuses": (None, criteria["statuses"]),
            "since": (None, criteria["since"].isoformat()),
            "types": (None, type_codes),
            "rows": (None, sum(len(section.rows) for section in document.sections)),
        }
        log_action(actor=self.request.user, action=EXPORTED, obj=area, changes=changes)
        log_export(self.request, resource=f"{document.sheet} (Excel)", household_ids=document.household_ids)
        return response


class OutcomeQuerySerializer(AreaYearQuerySerializer):
    # a year to come has no support delivered: refused by the schema's range, as the service would (`in_future`)
    year = YearField(min_value=2000, latest=lambda: timezone.localdate().year, help_text="Năm hỗ trợ, đến năm nay")
    horizon = integer_field(min_value=1, max_value=10, default=2, help_text="Số năm theo dõi sau năm hỗ trợ")


class OutcomeYearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    out_of_poverty = serializers.IntegerField(help_text="Trong số hộ nghèo khi hỗ trợ: không còn nghèo ngày 31/12")
    off_lists = serializers.IntegerField(help_text="Trong số hộ nghèo, cận nghèo: không còn trong danh sách ngày 31/12")
    so_far = serializers.BooleanField(help_text="Năm chưa kết thúc: số liệu tính đến hôm nay")


class OutcomeRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="all hoặc mã dự án")
    label = serializers.CharField()
    supported = serializers.IntegerField(help_text="Số hộ được hỗ trợ (đã giao) trong năm")
    poor_when_supported = serializers.IntegerField()
    listed_when_supported = serializers.IntegerField()
    by_year = OutcomeYearSerializer(many=True)
    relapsed = serializers.IntegerField(help_text="Tái nghèo, tái cận nghèo sau khi được hỗ trợ")
    relapsed_households = serializers.ListField(child=serializers.CharField(), help_text="Mã các hộ đó")


@extend_schema_serializer(many=False)  # the one answer of a `list` route: an object, not an array
class OutcomesSerializer(serializers.Serializer):
    area = AreaBriefSerializer()
    year = serializers.IntegerField()
    years = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Các năm sau năm hỗ trợ đã bắt đầu; năm đang diễn ra tính đến hôm nay (so_far)",
    )
    total = OutcomeRowSerializer()
    rows = OutcomeRowSerializer(many=True, help_text="Theo dự án")


@extend_schema_view(
    list=extend_schema(
        summary="Kết quả sau hỗ trợ: thoát nghèo, tái nghèo của các hộ được hỗ trợ trong năm",
        parameters=[OutcomeQuerySerializer],
        responses={200: OutcomesSerializer, 400: BAD_INPUT},
    )
)
class OutcomeViewSet(SupportViewSet):
    serializer_class = OutcomesSerializer
    required_rights = {"list": access.SUPPORT_VIEW}
    filter_backends: list = []
    pagination_class = None

    def list(self, request):
        query = self.parse(OutcomeQuerySerializer, request.query_params)
        area, year = scoped_area(request.user, query["area"]), query["year"]
        households = Household.objects.visible_to(request.user).in_area(area)
        today = timezone.localdate()
        if year > today.year:  # no support is delivered in a year to come: zeros would read as that year's result
            raise DomainError("in_future", f"Năm {year} chưa đến: chưa có hỗ trợ nào được giao.", "year")
        years, total, rows = selectors.outcomes(households, year, horizon=query["horizon"], today=today)
        relapsed = households.filter(code__in=total.relapsed_households).values_list("pk", flat=True)
        log_access(
            request,
            door=AccessDoor.API,
            action=AccessAction.LIST,
            resource="Kết quả sau hỗ trợ (hộ tái nghèo)",
            household_ids=relapsed,
            result_count=len(total.relapsed_households),
        )
        return Response(
            {
                "area": AreaBriefSerializer(area).data,
                "year": year,
                "years": years,
                "total": total.as_dict(years, today),
                "rows": [row.as_dict(years, today) for row in rows],
            }
        )
