"""REST API of support (domain A8, Part B §5): intervention types, support records and their moves, outcome
follow-ups and policy-bank loans; the filters and the base viewset shared by the support API.

Thin, on the API base (`config.api`, STYLE 18): an input serializer parses, one service of `support.services`
decides and writes, the object is read back through the user's scope. A move carries the `version` the client saw (a
mismatch is a 409); an object outside the scope is a 404 before the input is read. Budgets, the targeting list
and the outcome view are in `api_reports.py`.
"""

from collections.abc import Sequence

import django_filters
from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action

from config.api import (
    BAD_INPUT,
    NOT_FOUND,
    STALE,
    UseCaseMixin,
    choice_field,
    id_field,
    integer_field,
    text_field,
    use_case_schema,
)
from config.errors import DomainError
from config.filters import FlagFilter, IdFilter, YearFilter, choice_filter
from config.permissions import HasRight
from households import rules as access
from households.access import AccessLogViewSetMixin
from households.api import HouseholdBriefSerializer
from households.api_fields import OptionalChoiceField
from households.models import Household
from households.selectors import visible_area
from support import rules, services
from support.models import (
    FollowUpResult,
    FundingSource,
    InterventionType,
    Kind,
    Loan,
    LoanRepayment,
    Project,
    RecordStatus,
    SupportFollowUp,
    SupportRecord,
)

# --- input fields and filters ----------------------------------------------------------------------------

# Every number of support stays within PostgreSQL's bigint (`bigint=True`): 10^30 is a 400 naming the field.


def _version(help_text: str = "Phiên bản bạn đã đọc (version); đã đổi thì trả 409.") -> serializers.IntegerField:
    return integer_field(bigint=True, min_value=1, help_text=help_text)


def optional_text(**kwargs) -> serializers.CharField:
    return text_field(required=False, default="", allow_blank=True, **kwargs)


def known_types(codes: Sequence[str], field: str = "type") -> list[str]:
    """The codes, each of a known intervention type (else a 400 naming `field`), without repeats."""
    codes = list(dict.fromkeys(codes))
    unknown = set(codes) - set(InterventionType.objects.filter(code__in=codes).values_list("code", flat=True))
    if unknown:
        raise DomainError("unknown_type", f"Không có loại hỗ trợ mã “{sorted(unknown)[0][:40]}”.", field)
    return codes


class AreaFilterSet(django_filters.FilterSet):
    """`area`: the rows of the households in an area of any level (an unknown area is a 400 naming it)."""

    households = "household"  # the path from a row to its household
    area = IdFilter(method="filter_area", label="id địa bàn (mọi cấp) trong phạm vi của bạn: các hộ trong đó")

    def filter_area(self, queryset, name, value):
        area = visible_area(self.request.user, value)
        return queryset.filter(**{f"{self.households}__in": Household.objects.in_area(area)})


class SupportViewSet(UseCaseMixin, viewsets.GenericViewSet):
    """Shared plumbing: the right per action, ids that are numbers, scope before input, read back in scope."""

    permission_classes = [HasRight]
    lookup_value_regex = r"[0-9]+"


# --- intervention types ----------------------------------------------------------------------------------


class InterventionTypeSerializer(serializers.ModelSerializer):
    project_label = serializers.CharField(source="get_project_display", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = InterventionType
        fields = ["id", "code", "name", "project", "project_label", "kind", "kind_label", "addresses"]
        fields += ["default_amount", "unit", "annual_rate_bp", "eligible_statuses", "newly_escaped"]
        fields += ["newly_escaped_months", "poor_district_only", "limit", "max_term_months", "legal_source"]
        fields += ["active"]
        read_only_fields = fields


class InterventionTypeFilter(django_filters.FilterSet):
    project = choice_filter(Project.choices, "Dự án")
    kind = choice_filter(Kind.choices, "Loại hình hỗ trợ")
    active = FlagFilter(field_name="active", label="Đang áp dụng: true hoặc false")

    class Meta:
        model = InterventionType
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(summary="Danh mục loại hỗ trợ (dự án, mức hỗ trợ, điều kiện)"),
    retrieve=extend_schema(summary="Một loại hỗ trợ"),
)
class InterventionTypeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SupportViewSet):
    """Read by everyone at work; program admins edit the types in the admin."""

    serializer_class = InterventionTypeSerializer
    required_rights = {"list": access.SUPPORT_VIEW, "retrieve": access.SUPPORT_VIEW}
    queryset = InterventionType.objects.all()  # a national catalogue: not scoped to an area
    filterset_class = InterventionTypeFilter
    ordering_fields = ["id", "code", "project"]
    ordering = ["project", "code", "id"]


