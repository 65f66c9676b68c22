"""REST API of the registry: areas, households and their members. Thin: serializers parse, services write.

The household endpoints are built here once; an app above households adds its own fields, filters and prefetch to
them through `extend_household_api` (programs adds the status flags), without households importing it.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass

import django_filters
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_serializer,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from config.api import UseCaseMixin
from config.filters import FlagFilter, IdFilter, choice_filter
from config.permissions import HasRight
from households import rules, selectors, services
from households.access import AccessLogViewSetMixin
from households.models import (
    Area,
    AreaLevel,
    AreaType,
    EducationLevel,
    Ethnicity,
    Household,
    HouseholdStatus,
    Member,
    Relation,
    WorkStatus,
)
from households.rules import Level

_RIGHTS_READ = {"list": rules.AREA_VIEW, "retrieve": rules.AREA_VIEW}


class OptionalChoiceField(serializers.ChoiceField):
    """A choice that may be unset: the unset value is answered as null (the enum of the schema has no ""), and null
    or "" sent is stored unset."""

    def __init__(self, choices, **kwargs):
        kwargs.setdefault("allow_null", True)
        super().__init__(choices, **kwargs)

    def validate_empty_values(self, data):
        if data is None and not self.read_only:
            return (True, "")
        return super().validate_empty_values(data)

    def to_representation(self, value):
        return None if value in ("", None) else super().to_representation(value)


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


# --- members ---------------------------------------------------------------------------------------

NATIONAL_ID_FIELD = dict(
    max_length=12,
    required=False,
    allow_null=True,
    allow_blank=True,
    help_text="Số căn cước công dân, 12 chữ số; duy nhất khi có.",
)


class MemberSerializer(serializers.ModelSerializer):
    education_level = OptionalChoiceField(
        EducationLevel.choices, required=False, help_text="Trình độ cao nhất đã tốt nghiệp; null: chưa ghi"
    )
    work_status = OptionalChoiceField(WorkStatus.choices, required=False, help_text="Việc làm; null: chưa ghi")
    date_of_birth = serializers.DateField(help_text="Ngày sinh (YYYY-MM-DD)")
    health_insurance_valid_until = serializers.DateField(
        required=False, allow_null=True, help_text="Thẻ BHYT có giá trị đến ngày (YYYY-MM-DD); null: không có thẻ"
    )
    ethnicity = serializers.PrimaryKeyRelatedField(
        queryset=Ethnicity.objects.all(),
        help_text="Mã dân tộc trong danh mục 54 dân tộc (01 = Kinh).",
        error_messages={"does_not_exist": "Dân tộc mã “{pk_value}” không có trong danh mục 54 dân tộc."},
    )
    ethnicity_name = serializers.CharField(source="ethnicity.name", read_only=True)
    national_id = serializers.CharField(**NATIONAL_ID_FIELD)

    class Meta:
        model = Member
        fields = [
            "id",
            "full_name",
            "date_of_birth",
            "sex",
            "ethnicity",
            "ethnicity_name",
            "relation",
            "national_id",
            "has_disability",
            "receives_disability_allowance",
            "health_insurance_number",
            "health_insurance_valid_until",
            "schooling",
            "education_level",
            "work_status",
            "occupation",
        ]
        read_only_fields = ["id", "ethnicity_name"]

    def validate_national_id(self, value):
        value = (value or "").strip()
        if value:
            problem = rules.national_id_problem(value)
            if problem:
                raise serializers.ValidationError(problem)
        return value or None


VERSION_HELP = "Phiên bản của hộ bạn đã đọc (household_version); lệch thì trả 409."


class MemberResultSerializer(MemberSerializer):
    household_version = serializers.IntegerField(source="household.version", read_only=True)

    class Meta(MemberSerializer.Meta):
        fields = [*MemberSerializer.Meta.fields, "household_version"]
        read_only_fields = [*MemberSerializer.Meta.read_only_fields, "household_version"]


class MemberWriteSerializer(MemberSerializer):
    version = serializers.IntegerField(min_value=1, write_only=True, help_text=VERSION_HELP)
    previous_head_relation = serializers.ChoiceField(
        choices=[c for c in Relation.choices if c[0] != Relation.HEAD],
        required=False,
        write_only=True,
        help_text="Khi đặt thành viên này làm chủ hộ: quan hệ mới của chủ hộ cũ (mặc định: khác).",
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, write_only=True, help_text="Lý do thay đổi (nhật ký)."
    )

    class Meta(MemberSerializer.Meta):
        fields = [*MemberSerializer.Meta.fields, "version", "previous_head_relation", "reason"]


class MemberRemoveSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text=VERSION_HELP + " Có thể gửi qua ?version=.")
    reason = serializers.CharField(required=False, allow_blank=True)


# --- households ------------------------------------------------------------------------------------


class HouseholdSerializer(serializers.ModelSerializer):
    commune_code = serializers.CharField(source="commune.code", read_only=True)
    commune_name = serializers.CharField(source="commune.name", read_only=True)
    village_name = serializers.CharField(
        source="village.name", read_only=True, default=None, allow_null=True, help_text="null: hộ chưa gắn thôn"
    )
    head_name = serializers.CharField(
        source="head.full_name", read_only=True, default=None, allow_null=True, help_text="Họ tên chủ hộ"
    )
    code = serializers.CharField(read_only=True, help_text="Mã hộ do hệ thống cấp: <mã xã>-<số thứ tự>")
    status = serializers.ChoiceField(
        HouseholdStatus.choices,
        read_only=True,
        help_text="Tình trạng hiện tại theo quyết định công nhận gần nhất (poor: hộ nghèo, near_poor: hộ cận nghèo, "
        "not_poor: không nghèo); chỉ đổi qua quyết định, không sửa trực tiếp",
    )
    status_since = serializers.DateField(
        read_only=True, allow_null=True, help_text="Ngày hiệu lực của tình trạng hiện tại; null: chưa có quyết định"
    )
    version = serializers.IntegerField(
        read_only=True, help_text="Phiên bản của hộ: gửi kèm khi sửa; lệch với bản đang lưu thì trả 409"
    )

    class Meta:
        model = Household
        fields = [
            "id",
            "code",
            "province",
            "district",
            "commune",
            "commune_code",
            "commune_name",
            "village",
            "village_name",
            "address",
            "area_type",
            "head",
            "head_name",
            "is_ethnic_minority",
            "has_revolutionary_contributor",
            "has_social_protection_member",
            "no_labour_capacity",
            "is_female_headed",
            "status",
            "status_since",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class HouseholdDetailSerializer(HouseholdSerializer):
    members = MemberSerializer(many=True, read_only=True)

    class Meta(HouseholdSerializer.Meta):
        fields = [*HouseholdSerializer.Meta.fields, "members"]
        read_only_fields = fields


# A household named in another object (a review case, a support record, a loan). The published schema names it
# after the review's cases, where it first showed; no docstring, which the schema would show.
@extend_schema_serializer(component_name="CaseHousehold")
class HouseholdBriefSerializer(serializers.ModelSerializer):
    head_name = serializers.CharField(source="head.full_name", read_only=True, default=None, allow_null=True)
    village_name = serializers.CharField(source="village.name", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Household
        fields = ["id", "code", "head_name", "village_name"]
        read_only_fields = fields


def _area_field(level: str, label: str, **kwargs):
    return serializers.PrimaryKeyRelatedField(
        queryset=Area.objects.filter(level=level),
        error_messages={"does_not_exist": f"Không có {label} với id {{pk_value}}."},
        **kwargs,
    )


class HouseholdWriteFields(serializers.Serializer):
    village = _area_field(Level.VILLAGE, "thôn/tổ dân phố", required=False, allow_null=True)
    address = serializers.CharField(max_length=255, required=False, allow_blank=True)
    area_type = serializers.ChoiceField(
        choices=AreaType.choices, required=False, help_text="Mặc định theo loại xã/phường."
    )
    is_ethnic_minority = serializers.BooleanField(required=False)
    has_revolutionary_contributor = serializers.BooleanField(required=False)
    has_social_protection_member = serializers.BooleanField(required=False)
    no_labour_capacity = serializers.BooleanField(required=False)
    is_female_headed = serializers.BooleanField(required=False)
    reason = serializers.CharField(required=False, allow_blank=True, help_text="Lý do (ghi vào nhật ký).")


class HouseholdCreateSerializer(HouseholdWriteFields):
    commune = _area_field(Level.COMMUNE, "xã/phường")
    members = MemberSerializer(many=True, allow_empty=False)


class HouseholdUpdateSerializer(HouseholdWriteFields):
    commune = _area_field(Level.COMMUNE, "xã/phường", required=False)
    version = serializers.IntegerField(min_value=1, help_text="Phiên bản bạn đã đọc; lệch thì trả 409.")


class HouseholdFilter(django_filters.FilterSet):
    commune = IdFilter(field_name="commune_id", label="id xã/phường")
    commune_code = django_filters.CharFilter(field_name="commune__code", label="Mã xã/phường")
    province = IdFilter(field_name="province_id", label="id tỉnh")
    province_code = django_filters.CharFilter(field_name="province__code", label="Mã tỉnh")
    district = IdFilter(field_name="district_id", label="id huyện (dữ liệu cũ)")
    village = IdFilter(field_name="village_id", label="id thôn/tổ dân phố")
    status = choice_filter(HouseholdStatus.choices, "Tình trạng hiện tại (lặp lại được)", multiple=True)
    area_type = choice_filter(AreaType.choices, "Khu vực")
    is_ethnic_minority = FlagFilter(label="Hộ dân tộc thiểu số: true hoặc false")
    has_revolutionary_contributor = FlagFilter(label="Có người có công với cách mạng: true hoặc false")
    has_social_protection_member = FlagFilter(label="Có thành viên thuộc đối tượng bảo trợ xã hội: true hoặc false")
    no_labour_capacity = FlagFilter(label="Hộ không có khả năng lao động: true hoặc false")
    is_female_headed = FlagFilter(label="Chủ hộ là nữ: true hoặc false")
    q = django_filters.CharFilter(method="search", label="Tìm theo mã hộ hoặc tên thành viên (không dấu)")

    class Meta:
        model = Household
        fields: list[str] = []

    def search(self, queryset, name, value):
        return selectors.search_households(queryset, value)


def _split(validated: dict) -> tuple[dict, str]:
    data = dict(validated)
    reason = data.pop("reason", "")
    return data, reason


_MEMBER_PATH = r"members/(?P<member_id>[0-9]+)"


# --- what the apps above add to the household endpoints --------------------------------------------------


@dataclass(frozen=True)
class HouseholdExtension:
    """What an app above households adds to every household the API shows, registered from its `AppConfig.ready`
    with `extend_household_api`.

    - `fields`: a serializer whose declared read-only fields (and their `get_<field>` methods) follow the
      registry's own, on the list and on the detail;
    - `filters`: a FilterSet whose filters join the list's;
    - `queryset`: what those fields need loaded (a prefetch), applied to every household the endpoints read;
    - `name` goes into the names of the composed classes, and so of the schema's components: `Household<name>`.
    """

    name: str
    fields: type[serializers.Serializer] | None = None
    filters: type[django_filters.FilterSet] | None = None
    queryset: Callable[[QuerySet[Household]], QuerySet[Household]] | None = None


_extensions: list[HouseholdExtension] = []


def extend_household_api(extension: HouseholdExtension) -> None:
    if extension not in _extensions:  # ready() may run twice; the same extension is added once
        _extensions.append(extension)


@dataclass(frozen=True)
class HouseholdApi:
    """The classes the household endpoints use, with every extension in."""

    serializer: type[HouseholdSerializer]
    detail_serializer: type[HouseholdDetailSerializer]
    filterset: type[HouseholdFilter]


def _with_fields(base, name: str, field_sets: tuple[type[serializers.Serializer], ...]):
    """`base` with the declared fields of `field_sets` after its own (and their `get_<field>` methods)."""
    extra = [field for field_set in field_sets for field in field_set._declared_fields]
    fields = [*base.Meta.fields, *extra]
    meta = type("Meta", (base.Meta,), {"fields": fields, "read_only_fields": fields})
    return type(name, (*field_sets, base), {"Meta": meta, "__module__": __name__})


@functools.cache
def _compose(extensions: tuple[HouseholdExtension, ...]) -> HouseholdApi:
    if not extensions:
        return HouseholdApi(HouseholdSerializer, HouseholdDetailSerializer, HouseholdFilter)
    name = "Household" + "".join(extension.name for extension in extensions)
    fields = tuple(extension.fields for extension in extensions if extension.fields)
    filters = tuple(extension.filters for extension in extensions if extension.filters)
    return HouseholdApi(
        serializer=_with_fields(HouseholdSerializer, f"{name}Serializer", fields),
        detail_serializer=_with_fields(HouseholdDetailSerializer, f"{name}DetailSerializer", fields),
        filterset=type(f"{name}Filter", (HouseholdFilter, *filters), {"__module__": __name__}),
    )


def household_api() -> HouseholdApi:
    return _compose(tuple(_extensions))


class HouseholdSchema(OpenApiSerializerExtension):
    """The schema documents a household as the endpoints answer it: the registry's fields and every extension's.
    The composed classes exist only once the apps above are ready, after the views' decorators ran; the views name
    the registry's own classes and this maps them, keeping the components' names `Household`, `HouseholdDetail`."""

    target_class = HouseholdSerializer

    def composed(self) -> type[serializers.Serializer]:
        return household_api().serializer

    def map_serializer(self, auto_schema, direction):
        return auto_schema._map_serializer(self.composed(), direction, bypass_extensions=True)


class HouseholdDetailSchema(HouseholdSchema):
    target_class = HouseholdDetailSerializer

    def composed(self) -> type[serializers.Serializer]:
        return household_api().detail_serializer


HOUSEHOLD_EXAMPLE = {
    "id": 1207,
    "code": "02647-000089",
    "province": 1,
    "district": None,
    "commune": 845,
    "commune_code": "02647",
    "commune_name": "Phường Lào Cai",
    "village": 10512,
    "village_name": "Tổ dân phố số 5",
    "address": "Số 12, đường Hoàng Liên",
    "area_type": "urban",
    "head": 4410,
    "head_name": "Lò Văn Minh",
    "is_ethnic_minority": True,
    "has_revolutionary_contributor": False,
    "has_social_protection_member": False,
    "no_labour_capacity": False,
    "is_female_headed": False,
    "status": "near_poor",
    "status_since": "2025-12-15",
    "version": 3,
    "created_at": "2025-10-02T08:15:00+07:00",
    "updated_at": "2026-11-20T14:02:11+07:00",
    "ever_poor": True,
    "left_lists_on": None,
    "newly_escaped_until": None,
    "years_in_poverty": 2,
}
MEMBER_EXAMPLE = {
    "full_name": "Lò Văn Minh",
    "date_of_birth": "1979-04-11",
    "sex": "male",
    "ethnicity": "04",
    "relation": "head",
    "national_id": "010079004321",
    "has_disability": False,
    "education_level": "lower_secondary",
    "work_status": "self_employed",
    "occupation": "Trồng lúa",
}
HOUSEHOLD_DETAIL_EXAMPLE = {
    **HOUSEHOLD_EXAMPLE,
    "members": [
        {
            "id": 4410,
            **MEMBER_EXAMPLE,
            "ethnicity_name": "Tày",
            "receives_disability_allowance": False,
            "health_insurance_number": "",
            "health_insurance_valid_until": None,
            "schooling": "none",
        }
    ],
}
CREATE_DESCRIPTION = (
    "Đăng ký một hộ với các thành viên (đúng một chủ hộ). Hệ thống cấp mã hộ theo xã (<mã xã>-<số thứ tự>), đặt "
    "khu vực theo xã nếu không gửi, ghi nhật ký thay đổi (người, lý do) và trả hộ vừa tạo với version 1. Hộ mới có "
    "tình trạng not_poor cho đến khi có quyết định công nhận. Xã ngoài địa bàn của bạn, thôn của xã khác, số CCCD "
    "trùng: 400 nêu trường."
)
UPDATE_DESCRIPTION = (
    "Sửa thông tin hộ. Gửi version đã đọc: lệch với bản đang lưu (người khác vừa sửa) thì trả 409 và không ghi gì. "
    "Mỗi thay đổi được ghi vào nhật ký (cũ → mới, lý do); version tăng 1 khi có thay đổi. Tình trạng hộ không sửa "
    "được ở đây (chỉ qua quyết định công nhận)."
)


@extend_schema_view(
    list=extend_schema(
        summary="Danh sách hộ trong địa bàn",
        description="Các hộ trong địa bàn của bạn, chia trang. Mỗi lần đọc được ghi vào nhật ký truy cập dữ liệu "
        "cá nhân (ai xem, điều kiện lọc, các hộ đã trả).",
        examples=[OpenApiExample("page", summary="Một trang", value=HOUSEHOLD_EXAMPLE, response_only=True)],
    ),
    retrieve=extend_schema(
        summary="Một hộ, kèm thành viên",
        description="Hộ ngoài địa bàn của bạn: 404. Lần đọc được ghi vào nhật ký truy cập dữ liệu cá nhân.",
        examples=[
            OpenApiExample(
                "near_poor_household", summary="Hộ cận nghèo", value=HOUSEHOLD_DETAIL_EXAMPLE, response_only=True
            )
        ],
    ),
    create=extend_schema(
        summary="Đăng ký hộ mới kèm thành viên",
        description=CREATE_DESCRIPTION,
        request=HouseholdCreateSerializer,
        responses={201: HouseholdDetailSerializer},
        examples=[
            OpenApiExample(
                "two_members",
                summary="Hộ hai người",
                value={
                    "commune": 845,
                    "village": 10512,
                    "address": "Số 12, đường Hoàng Liên",
                    "is_ethnic_minority": True,
                    "members": [
                        MEMBER_EXAMPLE,
                        {"full_name": "Lò Thị Xuân", "date_of_birth": "2012-09-01", "sex": "female"}
                        | {"ethnicity": "04", "relation": "child", "schooling": "lower_secondary"},
                    ],
                    "reason": "Hộ mới tách hộ",
                },
                request_only=True,
            ),
            OpenApiExample(
                "registered",
                summary="Hộ vừa đăng ký",
                value={**HOUSEHOLD_DETAIL_EXAMPLE, "version": 1},
                response_only=True,
            ),
        ],
    ),
    update=extend_schema(
        summary="Sửa thông tin hộ (cần version)",
        description=UPDATE_DESCRIPTION + " PUT cần đủ mọi trường của hộ.",
        request=HouseholdUpdateSerializer,
        responses={200: HouseholdDetailSerializer, 409: None},
    ),
    partial_update=extend_schema(
        summary="Sửa một phần thông tin hộ (cần version)",
        description=UPDATE_DESCRIPTION,
        request=HouseholdUpdateSerializer,
        responses={200: HouseholdDetailSerializer, 409: None},
        examples=[
            OpenApiExample(
                "move_village",
                summary="Chuyển thôn",
                value={"village": 10513, "version": 3, "reason": "Hộ chuyển nhà"},
                request_only=True,
            )
        ],
    ),
)
class HouseholdViewSet(
    AccessLogViewSetMixin,
    UseCaseMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The registry's household endpoints, with the status flags of the program (domain A5)."""

    permission_classes = [HasRight]
    required_rights = {
        "list": rules.HOUSEHOLD_VIEW,
        "retrieve": rules.HOUSEHOLD_VIEW,
        "create": rules.HOUSEHOLD_CREATE,
        "update": rules.HOUSEHOLD_CHANGE,
        "partial_update": rules.HOUSEHOLD_CHANGE,
        "members:get": rules.HOUSEHOLD_VIEW,
        "members:post": rules.MEMBER_CHANGE,
        "member:get": rules.HOUSEHOLD_VIEW,
        "member:put": rules.MEMBER_CHANGE,
        "member:patch": rules.MEMBER_CHANGE,
        "member:delete": rules.MEMBER_CHANGE,
    }
    ordering_fields = ["id", "code", "created_at", "updated_at", "status"]
    ordering = ["id"]

    @property
    def filterset_class(self) -> type[HouseholdFilter]:  # read by django-filter's backend and the schema
        return household_api().filterset

    def get_queryset(self):
        queryset = selectors.households_for(self.request.user)
        for extension in _extensions:
            if extension.queryset is not None:
                queryset = extension.queryset(queryset)
        return queryset

    def get_serializer_class(self):
        if self.action in ("members", "member"):  # the members' own (the browsable API builds its forms from it)
            return MemberSerializer
        if getattr(self, "swagger_fake_view", False):  # the schema: the registry's classes, mapped by HouseholdSchema
            return HouseholdSerializer if self.action == "list" else HouseholdDetailSerializer
        api = household_api()
        return api.detail_serializer if self.action == "retrieve" else api.serializer

    def _detail(self, household_id: int, status_code: int = status.HTTP_200_OK) -> Response:
        household = self.get_queryset().prefetch_related("members__ethnicity").get(pk=household_id)
        return Response(household_api().detail_serializer(household).data, status=status_code)

    def create(self, request, *args, **kwargs):
        data, reason = _split(self.parse(HouseholdCreateSerializer))
        members = data.pop("members")
        household = services.create_household(actor=request.user, data=data, members=members, reason=reason)
        return self._detail(household.pk, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        household = self.get_object()
        partial = kwargs.get("partial", False)
        validated = self.parse(HouseholdUpdateSerializer, partial=partial)
        if not partial:  # PUT replaces the whole record: every field must be sent
            missing = [name for name in services.HOUSEHOLD_FIELDS if name not in request.data]
            if missing:
                raise serializers.ValidationError({name: ["Trường này là bắt buộc khi dùng PUT."] for name in missing})
        data, reason = _split(validated)
        version = data.pop("version", None)
        if version is None:
            raise serializers.ValidationError({"version": ["Phải gửi kèm version (phiên bản đã đọc) khi sửa hộ."]})
        services.update_household(
            actor=request.user, household_id=household.pk, expected_version=version, data=data, reason=reason
        )
        return self._detail(household.pk)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(methods=["GET"], summary="Thành viên của hộ", responses=MemberSerializer(many=True), filters=False)
    @extend_schema(
        methods=["POST"],
        summary="Thêm thành viên",
        description="Thêm một thành viên vào hộ. Gửi version của hộ đã đọc (lệch: 409). Ghi nhật ký thay đổi; "
        "version của hộ tăng 1 và được trả trong household_version. Thêm một chủ hộ thứ hai: 400.",
        request=MemberWriteSerializer,
        responses={201: MemberResultSerializer},
        examples=[
            OpenApiExample(
                "add_child",
                summary="Thêm con",
                value={
                    "full_name": "Lò Văn Tú",
                    "date_of_birth": "2024-02-20",
                    "sex": "male",
                    "ethnicity": "04",
                    "relation": "child",
                    "version": 3,
                    "reason": "Sinh con",
                },
                request_only=True,
            ),
            OpenApiExample(
                "added_member",
                summary="Thành viên vừa thêm",
                value={**HOUSEHOLD_DETAIL_EXAMPLE["members"][0], "id": 4412, "household_version": 4},
                response_only=True,
            ),
        ],
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def members(self, request, pk=None):
        household = self.get_object()
        if request.method == "GET":
            members = household.members.select_related("ethnicity").order_by("id")
            return Response(MemberSerializer(members, many=True).data)
        data, reason = _split(self.parse(MemberWriteSerializer))
        version = data.pop("version")
        data.pop("previous_head_relation", None)
        member = services.add_member(
            actor=request.user, household_id=household.pk, expected_version=version, data=data, reason=reason
        )
        return Response(MemberResultSerializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        summary="Một thành viên",
        responses=MemberSerializer,
        filters=False,
        parameters=[OpenApiParameter("member_id", int, OpenApiParameter.PATH)],
    )
    @extend_schema(
        methods=["PUT", "PATCH"],
        summary="Sửa thành viên",
        request=MemberWriteSerializer,
        responses=MemberResultSerializer,
        parameters=[OpenApiParameter("member_id", int, OpenApiParameter.PATH)],
    )
    @extend_schema(
        methods=["DELETE"],
        summary="Xoá thành viên khỏi hộ",
        request=MemberRemoveSerializer,
        responses={204: None, 409: None},
        parameters=[OpenApiParameter("member_id", int, OpenApiParameter.PATH)],
    )
    @action(
        detail=True,
        methods=["get", "put", "patch", "delete"],
        url_path=_MEMBER_PATH,
        filter_backends=[],
        pagination_class=None,
    )
    def member(self, request, pk=None, member_id=None):
        household = self.get_object()
        member = get_object_or_404(household.members.select_related("ethnicity"), pk=member_id)
        if request.method == "GET":
            return Response(MemberSerializer(member).data)
        if request.method == "DELETE":
            body = request.data if hasattr(request.data, "get") else {}
            removal = self.parse(
                MemberRemoveSerializer,
                {"version": body.get("version", request.query_params.get("version")), "reason": body.get("reason", "")},
            )
            services.remove_member(
                actor=request.user,
                household_id=household.pk,
                member_id=member.pk,
                expected_version=removal["version"],
                reason=removal.get("reason", ""),
            )
            return Response(status=status.HTTP_204_NO_CONTENT)
        data, reason = _split(self.parse(MemberWriteSerializer, instance=member, partial=request.method == "PATCH"))
        version = data.pop("version", None)
        if version is None:
            raise serializers.ValidationError({"version": [VERSION_HELP]})
        updated = services.update_member(
            actor=request.user,
            household_id=household.pk,
            member_id=member.pk,
            expected_version=version,
            data=data,
            previous_head_relation=data.pop("previous_head_relation", Relation.OTHER),
            reason=reason,
        )
        return Response(MemberResultSerializer(updated).data)
