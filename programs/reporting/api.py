"""REST API of the year's figures (domain Part B §6.2, §4.3): an area's figures, its communes ranked,
its rates over the years, the targets, and a recomputation on demand.

Figures are read from the pre-aggregated `CommuneYearFigures` (a province is the sum of its communes' rows)
for an area within the user's scope; they are aggregates, not personal data. Targets are written by
`statistics.set_target`; a recomputation is queued to Celery (`tasks.refresh_figures`), never run in the
request.
"""

from decimal import Decimal

import django_filters
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import INTEGER_ERRORS, UseCaseMixin
from config.errors import DomainError
from config.filters import DescribedFilter, IdFilter, StrictIntegerField, choice_filter
from config.permissions import HasRight
from households import rules as access
from households.api_areas import AreaBriefSerializer
from households.models import Area
from households.rules import Level
from households.selectors import scoped_area, visible_area
from programs import tasks
from programs.models import PovertyTarget, TargetKind, TargetMeasure
from programs.reporting import rules as accounting
from programs.reporting import selectors
from programs.reporting import services as statistics
from programs.standards.api_records import YearField

# Figures are kept from the first year of the program (2021) to this year, as the nightly refresh, the dashboard
# and the official reports keep them: a year before would read rows nothing refreshes, a year to come would read
# zeros (or today's lists, if someone computed them) as if they were that year's.
FIRST_YEAR = statistics.FIRST_YEAR
MAX_SERIES_YEARS = 30
TARGET_YEARS = (2021, 2040)  # a target is set for a year of the 2021-2025 program or the strategy up to 2040


def this_year() -> int:
    return timezone.localdate().year


def _year(**kwargs) -> serializers.IntegerField:
    """A year of figures: from 2021 to this year (a year to come has none)."""
    messages = {**INTEGER_ERRORS, "max_value": "Năm chưa đến: chỉ có số liệu đến năm {max_value}."}
    return YearField(min_value=FIRST_YEAR, latest=this_year, error_messages=messages, **kwargs)


class AreaYearQuery(serializers.Serializer):
    area = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="id địa bàn trong phạm vi của bạn")
    year = _year(help_text=f"Từ {FIRST_YEAR} đến năm nay")


class SeriesQuery(serializers.Serializer):
    area = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="id địa bàn trong phạm vi của bạn")
    start = _year(required=False, help_text=f"Từ năm (mặc định {FIRST_YEAR})")
    end = _year(required=False, help_text="Đến năm (mặc định năm nay)")

    def validate(self, attrs):
        start, end = attrs.get("start", FIRST_YEAR), attrs.get("end", timezone.localdate().year)
        field = "start" if "start" in attrs else "end"  # name the year the caller sent, not a default
        if start > end:
            raise serializers.ValidationError({field: ["Năm bắt đầu sau năm kết thúc."]})
        if end - start >= MAX_SERIES_YEARS:
            raise serializers.ValidationError({field: [f"Tối đa {MAX_SERIES_YEARS} năm."]})
        return {**attrs, "start": start, "end": end}


# --- answers ------------------------------------------------------------------------------------------------


def _count(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, help_text=help_text)


def _rate(help_text: str, nullable: bool = True) -> serializers.FloatField:
    return serializers.FloatField(allow_null=nullable, help_text=help_text)


# Choices named in the schema (config.settings ENUM_NAME_OVERRIDES): the target groups of the figures, the kinds
# of movement of a list over a year, and the two lists.
TARGET_GROUP_CHOICES = list(accounting.GROUP_LABELS.items())
MOVEMENT_CHOICES = list(accounting.MOVEMENT_LABELS.items())
LIST_CHOICES = [("poor", "Hộ nghèo"), ("near_poor", "Hộ cận nghèo")]

RATE_NOTE = "%, hai chữ số thập phân; null khi không có hộ nào"