# --- support records -------------------------------------------------------------------------------------


class FollowUpSerializer(serializers.ModelSerializer):
    result = OptionalChoiceField(
        FollowUpResult.choices, read_only=True, help_text="achieved: đạt; not_achieved: không đạt; null: chưa kiểm tra"
    )
    due_on = serializers.DateField(read_only=True, help_text="Hạn kiểm tra kết quả (YYYY-MM-DD)")
    done_on = serializers.DateField(read_only=True, allow_null=True, help_text="Ngày đã kiểm tra; null: chưa")
    checked_by = serializers.CharField(source="checked_by.username", read_only=True, default=None, allow_null=True)
    open = serializers.SerializerMethodField(help_text="Chưa ghi kết quả")
    overdue = serializers.SerializerMethodField(help_text="Chưa ghi kết quả và đã quá hạn")

    class Meta:
        model = SupportFollowUp
        fields = ["id", "record", "code", "label", "due_on", "done_on", "result", "note", "checked_by"]
        fields += ["open", "overdue"]
        read_only_fields = fields

    def get_open(self, obj) -> bool:
        return obj.done_on is None

    def get_overdue(self, obj) -> bool:
        return obj.done_on is None and obj.due_on < timezone.localdate()


class SupportRecordSerializer(serializers.ModelSerializer):
    household = HouseholdBriefSerializer(read_only=True)
    type = serializers.CharField(source="intervention_type.code", read_only=True)
    type_name = serializers.CharField(source="intervention_type.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)
    approved_by = serializers.CharField(source="approved_by.username", read_only=True, default=None, allow_null=True)
    loan = serializers.SerializerMethodField(help_text="id khoản vay (hỗ trợ tín dụng), nếu có")
    project = serializers.ChoiceField(Project.choices, source="intervention_type.project", read_only=True)
    kind = serializers.ChoiceField(Kind.choices, source="intervention_type.kind", read_only=True)
    status = serializers.ChoiceField(
        RecordStatus.choices,
        read_only=True,
        help_text="planned: dự kiến (chờ duyệt); approved: đã duyệt; delivered: hộ đã nhận; cancelled: đã hủy",
    )
    amount = serializers.IntegerField(read_only=True, help_text="Số tiền (đồng, số nguyên)")
    cofinancing = serializers.IntegerField(read_only=True, help_text="Phần hộ đối ứng (đồng)")
    eligibility = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Các lý do đủ hoặc không đủ điều kiện (câu tiếng Việt), xét theo tình trạng hộ vào ngày hỗ trợ",
    )
    approved_on = serializers.DateField(read_only=True, allow_null=True, help_text="Ngày duyệt; null: chưa duyệt")
    delivered_on = serializers.DateField(read_only=True, allow_null=True, help_text="Ngày hộ nhận; null: chưa giao")
    cancelled_on = serializers.DateField(read_only=True, allow_null=True, help_text="Ngày hủy; null: chưa hủy")
    follow_ups = FollowUpSerializer(many=True, read_only=True)

    class Meta:
        model = SupportRecord
        fields = ["id", "household", "type", "type_name", "project", "kind", "date", "quantity", "amount"]
        fields += ["funding_source", "cofinancing", "status", "status_label", "eligibility", "override_reason"]
        fields += ["note", "recorded_by", "recorded_at", "approved_by", "approved_on", "delivered_on"]
        fields += ["cancelled_on", "cancel_reason", "version", "loan", "follow_ups"]
        read_only_fields = fields

    def get_loan(self, obj) -> int | None:
        loan = getattr(obj, "loan", None)  # select_related: no query, None when it is not a loan
        return loan.pk if loan else None


