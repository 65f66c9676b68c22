"""REST API of the areas: the catalogue of provinces, districts, communes and villages, and a commune's new village."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from config.api import UseCaseMixin
from config.filters import IdFilter, choice_filter
from config.permissions import HasRight
from households import rules, selectors, services
from households.api_fields import OptionalChoiceField
from households.models import Area, AreaLevel, AreaType
from households.rules import Level

_RIGHTS_READ = {"list": rules.AREA_VIEW, "retrieve": rules.AREA_VIEW}


# --- areas -----------------------------------------------------------------------------------------


class AreaSerializer(serializers.ModelSerializer):
    area_type = OptionalChoiceField(
        AreaType.choices,
        read_only=True,
        help_text="Khu vực của xã/phường (rural: nông thôn, urban: thành thị), theo đó xét chuẩn nghèo; null với "
        "tỉnh và huyện",
    )
    division_type = serializers.CharField(
        read_only=True, help_text="Loại đơn vị như văn bản gọi (xã, phường, thôn, tổ dân phố...); có thể rỗng"
    )
    parent = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="id của địa bàn cấp trên; null với tỉnh"
    )
    province = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True, help_text="id của tỉnh chứa địa bàn")
    is_official = serializers.BooleanField(
        read_only=True, help_text="Thuộc danh mục đơn vị hành chính chính thức (thôn do xã thêm: false)"
    )

    class Meta:
        model = Area
        fields = ["id", "code", "name", "level", "division_type", "parent", "province", "area_type", "is_official"]
        read_only_fields = fields


# An area named in another object (a campaign, a target, a report, a budget). No docstring: the schema would show it.
class AreaBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Area
        fields = ["id", "code", "name"]
        read_only_fields = fields


class VillageCreateSerializer(serializers.Serializer):
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Area.objects.filter(level=Level.COMMUNE),
        help_text="Mã số (id) của xã/phường mà thôn thuộc về.",
        error_messages={"does_not_exist": "Không có xã/phường với id {pk_value}."},
    )
    name = serializers.CharField(max_length=200)
    code = serializers.CharField(max_length=20, required=False, allow_blank=True)
    division_type = serializers.ChoiceField(
        choices=["thôn", "tổ dân phố", "bản", "ấp", "buôn", "làng", "khóm", "sóc"], required=False
    )


class AreaFilter(django_filters.FilterSet):
    level = choice_filter(AreaLevel.choices, "Cấp địa bàn")
    parent = IdFilter(field_name="parent_id", label="id địa bàn cấp trên: các địa bàn trực thuộc")
    province = IdFilter(field_name="province_id", label="id tỉnh: các địa bàn trong tỉnh")
    code = django_filters.CharFilter(field_name="code", label="Mã địa bàn (mã đơn vị hành chính)")
    q = django_filters.CharFilter(method="search", label="Tìm theo tên (không dấu)")

    class Meta:
        model = Area
        fields = ["level", "parent", "province", "code", "q"]

    def search(self, queryset, name, value):
        return selectors.search_areas(queryset, value)


@extend_schema_view(
    list=extend_schema(summary="Danh mục địa bàn (tỉnh, xã, thôn)"),
    retrieve=extend_schema(summary="Một địa bàn"),
    create=extend_schema(
        summary="Thêm thôn/tổ dân phố", request=VillageCreateSerializer, responses={201: AreaSerializer}
    ),
)
class AreaViewSet(
    UseCaseMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = AreaSerializer
    permission_classes = [HasRight]
    required_rights = {**_RIGHTS_READ, "create": rules.VILLAGE_MANAGE}
    filterset_class = AreaFilter
    ordering_fields = ["code", "name", "id"]
    ordering = ["code"]

    def get_queryset(self):
        return selectors.areas_for(self.request.user)

    def create(self, request, *args, **kwargs):
        data = self.parse(VillageCreateSerializer)
        village = services.create_village(
            actor=request.user,
            commune=data["parent"],
            name=data["name"],
            code=data.get("code", ""),
            division_type=data.get("division_type", ""),
        )
        return Response(AreaSerializer(village).data, status=status.HTTP_201_CREATED)