class ListCountsSerializer(serializers.Serializer):
    """The households, the poor and the near-poor among them, and their rates."""

    households = _count("Số hộ")
    poor = _count("Số hộ nghèo")
    near_poor = _count("Số hộ cận nghèo")
    poor_rate = _rate(f"Tỷ lệ hộ nghèo ({RATE_NOTE})")
    near_poor_rate = _rate(f"Tỷ lệ hộ cận nghèo ({RATE_NOTE})")


class AreaRatesSerializer(ListCountsSerializer):
    multidimensional_rate = _rate(f"Tỷ lệ nghèo đa chiều: nghèo + cận nghèo ({RATE_NOTE})")
    minority_poor_rate = _rate("Tỷ lệ hộ nghèo trong các hộ dân tộc thiểu số (%); null khi không có hộ DTTS")


class BreakdownSerializer(ListCountsSerializer):
    key = serializers.CharField(help_text="Mã nhóm (nhóm đối tượng) hoặc mã dân tộc")
    label = serializers.CharField(help_text="Tên nhóm, dân tộc")


class GroupBreakdownSerializer(BreakdownSerializer):
    key = serializers.ChoiceField(choices=TARGET_GROUP_CHOICES, help_text="Nhóm đối tượng (Phần B §4.3)")


class RateChangeSerializer(serializers.Serializer):
    poor = _rate("Thay đổi tỷ lệ hộ nghèo so với năm trước (điểm %); null khi thiếu số liệu một trong hai năm")
    near_poor = _rate("Thay đổi tỷ lệ hộ cận nghèo (điểm %)")
    multidimensional = _rate("Thay đổi tỷ lệ nghèo đa chiều (điểm %)")
    minority_poor = _rate("Thay đổi tỷ lệ hộ nghèo dân tộc thiểu số (điểm %)")


class ShareRowSerializer(serializers.Serializer):
    """How many poor and near-poor households have a trait, and their share of their list."""

    label = serializers.CharField(help_text="Tên")
    poor = _count("Số hộ nghèo")
    poor_share = _rate("Tỷ lệ trong các hộ nghèo (%); null khi không có hộ nghèo")
    near_poor = _count("Số hộ cận nghèo")
    near_poor_share = _rate("Tỷ lệ trong các hộ cận nghèo (%); null khi không có hộ cận nghèo")


class DeprivationRowSerializer(ShareRowSerializer):
    indicator = serializers.CharField(help_text="Mã chỉ số thiếu hụt (A3)")
    children = _count("Số trẻ em thiếu hụt chỉ số này")


class CauseRowSerializer(ShareRowSerializer):
    cause = serializers.CharField(help_text="Mã nguyên nhân nghèo; `none`: phiếu không đánh dấu nguyên nhân nào")


class ChildrenSerializer(serializers.Serializer):
    poor = _count("Số trẻ em trong hộ nghèo")
    near_poor = _count("Số trẻ em trong hộ cận nghèo")


class MovementLineSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=MOVEMENT_CHOICES, help_text="Loại tăng, giảm")
    label = serializers.CharField(help_text="Tên loại tăng, giảm")
    count = _count("Số hộ")


class MovementSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=LIST_CHOICES, help_text="Danh sách")
    start = _count("Số hộ đầu năm")
    decreases = MovementLineSerializer(many=True, help_text="Các khoản giảm trong năm")
    increases = MovementLineSerializer(many=True, help_text="Các khoản tăng trong năm")
    end = _count("Số hộ cuối năm")
    balances = serializers.BooleanField(help_text="Đầu năm − giảm + tăng = cuối năm")


class CohortYearSerializer(serializers.Serializer):
    after_years = serializers.IntegerField(min_value=1, help_text="Sau bao nhiêu năm")
    followed = _count("Số hộ thoát nghèo được theo dõi đến năm đó")
    relapsed = _count("Số hộ trong đó tái nghèo")
    relapse_rate = _rate("Tỷ lệ tái nghèo (%)")