class RecordInputSerializer(serializers.Serializer):
    household = id_field("id của hộ", bigint=True, source="household_id")
    type = text_field(max_length=40, source="type_code", help_text="Mã loại hỗ trợ (intervention-types)")
    date = serializers.DateField(help_text="Ngày hỗ trợ (dự kiến); điều kiện được xét theo ngày này")
    funding_source = choice_field(FundingSource.choices, help_text="Nguồn vốn")
    quantity = integer_field(bigint=True, default=1, help_text="Số lượng (mặc định 1)")
    amount = integer_field(
        bigint=True, required=False, allow_null=True, help_text="Số tiền (đồng); mặc định theo loại hỗ trợ"
    )
    cofinancing = integer_field(bigint=True, default=0, help_text="Phần hộ đối ứng (đồng)")
    override_reason = optional_text(help_text="Lý do vẫn hỗ trợ hộ không đủ điều kiện (cần quyền)")
    note = optional_text()


class ApproveInputSerializer(serializers.Serializer):
    version = _version()
    approved_on = serializers.DateField(source="day", required=False, help_text="Ngày duyệt; mặc định hôm nay")


class DeliverInputSerializer(serializers.Serializer):
    version = _version()
    delivered_on = serializers.DateField(
        help_text="Ngày hộ nhận hỗ trợ; điều kiện được xét lại theo ngày này, lịch theo dõi kết quả tính từ ngày này"
    )
    note = optional_text()
    override_reason = optional_text(help_text="Lý do vẫn giao khi ngày giao hộ không còn đủ điều kiện (cần quyền)")


class CancelInputSerializer(serializers.Serializer):
    version = _version()
    reason = text_field(help_text="Lý do hủy")
    cancelled_on = serializers.DateField(source="day", required=False, help_text="Ngày hủy; mặc định hôm nay")


class SupportRecordFilter(AreaFilterSet):
    household = IdFilter(field_name="household_id", label="id hộ")
    type = django_filters.CharFilter(method="filter_type", label="Mã loại hỗ trợ (intervention-types)")
    project = choice_filter(Project.choices, "Dự án", field_name="intervention_type__project")
    kind = choice_filter(Kind.choices, "Loại hình hỗ trợ", field_name="intervention_type__kind")
    status = choice_filter(RecordStatus.choices, "Trạng thái (lặp lại được)", multiple=True)
    funding_source = choice_filter(FundingSource.choices, "Nguồn vốn")
    year = YearFilter(field_name="date__year", label="Năm của ngày hỗ trợ")
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label="Từ ngày (YYYY-MM-DD)")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label="Đến ngày (YYYY-MM-DD)")

    class Meta:
        model = SupportRecord
        fields: list[str] = []

    def filter_type(self, queryset, name, value):
        return queryset.filter(intervention_type__code__in=known_types([value]))


