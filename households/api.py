"""REST API of the registry: households and their members (the areas: households.api_areas; the examples of the
schema: households.api_examples). Thin: serializers parse, services write.

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
from config.pagination import LargeListPagination
from config.permissions import HasRight
from households import api_list, api_rows, rules, selectors, services
from households.access import AccessLogViewSetMixin
from households.api_examples import HOUSEHOLD_DETAIL_EXAMPLE, HOUSEHOLD_EXAMPLE, MEMBER_EXAMPLE
from households.api_members import (
    VERSION_HELP,
    MemberRemoveSerializer,
    MemberResultSerializer,
    MemberSerializer,
    MemberWriteSerializer,
)
from households.models import (
    Area,
    AreaType,
    Household,
    HouseholdStatus,
    Relation,
)
from households.rules import Level

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

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        # A request's filterset holds only the filters its parameters name: a filter without a value filters
        # nothing, and building, copying and validating the form fields of all 17 cost about 1 ms per request.
        # The browsable API's filter form shows them all; the schema reads the class's filters.
        browsing = getattr(getattr(request, "accepted_renderer", None), "format", "") == "api"
        if data is not None and prefix is None and not browsing:
            declared = type(self).base_filters
            named = [name for name in declared if any(key == name or key.startswith(f"{name}_") for key in data)]
            if len(named) < len(declared):
                self.base_filters = type(declared)((name, declared[name]) for name in named)
        super().__init__(data, queryset, request=request, prefix=prefix)

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
    - `queryset`: what those fields need loaded (a prefetch), applied to every household the serializers read;
    - `columns` and `rows`: the same fields for the list, read as values (`households.api_rows`): the columns
      (the answer's name, the lookup) added to each row of a page as read, and a function that completes the
      page's rows in place (one query for the page at most), so that they answer what `fields` would. An
      extension with `fields` and no `rows` turns the list back to the serializers (slower, the same answer);
    - `name` goes into the names of the composed classes, and so of the schema's components: `Household<name>`.
    """

    name: str
    fields: type[serializers.Serializer] | None = None
    filters: type[django_filters.FilterSet] | None = None
    queryset: Callable[[QuerySet[Household]], QuerySet[Household]] | None = None
    columns: api_rows.Columns = ()
    rows: api_rows.Completion | None = None


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
    # A page of the list as values (an `api_rows.PageReader` with every extension's), or None: the serializer's.
    rows: api_rows.PageReader | None = None


def _with_fields(base, name: str, field_sets: tuple[type[serializers.Serializer], ...]):
    """`base` with the declared fields of `field_sets` after its own (and their `get_<field>` methods)."""
    extra = [field for field_set in field_sets for field in field_set._declared_fields]
    fields = [*base.Meta.fields, *extra]
    meta = type("Meta", (base.Meta,), {"fields": fields, "read_only_fields": fields})
    return type(name, (*field_sets, base), {"Meta": meta, "__module__": __name__})


@functools.cache
def _compose(extensions: tuple[HouseholdExtension, ...]) -> HouseholdApi:
    if not extensions:
        return HouseholdApi(HouseholdSerializer, HouseholdDetailSerializer, HouseholdFilter, api_rows.PageReader())
    name = "Household" + "".join(extension.name for extension in extensions)
    fields = tuple(extension.fields for extension in extensions if extension.fields)
    filters = tuple(extension.filters for extension in extensions if extension.filters)
    rows: api_rows.PageReader | None = None
    if all(extension.rows is not None for extension in extensions if extension.fields):
        columns = tuple(column for extension in extensions for column in extension.columns)
        completions = tuple(extension.rows for extension in extensions if extension.rows is not None)
        rows = api_rows.PageReader(columns, completions)
    return HouseholdApi(
        serializer=_with_fields(HouseholdSerializer, f"{name}Serializer", fields),
        detail_serializer=_with_fields(HouseholdDetailSerializer, f"{name}DetailSerializer", fields),
        filterset=type(f"{name}Filter", (HouseholdFilter, *filters), {"__module__": __name__}),
        rows=rows,
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
    pagination_class = LargeListPagination

    @property
    def filterset_class(self) -> type[HouseholdFilter]:  # read by django-filter's backend and the schema
        return household_api().filterset

    def _listed_as_values(self) -> bool:
        return self.action == "list" and household_api().rows is not None

    def get_queryset(self):
        if self._listed_as_values():  # the rows are read as values: nothing to join or prefetch
            return selectors.households_listed(self.request.user)
        queryset = selectors.households_for(self.request.user)
        for extension in _extensions:
            if extension.queryset is not None:
                queryset = extension.queryset(queryset)
        return queryset

    def list(self, request, *args, **kwargs):
        if not self._listed_as_values():
            return super().list(request, *args, **kwargs)
        answered = api_list.answer(self, request, household_api().rows)  # the common case, or None
        if answered is not None:
            return answered
        rows = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(rows)

    def page_rows(self, window: QuerySet[Household]) -> "list[dict] | QuerySet[Household]":
        """The rows of a page (LargeListPagination): as values, or the instances for the serializer."""
        rows = household_api().rows
        return rows(window) if self._listed_as_values() and rows is not None else window

    def page_rows_counted(self, window: QuerySet[Household], whole: QuerySet[Household]):
        """The rows of a page read as values with the exact count of the list, in one round trip
        (LargeListPagination, where the count is exact); None when the page is read for the serializer."""
        rows = household_api().rows
        return rows.counted(window, whole) if self._listed_as_values() and rows is not None else None

    def exact_count(self) -> bool:
        """The list is one commune's (or narrower): its count is cheap, and exact (LargeListPagination)."""
        user = self.request.user
        if not user.has_country_scope and user.area is not None and user.area.level in (Level.COMMUNE, Level.VILLAGE):
            return True
        return any(self.request.query_params.get(name) for name in ("commune", "commune_code", "village"))

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