class ExitCohortSerializer(serializers.Serializer):
    escaped = _count("Số hộ thoát nghèo trong năm")
    later = CohortYearSerializer(many=True, help_text="Các năm sau (chỉ các năm đã có hộ được theo dõi)")


class TargetCheckSerializer(serializers.Serializer):
    measure = serializers.ChoiceField(choices=TargetMeasure.choices, help_text="Chỉ tiêu")
    kind = serializers.ChoiceField(choices=TargetKind.choices, help_text="Loại mục tiêu")
    value = serializers.FloatField(help_text="Giá trị mục tiêu (%, hoặc điểm % giảm)")
    actual = _rate("Thực hiện (tỷ lệ, hoặc số điểm % đã giảm); null khi thiếu số liệu")
    on_track = serializers.BooleanField(allow_null=True, help_text="Đạt mục tiêu; null khi thiếu số liệu")
    text = serializers.CharField(help_text="Đánh giá bằng lời")


class FiguresSerializer(AreaRatesSerializer):
    change = RateChangeSerializer(help_text="Thay đổi so với năm trước")
    groups = GroupBreakdownSerializer(many=True, help_text="Theo nhóm đối tượng, đủ mọi nhóm")
    ethnicities = BreakdownSerializer(many=True, help_text="Theo dân tộc (nhiều hộ nhất trước)")
    deprivations = DeprivationRowSerializer(many=True, help_text="Chỉ số thiếu hụt của hộ nghèo, cận nghèo")
    causes = CauseRowSerializer(many=True, help_text="Nguyên nhân nghèo; rỗng khi số liệu không có nguyên nhân")
    children = ChildrenSerializer(help_text="Trẻ em trong hộ nghèo, cận nghèo")
    movement = MovementSerializer(many=True, help_text="Biến động trong năm của từng danh sách (Phần B §4.3)")
    exit_cohort = ExitCohortSerializer(help_text="Hộ thoát nghèo trong năm và tái nghèo các năm sau")
    targets = TargetCheckSerializer(many=True, help_text="Mục tiêu của địa bàn trong năm, đã đối chiếu")


class AreaFiguresSerializer(serializers.Serializer):
    area = AreaBriefSerializer()
    year = serializers.IntegerField(help_text="Năm")
    as_of = serializers.DateField(help_text="Số liệu tính đến ngày (31/12 của năm)")
    computed_at = serializers.DateTimeField(
        allow_null=True, help_text="Lúc tính số liệu (sớm nhất trong các xã); null: chưa tính"
    )
    figures = FiguresSerializer()


class CommuneRateSerializer(serializers.Serializer):
    area = serializers.IntegerField(help_text="id xã/phường")
    code = serializers.CharField(help_text="Mã xã/phường")
    name = serializers.CharField(help_text="Tên xã/phường")
    households = serializers.IntegerField(min_value=1, help_text="Tổng số hộ")
    poor = _count("Số hộ nghèo")
    near_poor = _count("Số hộ cận nghèo")
    poor_rate = _rate("Tỷ lệ hộ nghèo (%)", nullable=False)
    near_poor_rate = _rate("Tỷ lệ hộ cận nghèo (%)", nullable=False)
    multidimensional_rate = _rate("Tỷ lệ nghèo đa chiều (%)", nullable=False)


class CommuneRankingSerializer(serializers.Serializer):
    area = AreaBriefSerializer()
    year = serializers.IntegerField(help_text="Năm")
    communes = CommuneRateSerializer(many=True, help_text="Các xã có hộ, tỷ lệ hộ nghèo cao nhất trước")


class YearRatesSerializer(AreaRatesSerializer):
    year = serializers.IntegerField(help_text="Năm")


class SeriesSerializer(serializers.Serializer):
    area = AreaBriefSerializer()
    years = YearRatesSerializer(many=True, help_text="Các năm đã có số liệu, tăng dần")


