"""REST API of the year's figures (domain Part B §6.2, §4.3): an area's figures, its communes ranked,
its rates over the years, the targets, and a recomputation on demand.

Figures are read from the pre-aggregated `CommuneYearFigures` (a province is the sum of its communes' rows)
for an area within the user's scope; they are aggregates, not personal data. Targets are written by
`statistics.set_target`; a recomputation is queued to Celery (`tasks.refresh_figures`), never run in the
request.
"""

from decimal import Decimal

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import UseCaseMixin
from config.errors import DomainError
from config.permissions import HasRight
from households import rules as access
from households.api import AreaBriefSerializer
from households.models import Area
from households.rules import Level
from households.selectors import scoped_area, visible_area
from programs import tasks
from programs.models import PovertyTarget, TargetKind, TargetMeasure
from programs.reporting import rules as accounting
from programs.reporting import selectors
from programs.reporting import services as statistics

# Figures are kept from the first year of the program (2021) to this year, as the nightly refresh, the dashboard
# and the official reports keep them: a year before would read rows nothing refreshes, a year to come would read
# zeros (or today's lists, if someone computed them) as if they were that year's.
FIRST_YEAR = statistics.FIRST_YEAR
MAX_SERIES_YEARS = 30


def _year(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=FIRST_YEAR, max_value=2100, **kwargs)


def _not_to_come(year: int) -> int:
    this_year = timezone.localdate().year
    if year > this_year:
        raise serializers.ValidationError(f"Năm {year} chưa đến: chỉ có số liệu đến năm {this_year}.")
    return year


class AreaYearQuery(serializers.Serializer):
    area = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="id địa bàn trong phạm vi của bạn")
    year = _year(help_text=f"Từ {FIRST_YEAR} đến năm nay")

    def validate_year(self, year: int) -> int:
        return _not_to_come(year)


class SeriesQuery(serializers.Serializer):
    area = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="id địa bàn trong phạm vi của bạn")
    start = _year(required=False, help_text=f"Từ năm (mặc định {FIRST_YEAR})")
    end = _year(required=False, help_text="Đến năm (mặc định năm nay)")

    def validate_start(self, start: int) -> int:
        return _not_to_come(start)

    def validate_end(self, end: int) -> int:
        return _not_to_come(end)

    def validate(self, attrs):
        start, end = attrs.get("start", FIRST_YEAR), attrs.get("end", timezone.localdate().year)
        field = "start" if "start" in attrs else "end"  # name the year the caller sent, not a default
        if start > end:
            raise serializers.ValidationError({field: ["Năm bắt đầu sau năm kết thúc."]})
        if end - start >= MAX_SERIES_YEARS:
            raise serializers.ValidationError({field: [f"Tối đa {MAX_SERIES_YEARS} năm."]})
        return {**attrs, "start": start, "end": end}


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
        summary="Số liệu năm của một địa bàn", parameters=[AreaYearQuery], responses={200: OpenApiTypes.OBJECT}
    )
    def get(self, request):
        query = self.parse(AreaYearQuery, request.query_params)
        return Response(area_figures(stats_area(request.user, query["area"]), query["year"]))


class CommuneRankingView(_StatsView):
    """The communes within an area, the highest poor-household rate first (the dashboard's "map")."""

    @extend_schema(
        summary="Xếp hạng các xã theo tỷ lệ hộ nghèo", parameters=[AreaYearQuery], responses={200: OpenApiTypes.OBJECT}
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
        summary="Tỷ lệ hộ nghèo, cận nghèo qua các năm", parameters=[SeriesQuery], responses={200: OpenApiTypes.OBJECT}
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
    years = serializers.ListField(child=_year(), required=False, max_length=MAX_SERIES_YEARS)

    def validate_years(self, years: list[int]) -> list[int]:
        # a year to come has no figures: computed now, they would show today's lists as that year's
        this_year = timezone.localdate().year
        if any(year > this_year for year in years):
            raise serializers.ValidationError(f"Chỉ tính được số liệu đến năm {this_year}.")
        return years


class RefreshView(UseCaseMixin, APIView):
    """Queue a recomputation of the figures of an area's communes (Celery); answers 202 at once."""

    permission_classes = [HasRight]
    required_rights = {"post": access.STATS_MANAGE}

    def get_permissions(self):
        # One right for every method, not a no-op: without it HasRight would look up "get", "options"... and refuse
        # them (403), where the holder of the right gets 405 for GET and the schema of the view for OPTIONS.
        self.action = "post"
        return super().get_permissions()

    @extend_schema(summary="Tính lại số liệu (chạy nền)", request=RefreshInput, responses={202: OpenApiTypes.OBJECT})
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


class TargetInput(serializers.Serializer):
    area = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    year = serializers.IntegerField(min_value=2021, max_value=2040)
    measure = serializers.ChoiceField(choices=TargetMeasure.choices)
    kind = serializers.ChoiceField(choices=TargetKind.choices)
    value = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=Decimal(0), max_value=Decimal(100))
    source = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False)


class TargetViewSet(UseCaseMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Targets of the areas in scope (and above); POST sets one (creates, or changes with `version`)."""

    serializer_class = TargetSerializer
    permission_classes = [HasRight]
    required_rights = {"list": access.STATS_VIEW, "retrieve": access.STATS_VIEW, "create": access.STATS_MANAGE}
    filterset_fields = {"year": ["exact"], "measure": ["exact"], "kind": ["exact"]}
    ordering_fields = ["id", "year", "area__path", "measure", "kind"]
    ordering = ["year", "area__path", "measure", "kind", "id"]

    def get_queryset(self):
        queryset = PovertyTarget.objects.visible_to(self.request.user).select_related("area")
        area = self.request.query_params.get("area")
        if area is not None and self.action == "list":
            try:
                area_id = int(area)
            except ValueError:
                area_id = 0
            queryset = queryset.filter(area=visible_area(self.request.user, area_id))
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
