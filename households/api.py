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
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from config.api import UseCaseMixin
from config.permissions import HasRight
from households import rules, selectors, services
from households.access import AccessLogViewSetMixin
from households.models import (
    Area,
    AreaLevel,
    AreaType,
    Ethnicity,
    Household,
    HouseholdStatus,
    Member,
    Relation,
)
from households.rules import Level

_RIGHTS_READ = {"list": rules.AREA_VIEW, "retrieve": rules.AREA_VIEW}


# --- areas -----------------------------------------------------------------------------------------


class AreaSerializer(serializers.ModelSerializer):
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
    level = django_filters.ChoiceFilter(choices=AreaLevel.choices)
    parent = django_filters.NumberFilter(field_name="parent_id")
    province = django_filters.NumberFilter(field_name="province_id")
    code = django_filters.CharFilter(field_name="code")
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
    village_name = serializers.CharField(source="village.name", read_only=True, default=None)
    head_name = serializers.CharField(source="head.full_name", read_only=True, default=None)

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
    commune = django_filters.NumberFilter(field_name="commune_id")
    commune_code = django_filters.CharFilter(field_name="commune__code")
    province = django_filters.NumberFilter(field_name="province_id")
    province_code = django_filters.CharFilter(field_name="province__code")
    district = django_filters.NumberFilter(field_name="district_id")
    village = django_filters.NumberFilter(field_name="village_id")
    status = django_filters.MultipleChoiceFilter(choices=HouseholdStatus.choices, distinct=False)
    area_type = django_filters.ChoiceFilter(choices=AreaType.choices)
    is_ethnic_minority = django_filters.BooleanFilter()
    has_revolutionary_contributor = django_filters.BooleanFilter()
    has_social_protection_member = django_filters.BooleanFilter()
    no_labour_capacity = django_filters.BooleanFilter()
    is_female_headed = django_filters.BooleanFilter()
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


# The schema documents the registry's own detail (HouseholdDetailSerializer); the answers carry the extensions'
# fields as well, as they always have.
@extend_schema_view(
    list=extend_schema(summary="Danh sách hộ trong địa bàn"),
    retrieve=extend_schema(summary="Một hộ, kèm thành viên", responses=HouseholdDetailSerializer),
    create=extend_schema(
        summary="Đăng ký hộ mới kèm thành viên",
        request=HouseholdCreateSerializer,
        responses={201: HouseholdDetailSerializer},
    ),
    update=extend_schema(
        summary="Sửa thông tin hộ (cần version)",
        request=HouseholdUpdateSerializer,
        responses={200: HouseholdDetailSerializer, 409: None},
    ),
    partial_update=extend_schema(
        summary="Sửa một phần thông tin hộ (cần version)",
        request=HouseholdUpdateSerializer,
        responses={200: HouseholdDetailSerializer, 409: None},
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
        request=MemberWriteSerializer,
        responses={201: MemberResultSerializer},
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