class RefreshQueuedSerializer(serializers.Serializer):
    task = serializers.CharField(help_text="Mã việc chạy nền")
    communes = serializers.IntegerField(allow_null=True, help_text="Số xã sẽ tính lại; null: mọi xã")
    years = serializers.ListField(
        child=serializers.IntegerField(), allow_null=True, help_text="Các năm sẽ tính lại; null: mọi năm"
    )


FIGURES_EXAMPLE = OpenApiExample(
    "CommuneFigures2026",
    summary="Số liệu năm 2026 của một xã",
    response_only=True,
    value={
        "area": {"id": 1523, "code": "02647", "name": "Phường Lào Cai"},
        "year": 2026,
        "as_of": "2026-12-31",
        "computed_at": "2026-12-07T03:00:12.418000+07:00",
        "figures": {
            "households": 600,
            "poor": 48,
            "near_poor": 66,
            "poor_rate": 8.0,
            "near_poor_rate": 11.0,
            "multidimensional_rate": 19.0,
            "minority_poor_rate": 21.43,
            "change": {"poor": -1.5, "near_poor": 0.33, "multidimensional": -1.17, "minority_poor": None},
            "groups": [
                {
                    "key": "minority",
                    "label": "Hộ dân tộc thiểu số",
                    "households": 140,
                    "poor": 30,
                    "near_poor": 25,
                    "poor_rate": 21.43,
                    "near_poor_rate": 17.86,
                }
            ],
            "ethnicities": [],
            "deprivations": [
                {
                    "indicator": "water",
                    "label": "Nguồn nước sinh hoạt",
                    "poor": 20,
                    "poor_share": 41.67,
                    "near_poor": 9,
                    "near_poor_share": 13.64,
                    "children": 12,
                }
            ],
            "causes": [],
            "children": {"poor": 35, "near_poor": 41},
            "movement": [
                {
                    "status": "poor",
                    "start": 57,
                    "decreases": [{"key": "escaped", "label": "Thoát ra (không còn trong danh sách)", "count": 12}],
                    "increases": [{"key": "newly", "label": "Phát sinh mới", "count": 3}],
                    "end": 48,
                    "balances": True,
                }
            ],
            "exit_cohort": {"escaped": 12, "later": []},
            "targets": [
                {
                    "measure": "poor",
                    "kind": "reduction",
                    "value": 1.0,
                    "actual": 1.5,
                    "on_track": True,
                    "text": "Giảm 1,50 điểm % (mục tiêu giảm ít nhất 1,00)",
                }
            ],
        },
    },
)


class _StatsView(UseCaseMixin, APIView):
    permission_classes = [HasRight]
    required_rights = {"get": access.STATS_VIEW}


def stats_area(user, area_id: int) -> Area:
    """An area in the user's scope whose figures are kept: a commune or above. Figures are aggregated per
    commune, so a village's would be silently empty: asking for one is an error naming `area`."""
    area = scoped_area(user, area_id)
    if area.level == Level.VILLAGE:
        raise DomainError("invalid_level", "Số liệu tính cho xã, huyện, tỉnh; thôn không có số liệu riêng.", "area")
    return area


def targets_of(area: Area, year: int) -> list[accounting.Target]:
    return [
        accounting.Target(measure=t.measure, kind=t.kind, value=float(t.value))
        for t in PovertyTarget.objects.filter(area=area, year=year).order_by("measure", "kind")
    ]


def area_figures(area: Area, year: int) -> dict:
    """An area's figures for a year, with the change against the year before and its targets checked."""
    tallies = selectors.figures_by_year(area, [year - 1, year])
    computed = selectors.computed_at(area, year)
    return {
        "area": AreaBriefSerializer(area).data,
        "year": year,
        "as_of": accounting.reference_date(year).isoformat(),
        "computed_at": computed.isoformat() if computed else None,
        "figures": selectors.present_figures(tallies.get(year, {}), tallies.get(year - 1), targets_of(area, year)),
    }