@extend_schema_view(
    list=extend_schema(summary="Hỗ trợ hộ đã nhận hoặc dự kiến"),
    retrieve=extend_schema(summary="Một hỗ trợ, kèm lý do đủ điều kiện và lịch theo dõi kết quả"),
    create=extend_schema(
        summary="Ghi hỗ trợ cho hộ (dự kiến; xét điều kiện theo ngày)",
        description="Ghi một hỗ trợ dự kiến (planned) cho hộ trong địa bàn của bạn. Hệ thống xét điều kiện của loại "
        "hỗ trợ theo lịch sử tình trạng của hộ vào ngày hỗ trợ (hộ nghèo, cận nghèo, mới thoát nghèo, số lần đã "
        "nhận) và lưu các lý do trong eligibility; hộ không đủ điều kiện: 400 nêu quy định, trừ khi người có quyền "
        "gửi override_reason. Số tiền mặc định theo loại hỗ trợ. Ghi nhật ký thay đổi. Sau đó: duyệt (approve, "
        "người khác người ghi), giao (deliver, lên lịch theo dõi kết quả) hoặc hủy (cancel).",
        request=RecordInputSerializer,
        responses={201: SupportRecordSerializer, 400: BAD_INPUT, 404: NOT_FOUND, 409: STALE},
        examples=[
            OpenApiExample(
                "breeding_cow",
                summary="Hỗ trợ bò giống",
                value={
                    "household": 1207,
                    "type": "livestock_p3",
                    "date": "2026-03-01",
                    "funding_source": "central",
                    "amount": 20000000,
                    "cofinancing": 2000000,
                    "note": "Bò cái giống lai Sind",
                },
                request_only=True,
            )
        ],
    ),
)
class SupportRecordViewSet(AccessLogViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, SupportViewSet):
    serializer_class = SupportRecordSerializer
    id_argument = "record_id"
    required_rights = {
        "list": access.SUPPORT_VIEW,
        "retrieve": access.SUPPORT_VIEW,
        "create": access.SUPPORT_RECORD,
        "approve": access.SUPPORT_APPROVE,
        "deliver": access.SUPPORT_RECORD,
        "cancel": access.SUPPORT_RECORD,
    }
    filterset_class = SupportRecordFilter
    ordering_fields = ["id", "date", "recorded_at", "amount"]
    ordering = ["-date", "-id"]

    def get_queryset(self) -> QuerySet[SupportRecord]:
        follow_ups = SupportFollowUp.objects.select_related("checked_by").order_by("due_on", "id")
        return (
            SupportRecord.objects.visible_to(self.request.user)
            .select_related(
                "household__head", "household__village", "intervention_type", "recorded_by", "approved_by", "loan"
            )
            .prefetch_related(Prefetch("follow_ups", queryset=follow_ups))
        )

    def create(self, request, *args, **kwargs):
        record = services.record_support(actor=request.user, **self.parse(RecordInputSerializer))
        return self.read_back(record.pk, status.HTTP_201_CREATED)

    @use_case_schema("Duyệt hỗ trợ (không phải người ghi)", ApproveInputSerializer, SupportRecordSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def approve(self, request, pk=None):
        return self.act(pk, ApproveInputSerializer, services.approve_support)

    @use_case_schema("Xác nhận hộ đã nhận hỗ trợ (lên lịch theo dõi)", DeliverInputSerializer, SupportRecordSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def deliver(self, request, pk=None):
        return self.act(pk, DeliverInputSerializer, services.deliver_support)

    @use_case_schema("Hủy hỗ trợ, có lý do", CancelInputSerializer, SupportRecordSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def cancel(self, request, pk=None):
        return self.act(pk, CancelInputSerializer, services.cancel_support)


# --- follow-ups ------------------------------------------------------------------------------------------


class FollowUpListSerializer(FollowUpSerializer):
    household = HouseholdBriefSerializer(source="record.household", read_only=True)
    type_name = serializers.CharField(source="record.intervention_type.name", read_only=True)
    delivered_on = serializers.DateField(source="record.delivered_on", read_only=True)

    class Meta(FollowUpSerializer.Meta):
        fields = [*FollowUpSerializer.Meta.fields, "household", "type_name", "delivered_on"]
        read_only_fields = fields


class FollowUpInputSerializer(serializers.Serializer):
    done_on = serializers.DateField(help_text="Ngày kiểm tra")
    result = choice_field(FollowUpResult.choices, help_text="achieved: đạt; not_achieved: không đạt (phải ghi lý do)")
    note = optional_text()


class FollowUpFilter(AreaFilterSet):
    households = "record__household"
    household = IdFilter(field_name="record__household_id", label="id hộ")
    open = FlagFilter(field_name="done_on", lookup_expr="isnull", label="Chưa ghi kết quả: true hoặc false")
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lt", label="Hạn trước ngày (YYYY-MM-DD)")

    class Meta:
        model = SupportFollowUp
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(summary="Lịch theo dõi kết quả hỗ trợ (theo hạn)"),
    retrieve=extend_schema(summary="Một lần theo dõi kết quả"),
)
class SupportFollowUpViewSet(AccessLogViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, SupportViewSet):
    serializer_class = FollowUpListSerializer
    id_argument = "follow_up_id"
    required_rights = {"list": access.SUPPORT_VIEW, "retrieve": access.SUPPORT_VIEW, "record": access.SUPPORT_RECORD}
    filterset_class = FollowUpFilter
    ordering_fields = ["id", "due_on"]
    ordering = ["due_on", "id"]

    def get_queryset(self) -> QuerySet[SupportFollowUp]:
        return SupportFollowUp.objects.visible_to(self.request.user).select_related(
            "record__household__head", "record__household__village", "record__intervention_type", "checked_by"
        )

    @use_case_schema("Ghi kết quả theo dõi", FollowUpInputSerializer, FollowUpListSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def record(self, request, pk=None):
        return self.act(pk, FollowUpInputSerializer, services.record_follow_up)


# --- loans -----------------------------------------------------------------------------------------------


class RepaymentSerializer(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)

    class Meta:
        model = LoanRepayment
        fields = ["id", "date", "principal", "interest", "note", "recorded_by", "recorded_at"]
        read_only_fields = fields


class LoanSerializer(serializers.ModelSerializer):
    household = HouseholdBriefSerializer(source="record.household", read_only=True)
    type = serializers.CharField(source="record.intervention_type.code", read_only=True)
    type_name = serializers.CharField(source="record.intervention_type.name", read_only=True)
    annual_rate_percent = serializers.SerializerMethodField(help_text="Lãi suất năm, % (6.6 = 6,6%/năm)")
    overdue_rate_bp = serializers.SerializerMethodField(help_text="Lãi suất quá hạn: 130% lãi suất vay (phần vạn)")
    balance = serializers.IntegerField(read_only=True, help_text="Dư nợ gốc (đồng)")
    overdue = serializers.SerializerMethodField(help_text="Quá hạn: còn dư nợ sau ngày đến hạn")
    repayments = RepaymentSerializer(many=True, read_only=True)

    class Meta:
        model = Loan
        fields = ["id", "record", "household", "type", "type_name", "purpose", "contract_number", "principal"]
        fields += ["annual_rate_bp", "annual_rate_percent", "overdue_rate_bp", "term_months", "disbursed_on"]
        fields += ["maturity_on", "repaid", "balance", "overdue", "version", "repayments"]
        read_only_fields = fields

    def get_annual_rate_percent(self, obj) -> float:
        return obj.annual_rate_bp / 100

    def get_overdue_rate_bp(self, obj) -> int:
        return rules.overdue_rate_bp(obj.annual_rate_bp)

    def get_overdue(self, obj) -> bool:
        return rules.loan_overdue(obj.maturity_on, obj.balance, timezone.localdate())


class LoanInputSerializer(serializers.Serializer):
    household = id_field("id của hộ", bigint=True, source="household_id")
    type = optional_text(
        max_length=40, source="type_code", help_text="Mã chương trình vay; mặc định theo tình trạng hộ"
    )
    principal = integer_field(bigint=True, help_text="Số tiền vay (đồng)")
    annual_rate_bp = integer_field(
        bigint=True,
        required=False,
        allow_null=True,
        help_text="Lãi suất năm, phần vạn (660 = 6,6%); mặc định theo chương trình",
    )
    term_months = integer_field(bigint=True, help_text="Thời hạn vay (tháng)")
    disbursed_on = serializers.DateField(help_text="Ngày giải ngân")
    purpose = text_field(max_length=200, help_text="Mục đích vay")
    contract_number = optional_text(max_length=60)
    override_reason = optional_text()
    note = optional_text()


class RepaymentInputSerializer(serializers.Serializer):
    version = _version()
    date = serializers.DateField(help_text="Ngày trả")
    principal = integer_field(bigint=True, help_text="Tiền gốc (đồng), không quá dư nợ")
    interest = integer_field(bigint=True, default=0, help_text="Tiền lãi (đồng)")
    note = optional_text(max_length=255)


class LoanFilter(AreaFilterSet):
    households = "record__household"
    household = IdFilter(field_name="record__household_id", label="id hộ")
    overdue = FlagFilter(method="filter_overdue", label="Quá hạn (còn dư nợ sau ngày đến hạn): true hoặc false")
    type = django_filters.CharFilter(method="filter_type", label="Mã chương trình vay")

    class Meta:
        model = Loan
        fields: list[str] = []

    def filter_overdue(self, queryset, name, value):
        late = Q(maturity_on__lt=timezone.localdate(), repaid__lt=F("principal"))  # as rules.loan_overdue
        return queryset.filter(late) if value else queryset.exclude(late)

    def filter_type(self, queryset, name, value):
        return queryset.filter(record__intervention_type__code__in=known_types([value]))


@extend_schema_view(
    list=extend_schema(summary="Khoản vay ưu đãi (Ngân hàng Chính sách xã hội)"),
    retrieve=extend_schema(summary="Một khoản vay, kèm các lần trả nợ"),
    create=extend_schema(
        summary="Ghi khoản vay ngân hàng đã giải ngân",
        description="Ghi một khoản vay ưu đãi của Ngân hàng Chính sách xã hội đã giải ngân cho hộ, cùng một hỗ trợ "
        "tín dụng (đã giao) của hộ. Chương trình vay và lãi suất mặc định theo tình trạng hộ vào ngày giải ngân "
        "(hộ nghèo, cận nghèo, mới thoát nghèo); điều kiện được xét như mọi hỗ trợ. Số tiền là đồng (số nguyên), "
        "lãi suất là phần vạn (660 = 6,6%/năm). Ghi nhật ký thay đổi.",
        request=LoanInputSerializer,
        responses={201: LoanSerializer, 400: BAD_INPUT, 404: NOT_FOUND, 409: STALE},
        examples=[
            OpenApiExample(
                "poor_household_loan",
                summary="Vay hộ nghèo",
                value={
                    "household": 1207,
                    "principal": 50000000,
                    "term_months": 60,
                    "disbursed_on": "2026-02-01",
                    "purpose": "Mua bò giống",
                    "contract_number": "KU-2026-0142",
                },
                request_only=True,
            )
        ],
    ),
)
class LoanViewSet(AccessLogViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, SupportViewSet):
    serializer_class = LoanSerializer
    id_argument = "loan_id"
    required_rights = {
        "list": access.SUPPORT_VIEW,
        "retrieve": access.SUPPORT_VIEW,
        "create": access.SUPPORT_RECORD,
        "repayments": access.SUPPORT_RECORD,
    }
    filterset_class = LoanFilter
    ordering_fields = ["id", "disbursed_on", "maturity_on"]
    ordering = ["-disbursed_on", "-id"]

    def get_queryset(self) -> QuerySet[Loan]:
        repayments = LoanRepayment.objects.select_related("recorded_by").order_by("date", "id")
        return (
            Loan.objects.visible_to(self.request.user)
            .select_related("record__household__head", "record__household__village", "record__intervention_type")
            .prefetch_related(Prefetch("repayments", queryset=repayments))
        )

    def create(self, request, *args, **kwargs):
        loan = services.record_loan(actor=request.user, **self.parse(LoanInputSerializer))
        return self.read_back(loan.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Ghi một lần trả nợ (gốc giảm dư nợ)",
        description="Ghi một lần hộ trả nợ: tiền gốc giảm dư nợ (không quá dư nợ), tiền lãi ghi riêng. Gửi version "
        "của khoản vay đã đọc (lệch: 409). Ghi nhật ký thay đổi; trả khoản vay với các lần trả nợ.",
        request=RepaymentInputSerializer,
        responses={201: LoanSerializer, 400: BAD_INPUT, 404: NOT_FOUND, 409: STALE},
        examples=[
            OpenApiExample(
                "first_repayment",
                summary="Trả kỳ đầu",
                value={"version": 1, "date": "2026-06-01", "principal": 5000000, "interest": 1375000},
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def repayments(self, request, pk=None):
        return self.act(pk, RepaymentInputSerializer, services.record_repayment, status.HTTP_201_CREATED)
