"""REST API of the access log of personal data, read-only: `/api/v1/access-log/` for program admins (the country)
and province staff (their province's records), with the filters of the admin's page. Reading it records nothing in
the log: it shows who read households, not the households' data.
"""

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from config.filters import IdFilter, choice_filter
from config.permissions import HasRight
from households import rules, selectors
from households.api_areas import AreaBriefSerializer
from households.models import AccessAction, AccessDoor, AccessRecord


class ShownHouseholdSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField(help_text="Mã hộ")


class AccessRecordSerializer(serializers.ModelSerializer):
    actor_username = serializers.CharField(
        source="actor.username", read_only=True, help_text="Tên đăng nhập của người xem"
    )
    door_label = serializers.CharField(source="get_door_display", read_only=True, help_text="Tên cửa, tiếng Việt")
    action_label = serializers.CharField(source="get_action_display", read_only=True, help_text="Tên thao tác")
    at = serializers.DateTimeField(read_only=True, help_text="Thời điểm truy cập (ISO 8601, có múi giờ)")
    ip = serializers.IPAddressField(read_only=True, allow_null=True, help_text="Địa chỉ IP; null: không xác định")
    door = serializers.ChoiceField(
        AccessDoor.choices, read_only=True, help_text="Qua đâu: admin (trang quản trị), api, export (tệp xuất)"
    )
    action = serializers.ChoiceField(
        AccessAction.choices,
        read_only=True,
        help_text="list: xem danh sách, view: xem một hộ, search: tìm, export: xuất",
    )
    result_count = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Số kết quả trả về; null: không đếm (xem một hộ)"
    )
    query = serializers.CharField(read_only=True, help_text="Điều kiện lọc của yêu cầu (chuỗi truy vấn); có thể rỗng")
    search = serializers.CharField(read_only=True, help_text="Từ khóa tìm kiếm; có thể rỗng")
    households = serializers.SerializerMethodField(help_text="Các hộ đã xem thuộc địa bàn của bạn (id, mã hộ)")
    other_households = serializers.SerializerMethodField(help_text="Số hộ đã xem nằm ngoài địa bàn của bạn")
    area = AreaBriefSerializer(read_only=True, allow_null=True, help_text="Xuất cả địa bàn này (mọi hộ trong đó)")

    class Meta:
        model = AccessRecord
        fields = [
            "id",
            "at",
            "actor",
            "actor_username",
            "ip",
            "door",
            "door_label",
            "action",
            "action_label",
            "resource",
            "path",
            "query",
            "search",
            "result_count",
            "households",
            "other_households",
            "area",
        ]
        read_only_fields = fields

    def _codes(self) -> dict[int, str]:
        codes: dict[int, str] = self.context.get("codes", {})
        return codes

    @extend_schema_field(ShownHouseholdSerializer(many=True))
    def get_households(self, record: AccessRecord) -> list[dict]:
        codes = self._codes()
        shown = [{"id": pk, "code": codes[pk]} for pk in record.household_ids if pk in codes]
        return ShownHouseholdSerializer(shown, many=True).data

    def get_other_households(self, record: AccessRecord) -> int:
        codes = self._codes()
        return sum(1 for pk in record.household_ids if pk not in codes)


class AccessRecordFilter(django_filters.FilterSet):
    actor = IdFilter(field_name="actor_id", label="id người xem")
    username = django_filters.CharFilter(field_name="actor__username", label="Tên đăng nhập của người xem")
    household = django_filters.CharFilter(method="filter_household", label="Hộ: mã hộ (00070-000123) hoặc id")
    door = choice_filter(AccessDoor.choices, "Qua đâu")
    action = choice_filter(AccessAction.choices, "Thao tác")
    since = django_filters.DateFilter(method="filter_days", label="Từ ngày (YYYY-MM-DD)")
    until = django_filters.DateFilter(method="filter_days", label="Đến hết ngày (YYYY-MM-DD)")

    class Meta:
        model = AccessRecord
        fields: list[str] = []

    def filter_household(self, queryset, name, value):
        household = selectors.household_of(self.request.user, value)
        return queryset.none() if household is None else selectors.access_log_about(queryset, household)

    def filter_days(self, queryset, name, value):
        return selectors.access_log_between(
            queryset, value if name == "since" else None, value if name == "until" else None
        )


@extend_schema_view(
    list=extend_schema(summary="Nhật ký truy cập dữ liệu cá nhân: ai đã xem, tìm, xuất những hộ nào"),
    retrieve=extend_schema(summary="Một lần truy cập dữ liệu cá nhân"),
)
class AccessRecordViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = AccessRecordSerializer
    permission_classes = [HasRight]
    required_rights = {"list": rules.ACCESS_LOG_VIEW, "retrieve": rules.ACCESS_LOG_VIEW}
    filterset_class = AccessRecordFilter
    ordering_fields = ["at", "id"]
    ordering = ["-at", "-id"]
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self) -> QuerySet[AccessRecord]:
        return selectors.access_log_for(self.request.user)

    def _answer(self, records: list[AccessRecord], many: bool):
        ids = {pk for record in records for pk in record.household_ids}
        context = {**self.get_serializer_context(), "codes": selectors.household_codes(self.request.user, ids)}
        return self.get_serializer(records if many else records[0], many=many, context=context).data

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self._answer(list(page), many=True))

    def retrieve(self, request, *args, **kwargs):
        return Response(self._answer([self.get_object()], many=False))