class FiguresView(_StatsView):
    """The year's figures of an area (any level): counts and rates, their change, target groups, ethnicities,
    deprivations and causes of poverty among poor and near-poor households, children, the movement (which
    balances), the exit cohort and the targets."""

    @extend_schema(
        summary="Số liệu năm của một địa bàn",
        description="Số liệu đã tính sẵn theo xã (cấp trên là tổng các xã), không tính trong lúc gọi: `computed_at` "
        "cho biết lúc tính. Một quyết định công nhận làm số liệu của xã được tính lại trong vòng năm phút.",
        parameters=[AreaYearQuery],
        responses={200: AreaFiguresSerializer},
        examples=[FIGURES_EXAMPLE],
    )
    def get(self, request):
        query = self.parse(AreaYearQuery, request.query_params)
        return Response(area_figures(stats_area(request.user, query["area"]), query["year"]))


class CommuneRankingView(_StatsView):
    """The communes within an area, the highest poor-household rate first (the dashboard's "map")."""

    @extend_schema(
        summary="Xếp hạng các xã theo tỷ lệ hộ nghèo",
        parameters=[AreaYearQuery],
        responses={200: CommuneRankingSerializer},
    )
    def get(self, request):
        query = self.parse(AreaYearQuery, request.query_params)
        area = stats_area(request.user, query["area"])
        return Response(
            {
                "area": AreaBriefSerializer(area).data,
                "year": query["year"],
                "communes": selectors.commune_ranking(area, query["year"]),
            }
        )


class SeriesView(_StatsView):
    """An area's counts and rates year by year."""

    @extend_schema(
        summary="Tỷ lệ hộ nghèo, cận nghèo qua các năm", parameters=[SeriesQuery], responses={200: SeriesSerializer}
    )
    def get(self, request):
        query = self.parse(SeriesQuery, request.query_params)
        area = stats_area(request.user, query["area"])
        years = list(range(query["start"], query["end"] + 1))
        tallies = selectors.figures_by_year(area, years)
        return Response(
            {
                "area": AreaBriefSerializer(area).data,
                "years": [
                    {
                        "year": year,
                        "households": tallies[year].get("households", 0),
                        "poor": tallies[year].get("poor", 0),
                        "near_poor": tallies[year].get("near_poor", 0),
                        **{
                            f"{measure}_rate": accounting.measure_rate(tallies[year], measure)
                            for measure in accounting.MEASURE_LABELS
                        },
                    }
                    for year in years
                    if year in tallies
                ],
            }
        )


class RefreshInput(serializers.Serializer):
    area = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, required=False, help_text="Mặc định: địa bàn của bạn"
    )
    # a year to come has no figures: computed now, they would show today's lists as that year's
    years = serializers.ListField(child=_year(), required=False, max_length=MAX_SERIES_YEARS)


class RefreshView(UseCaseMixin, APIView):
    """Queue a recomputation of the figures of an area's communes (Celery); answers 202 at once."""

    permission_classes = [HasRight]
    required_rights = {"post": access.STATS_MANAGE}

    def get_permissions(self):
        # One right for every method, not a no-op: without it HasRight would look up "get", "options"... and refuse
        # them (403), where the holder of the right gets 405 for GET and the schema of the view for OPTIONS.
        self.action = "post"
        return super().get_permissions()

    @extend_schema(
        summary="Tính lại số liệu (chạy nền)",
        description="Xếp việc tính lại vào hàng đợi và trả 202 ngay; số liệu mới có khi việc chạy xong "
        "(xem `computed_at` của /api/v1/stats/figures/).",
        request=RefreshInput,
        responses={202: RefreshQueuedSerializer},
    )
    def post(self, request):
        data = self.parse(RefreshInput)
        user = request.user
        if "area" in data:
            area = stats_area(user, data["area"])
        elif user.area is not None:
            area = user.area
        else:
            area = None
        communes = None
        if area is not None:
            communes = list(Area.objects.within(area).filter(level=Level.COMMUNE).values_list("id", flat=True))
            communes = communes or [area.pk]
        years = sorted(set(data.get("years") or [])) or None
        result = tasks.refresh_figures.delay(years, communes)
        return Response(
            {"task": result.id, "communes": len(communes) if communes is not None else None, "years": years},
            status=status.HTTP_202_ACCEPTED,
        )


# --- targets ------------------------------------------------------------------------------------------------


class TargetSerializer(serializers.ModelSerializer):
    area = AreaBriefSerializer(read_only=True)

    class Meta:
        model = PovertyTarget
        fields = ["id", "area", "year", "measure", "kind", "value", "source", "version"]
        read_only_fields = fields


@extend_schema_field(
    {
        "type": "string",
        "format": "decimal",
        "pattern": r"^(100(\.0{1,2})?|[0-9]{1,2}(\.[0-9]{1,2})?)$",
        "example": "12.50",
        "description": "Từ 0 đến 100, tối đa hai chữ số thập phân, dấu chấm thập phân",
    }
)
class PercentField(serializers.DecimalField):
    """A share or a number of points from 0 to 100 with two decimals; the schema says so exactly (drf-spectacular's
    own pattern for a decimal also admits "" and 999)."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=5, decimal_places=2, min_value=Decimal(0), max_value=Decimal(100), **kwargs)


class TargetInput(serializers.Serializer):
    area = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    year = serializers.IntegerField(min_value=TARGET_YEARS[0], max_value=TARGET_YEARS[1])
    measure = serializers.ChoiceField(choices=TargetMeasure.choices)
    kind = serializers.ChoiceField(choices=TargetKind.choices)
    value = PercentField()
    source = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False)


@extend_schema_field({"type": "integer", "minimum": TARGET_YEARS[0], "maximum": TARGET_YEARS[1]})
class TargetYearFilter(DescribedFilter):
    """The year of a target: targets are set ahead, up to the end of the 2026-2040 strategy."""

    field_class = StrictIntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", TARGET_YEARS[0])
        kwargs.setdefault("max_value", TARGET_YEARS[1])
        super().__init__(*args, **kwargs)


class TargetFilter(django_filters.FilterSet):
    area = IdFilter(method="filter_area", label="id địa bàn trong phạm vi: mục tiêu của chính địa bàn đó")
    year = TargetYearFilter(label="Năm của mục tiêu")
    measure = choice_filter(TargetMeasure.choices, "Chỉ tiêu")
    kind = choice_filter(TargetKind.choices, "Loại mục tiêu")

    class Meta:
        model = PovertyTarget
        fields: list[str] = []

    def filter_area(self, queryset, name, value):
        return queryset.filter(area=visible_area(self.request.user, value))


class TargetViewSet(UseCaseMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Targets of the areas in scope (and above); POST sets one (creates, or changes with `version`)."""

    serializer_class = TargetSerializer
    permission_classes = [HasRight]
    required_rights = {"list": access.STATS_VIEW, "retrieve": access.STATS_VIEW, "create": access.STATS_MANAGE}
    filterset_class = TargetFilter
    ordering_fields = ["id", "year", "area__path", "measure", "kind"]
    ordering = ["year", "area__path", "measure", "kind", "id"]

    def get_queryset(self):
        queryset = PovertyTarget.objects.visible_to(self.request.user).select_related("area")
        return queryset.order_by("year", "area__path", "measure", "kind")

    @extend_schema(
        request=TargetInput,
        responses={201: TargetSerializer, 200: TargetSerializer, 400: OpenApiResponse(description="Dữ liệu sai")},
    )
    def create(self, request):
        values = self.parse(TargetInput)
        values["area_id"] = values.pop("area")
        target = statistics.set_target(actor=request.user, **values)
        code = status.HTTP_201_CREATED if target.version == 1 else status.HTTP_200_OK
        return Response(TargetSerializer(target).data, status=code)
