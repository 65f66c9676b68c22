"""Support in the admin (domain A8): the intervention types, the records a household received with their moves
and follow-ups, the policy-bank loans with their repayments, the budgets, and the household page's supports.

A UI over `support.services` (STYLE 17): lists and pages start from the user's scope (`visible_to`), an object
outside it is a 404; the records and loans are read-only pages whose moves are buttons to small forms carrying
the version, each calling one service; a refusal is a form error on the field the service names. The forms are
in `support.admin.forms`; the pages that read (budget, targeting list, outcomes), the small form pages, the list
filters and what the admins share, in `support.admin.views`. The household page's supports are an inline this
module contributes to the household admin (`households.admin.contribute_to_household_page`).
"""

from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from config.admin import Contribution, ServiceAdminMixin, adopt
from config.formats import number
from households import rules as access
from households.admin import RightsAdminMixin, RightsInlineMixin, contribute_to_household_page
from households.rules import fold_text
from programs.rules import INDICATOR_NAMES
from support import services
from support.admin.forms import (
    MOVE_FORMS,
    BudgetForm,
    FollowUpForm,
    LoanForm,
    RepaymentForm,
    SupportRecordForm,
    available_moves,
    day,
    rate_text,
)
from support.admin.views import (
    ERROR_STYLE,
    BudgetAreaFilter,
    BudgetYearFilter,
    Button,
    DisbursedYearFilter,
    LoanCommuneFilter,
    OverdueFilter,
    RecordCommuneFilter,
    ServiceWritesMixin,
    YearFilter,
    budget_view,
    form_page,
    id_param,
    outcomes_view,
    record_history,
    report_links,
    search_by_household,
    targeting_view,
)
from support.models import (
    BudgetAllocation,
    FundingSource,
    InterventionType,
    Loan,
    LoanRepayment,
    RecordStatus,
    SupportFollowUp,
    SupportRecord,
)
from support.rules import MOVE_LABELS, RecordMove, loan_overdue, overdue_rate_bp

STATUS_CHOICES = [("poor", _("Hộ nghèo")), ("near_poor", _("Hộ cận nghèo")), ("not_poor", _("Hộ không nghèo"))]


class InterventionTypeForm(forms.ModelForm):
    eligible_statuses = forms.MultipleChoiceField(
        label=_("tình trạng được hỗ trợ"), choices=STATUS_CHOICES, widget=forms.CheckboxSelectMultiple, required=False
    )
    annual_rate_bp = forms.IntegerField(
        label=_("lãi suất năm (phần vạn)"),
        required=False,
        min_value=0,
        max_value=10_000,
        help_text=_("Tín dụng: 660 = 6,60%/năm; tối đa 10.000 (100%)."),
    )
    addresses = forms.MultipleChoiceField(
        label=_("chỉ số thiếu hụt được giải quyết"),
        choices=[(code, f"{name} ({code})") for code, name in INDICATOR_NAMES.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    reason = forms.CharField(
        label=_("Lý do thay đổi (ghi nhật ký)"),
        required=False,
        widget=forms.TextInput(attrs={"size": 60}),
        help_text=_("Ví dụ: văn bản mới quy định mức hỗ trợ."),
    )

    class Meta:
        model = InterventionType
        fields = [
            "code",
            "name",
            "project",
            "kind",
            "addresses",
            "default_amount",
            "unit",
            "annual_rate_bp",
            "max_term_months",
            "eligible_statuses",
            "newly_escaped",
            "newly_escaped_months",
            "poor_district_only",
            "limit",
            "legal_source",
            "active",
        ]

    def clean(self):
        data = super().clean()
        if not data.get("eligible_statuses") and not data.get("newly_escaped"):
            raise forms.ValidationError("Phải chọn ít nhất một tình trạng được hỗ trợ, hoặc hộ mới thoát nghèo.")
        return data


@admin.register(InterventionType)
class InterventionTypeAdmin(ServiceAdminMixin, RightsAdminMixin, admin.ModelAdmin):
    """The types of support, written by `services.create_intervention_type` / `change_intervention_type` (audited)."""

    validate_model = True
    view_right = access.SUPPORT_VIEW
    add_right = access.SUPPORT_MANAGE
    change_right = access.SUPPORT_MANAGE
    form = InterventionTypeForm
    list_display = ["code", "name", "project", "kind", "default_amount", "annual_rate_bp", "limit", "active"]
    list_filter = ["project", "kind", "active"]
    search_fields = ["code", "name"]

    def get_readonly_fields(self, request, obj=None):
        """A type's code (the key of the API, of the records and of the loans' default types) and its kind (a credit
        type's records are loans; the kinds that are "the same support") are fixed once it exists: a new policy is a
        new type, the old one is set inactive."""
        return ["code", "kind"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in services.INTERVENTION_TYPE_FIELDS if name in form.fields}
        reason = form.cleaned_data.get("reason", "")
        if change:
            changed = {name: value for name, value in data.items() if name in form.changed_data}
            saved = services.change_intervention_type(actor=request.user, type_id=obj.pk, data=changed, reason=reason)
        else:
            saved = services.create_intervention_type(actor=request.user, data=data, reason=reason)
        adopt(obj, saved)


# --- support records -------------------------------------------------------------------------------------


class FollowUpInline(RightsInlineMixin, admin.TabularInline):
    model = SupportFollowUp
    view_right = access.SUPPORT_VIEW
    fields = ["label", "due_on", "done_on", "result", "note", "checked_by", "result_link"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    verbose_name_plural = _("theo dõi kết quả sau hỗ trợ")

    def get_formset(self, request, obj=None, **kwargs):
        self.user = request.user  # a new inline per request (ModelAdmin.get_inline_instances)
        return super().get_formset(request, obj, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("checked_by", "record")

    @admin.display(description="")
    def result_link(self, obj):
        user = getattr(self, "user", None)
        if user is None or not user.has_right(access.SUPPORT_RECORD) or obj.record.status == RecordStatus.CANCELLED:
            return ""
        url = reverse("admin:support_supportrecord_follow_up", args=[obj.record_id, obj.pk])
        label = "Sửa kết quả" if obj.done_on else "Ghi kết quả"
        return format_html('<a class="button" href="{}" data-follow-up="{}">{}</a>', url, obj.code, label)


@admin.register(SupportRecord)
class SupportRecordAdmin(ServiceWritesMixin, RightsAdminMixin, admin.ModelAdmin):
    view_right = access.SUPPORT_VIEW
    add_right = access.SUPPORT_RECORD
    form = SupportRecordForm
    add_fields = SupportRecordForm.Meta.fields
    change_form_template = "admin/support/change_form.html"
    change_list_template = "admin/support/change_list.html"
    inlines = [FollowUpInline]
    list_display = [
        "household_code",
        "head_name",
        "intervention_type",
        "date",
        "amount_vnd",
        "funding_source",
        "status",
        "eligibility_marker",
    ]
    list_display_links = ["household_code"]
    list_filter = [
        "status",
        "intervention_type__project",
        "intervention_type__kind",
        "funding_source",
        YearFilter,
        RecordCommuneFilter,
    ]
    list_select_related = ["household", "household__head", "intervention_type"]
    search_fields = ["household__code"]  # see get_search_results: code, or names without diacritics
    search_help_text = _("Tìm theo mã hộ hoặc họ tên thành viên, có dấu hay không dấu.")
    show_facets = admin.ShowFacets.NEVER
    show_full_result_count = False
    list_per_page = 50
    change_fieldsets = [
        (
            None,
            {
                "fields": [
                    "household",
                    "head_name",
                    "intervention_type",
                    ("date", "quantity"),
                    ("amount_vnd", "funding_source", "cofinancing_vnd"),
                    "note",
                    "loan_link",
                ]
            },
        ),
        (_("Điều kiện hỗ trợ"), {"fields": ["eligibility_text", "override_reason"]}),
        (
            _("Trạng thái"),
            {
                "fields": [
                    "status",
                    ("recorded_by", "recorded_at"),
                    ("approved_by", "approved_on"),
                    "delivered_on",
                    ("cancelled_on", "cancel_reason"),
                    "version",
                ]
            },
        ),
        (_("Nhật ký"), {"fields": ["history"]}),
    ]

    @admin.display(description=_("số tiền (đồng)"), ordering="amount")
    def amount_vnd(self, obj):
        return number(obj.amount)

    @admin.display(description=_("hộ đối ứng (đồng)"))
    def cofinancing_vnd(self, obj):
        return number(obj.cofinancing)

    @admin.display(description=_("điều kiện"))
    def eligibility_marker(self, obj):
        reasons = "; ".join(obj.eligibility)
        if obj.override_reason:
            return format_html('<span style="{}" title="{}">Không đủ, vẫn hỗ trợ</span>', ERROR_STYLE, reasons)
        return format_html('<span title="{}">Đủ điều kiện</span>', reasons)

    @admin.display(description=_("đủ hoặc không đủ điều kiện"))
    def eligibility_text(self, obj):
        verdict = "Không đủ điều kiện, vẫn hỗ trợ" if obj.override_reason else "Đủ điều kiện"
        return format_html("{}: {}", verdict, "; ".join(obj.eligibility) or "—")

    @admin.display(description=_("khoản vay"))
    def loan_link(self, obj):
        loan = Loan.objects.filter(record=obj).first()
        if loan is None:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("admin:support_loan_change", args=[loan.pk]), loan)

    @admin.display(description=_("nhật ký"))
    def history(self, obj):
        return record_history(obj)

    def get_queryset(self, request):
        return SupportRecord.objects.visible_to(request.user).select_related(
            "household", "household__head", "intervention_type"
        )

    def get_search_results(self, request, queryset, search_term):
        return search_by_household(request, queryset, search_term, "household")

    def get_fieldsets(self, request, obj=None):
        return self.change_fieldsets if obj is not None else [(None, {"fields": self.fields_for_add(request)})]

    def get_readonly_fields(self, request, obj=None):
        return flatten_fieldsets(self.change_fieldsets) if obj is not None else []

    def get_changeform_initial_data(self, request):
        return {
            "date": timezone.localdate(),
            "quantity": 1,
            "cofinancing": 0,
            "funding_source": FundingSource.CENTRAL,
            **id_param(request, "household"),
        }

    def save_model(self, request, obj, form, change):
        adopt(obj, services.record_support(actor=request.user, **form.arguments()))

    def response_add(self, request, obj, post_url_continue=None):
        verdict = "vẫn hỗ trợ khi không đủ điều kiện" if obj.override_reason else "đủ điều kiện"
        self.message_user(
            request,
            f"Đã ghi hỗ trợ “{obj.intervention_type.name}” cho hộ {obj.household.code} ({number(obj.amount)} "
            f"đồng, {verdict}: {'; '.join(obj.eligibility)}); chờ duyệt.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:support_supportrecord_change", args=[obj.pk]))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["support_buttons"] = [
                Button(
                    label=capfirst(MOVE_LABELS[move]),
                    url=reverse("admin:support_supportrecord_move", args=[obj.pk, move.value]),
                    move=move.value,
                )
                for move in available_moves(request.user, obj)
            ]
            context["support_no_buttons"] = (
                "Hỗ trợ đã hủy." if obj.status == RecordStatus.CANCELLED else "Bạn không có việc nào ở bước này."
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def changelist_view(self, request, extra_context=None):
        links = report_links()
        if request.user.has_right(access.SUPPORT_RECORD):
            links.insert(0, ("Ghi khoản vay ưu đãi", reverse("admin:support_loan_add")))
        return super().changelist_view(request, {**(extra_context or {}), "support_links": links})

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("targeting/", view(partial(targeting_view, self)), name="support_targeting"),
            path("outcomes/", view(partial(outcomes_view, self)), name="support_outcomes"),
            path("<int:object_id>/move/<str:move>/", view(self.move_view), name="support_supportrecord_move"),
            path(
                "<int:object_id>/follow-up/<int:follow_up_id>/",
                view(self.follow_up_view),
                name="support_supportrecord_follow_up",
            ),
            *super().get_urls(),
        ]

    def _record(self, request, object_id: int) -> SupportRecord:
        record = self.get_queryset(request).filter(pk=object_id).first()
        if record is None:
            raise Http404
        return record

    def _summary(self, record: SupportRecord) -> list[tuple[str, object]]:
        return [
            ("Hộ", self.household_text(record)),
            ("Hỗ trợ", f"{record.intervention_type.name}, ngày {day(record.date)}, {number(record.amount)} đồng"),
            ("Trạng thái", record.get_status_display()),
        ]

    def move_view(self, request, object_id: int, move: str):
        record = self._record(request, object_id)
        try:
            form_class = MOVE_FORMS[RecordMove(move)]
        except ValueError as exc:
            raise Http404 from exc
        if not request.user.has_right(form_class.right):
            raise PermissionDenied
        back = reverse("admin:support_supportrecord_change", args=[record.pk])
        if request.method == "POST":
            form = form_class(request.POST, record=record, user=request.user)
        elif form_class.move not in available_moves(request.user, record):
            label, status = MOVE_LABELS[form_class.move], record.get_status_display().lower()
            self.message_user(request, f"Không thể {label} khi hỗ trợ {status}.", messages.WARNING)
            return HttpResponseRedirect(back)
        else:
            form = form_class(record=record, user=request.user)
            form.initial = form.initial_values(timezone.localdate())
        return form_page(self, request, form, obj=record, summary=self._summary(record), back_url=back)

    def follow_up_view(self, request, object_id: int, follow_up_id: int):
        record = self._record(request, object_id)
        follow_up = record.follow_ups.filter(pk=follow_up_id).first()
        if follow_up is None:
            raise Http404
        if not request.user.has_right(access.SUPPORT_RECORD):
            raise PermissionDenied
        initial = {"done_on": follow_up.done_on or timezone.localdate(), "result": follow_up.result}
        form = FollowUpForm(request.POST or None, follow_up=follow_up, initial={**initial, "note": follow_up.note})
        summary = [*self._summary(record), ("Theo dõi", f"{follow_up.label} (hạn {day(follow_up.due_on)})")]
        back = reverse("admin:support_supportrecord_change", args=[record.pk])
        return form_page(self, request, form, obj=record, summary=summary, back_url=back)


# --- preferential loans -------------------------------------------------------------------------------------


class RepaymentInline(RightsInlineMixin, admin.TabularInline):
    model = LoanRepayment
    view_right = access.SUPPORT_VIEW
    fields = ["date", "principal", "interest", "note", "recorded_by"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")


@admin.register(Loan)
class LoanAdmin(ServiceWritesMixin, RightsAdminMixin, admin.ModelAdmin):
    view_right = access.SUPPORT_VIEW
    add_right = access.SUPPORT_RECORD
    form = LoanForm
    add_fields = LoanForm.Meta.fields
    household_path = "record__household"
    change_form_template = "admin/support/change_form.html"
    change_list_template = "admin/support/change_list.html"
    inlines = [RepaymentInline]
    list_display = [
        "household_code",
        "head_name",
        "credit_type",
        "principal_vnd",
        "rate",
        "disbursed_on",
        "maturity_on",
        "balance_vnd",
        "is_overdue",
    ]
    list_display_links = ["household_code"]
    list_filter = [OverdueFilter, "record__intervention_type", DisbursedYearFilter, LoanCommuneFilter]
    list_select_related = ["record__household__head", "record__intervention_type"]
    search_fields = ["record__household__code"]
    search_help_text = _("Tìm theo mã hộ hoặc họ tên thành viên, có dấu hay không dấu.")
    show_facets = admin.ShowFacets.NEVER
    show_full_result_count = False
    list_per_page = 50
    change_fields = [
        "record_link",
        "credit_type",
        "purpose",
        ("principal_vnd", "rate", "overdue_rate"),
        ("term_months", "disbursed_on", "maturity_on"),
        "contract_number",
        ("repaid_vnd", "balance_vnd", "is_overdue"),
        "version",
    ]

    @admin.display(description=_("hộ"))
    def record_link(self, obj):
        url = reverse("admin:support_supportrecord_change", args=[obj.record_id])
        return format_html('<a href="{}">{}</a>', url, self.household_text(obj))

    @admin.display(description=_("chương trình vay"), ordering="record__intervention_type__name")
    def credit_type(self, obj):
        return obj.record.intervention_type.name

    @admin.display(description=_("số tiền vay (đồng)"), ordering="principal")
    def principal_vnd(self, obj):
        return number(obj.principal)

    @admin.display(description=_("lãi suất/năm"), ordering="annual_rate_bp")
    def rate(self, obj):
        return rate_text(obj.annual_rate_bp)

    @admin.display(description=_("lãi suất quá hạn/năm"))
    def overdue_rate(self, obj):
        return rate_text(overdue_rate_bp(obj.annual_rate_bp))

    @admin.display(description=_("gốc đã trả (đồng)"))
    def repaid_vnd(self, obj):
        return number(obj.repaid)

    @admin.display(description=_("dư nợ (đồng)"))
    def balance_vnd(self, obj):
        return number(obj.balance)

    @admin.display(description=_("quá hạn"), boolean=True)
    def is_overdue(self, obj):
        return loan_overdue(obj.maturity_on, obj.balance, timezone.localdate())

    def get_queryset(self, request):
        return Loan.objects.visible_to(request.user).select_related(
            "record__household__head", "record__intervention_type"
        )

    def get_search_results(self, request, queryset, search_term):
        return search_by_household(request, queryset, search_term, "record__household")

    def get_fieldsets(self, request, obj=None):
        return [(None, {"fields": self.change_fields if obj is not None else self.fields_for_add(request)})]

    def get_readonly_fields(self, request, obj=None):
        return flatten_fieldsets(self.get_fieldsets(request, obj)) if obj is not None else []

    def get_changeform_initial_data(self, request):
        return {"disbursed_on": timezone.localdate(), **id_param(request, "household")}

    def save_model(self, request, obj, form, change):
        adopt(obj, services.record_loan(actor=request.user, **form.arguments()))

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(
            request,
            f"Đã ghi khoản vay {number(obj.principal)} đồng, lãi suất {rate_text(obj.annual_rate_bp)}/năm, "
            f"đến hạn {day(obj.maturity_on)}.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:support_loan_change", args=[obj.pk]))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            buttons = []
            if request.user.has_right(access.SUPPORT_RECORD) and obj.balance > 0:
                buttons.append(Button("Ghi trả nợ", reverse("admin:support_loan_repay", args=[obj.pk]), "repay"))
            context["support_buttons"] = buttons
            context["support_no_buttons"] = "Đã trả hết nợ gốc." if obj.balance == 0 else "Bạn chỉ xem khoản vay."
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        return [
            path("<int:object_id>/repay/", self.admin_site.admin_view(self.repay_view), name="support_loan_repay"),
            *super().get_urls(),
        ]

    def repay_view(self, request, object_id: int):
        loan = self.get_queryset(request).filter(pk=object_id).first()
        if loan is None:
            raise Http404
        if not request.user.has_right(access.SUPPORT_RECORD):
            raise PermissionDenied
        initial = {"version": loan.version, "date": timezone.localdate()}
        form = RepaymentForm(request.POST or None, loan=loan, initial=initial)
        summary = [
            ("Hộ", self.household_text(loan)),
            ("Khoản vay", f"{number(loan.principal)} đồng, giải ngân {day(loan.disbursed_on)}"),
            ("Dư nợ", f"{number(loan.balance)} đồng"),
        ]
        back = reverse("admin:support_loan_change", args=[loan.pk])
        return form_page(self, request, form, obj=loan, summary=summary, back_url=back)


# --- budgets --------------------------------------------------------------------------------------------------


@admin.register(BudgetAllocation)
class BudgetAllocationAdmin(ServiceWritesMixin, RightsAdminMixin, admin.ModelAdmin):
    view_right = access.SUPPORT_VIEW
    add_right = access.SUPPORT_BUDGET
    change_right = access.SUPPORT_BUDGET
    form = BudgetForm
    line_fields = ["area", "year", "project", "funding_source"]
    add_fields = [*line_fields, "amount", "decision"]
    change_list_template = "admin/support/change_list.html"
    list_display = ["area", "year", "project", "funding_source", "amount_vnd", "decision", "recorded_by", "updated_at"]
    list_filter = [BudgetYearFilter, "project", "funding_source", BudgetAreaFilter]
    list_select_related = ["area", "recorded_by"]
    search_fields = ["area__name"]  # see get_search_results: without diacritics
    search_help_text = _("Tìm theo tên địa bàn, có dấu hay không dấu.")
    show_facets = admin.ShowFacets.NEVER
    show_full_result_count = False

    @admin.display(description=_("số tiền (đồng)"), ordering="amount")
    def amount_vnd(self, obj):
        return number(obj.amount)

    def get_queryset(self, request):
        return BudgetAllocation.objects.visible_to(request.user).select_related("area", "recorded_by")

    def get_search_results(self, request, queryset, search_term):
        folded = fold_text(search_term)
        if not folded:
            return queryset, False
        return queryset.filter(area__name_search__contains=folded), False

    def has_change_permission(self, request, obj=None):
        """A line of one's own area or below: the envelope above a commune is read, not set, there."""
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or request.user.is_in_charge_of(obj.area)

    def editable(self, request, obj) -> bool:
        return obj is None or self.has_change_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": self.fields_for_add(request)})]
        shown = (
            ["amount", "decision", "expected_version"] if self.editable(request, obj) else ["amount_vnd", "decision"]
        )
        return [(None, {"fields": [*self.line_fields, *shown, "recorded_by", "updated_at", "version"]})]

    def get_readonly_fields(self, request, obj=None):
        return [*self.line_fields, "amount_vnd", "recorded_by", "updated_at", "version"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        adopt(obj, services.set_budget(actor=request.user, **form.arguments()))

    def get_changeform_initial_data(self, request):
        initial = {"year": timezone.localdate().year, **id_param(request, "area")}
        if "area" not in initial and request.user.area is not None:
            initial["area"] = request.user.area.pk
        return initial

    def get_urls(self):
        overview = self.admin_site.admin_view(partial(budget_view, self))
        return [path("overview/", overview, name="support_budget_overview"), *super().get_urls()]


# --- the household page: what it received ----------------------------------------------------------------------


class HouseholdSupportInline(RightsInlineMixin, admin.TabularInline):
    """The household's supports, read-only, with links to record a support or a loan for it."""

    model = SupportRecord
    view_right = access.SUPPORT_VIEW
    template = "admin/support/household_supports.html"
    fields = ["record_link", "date", "amount_vnd", "status"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    ordering = ["-date", "-id"]
    verbose_name_plural = _("hỗ trợ đã nhận")

    def get_formset(self, request, obj=None, **kwargs):
        self.add_links = []  # a new inline per request (ModelAdmin.get_inline_instances)
        if obj is not None and request.user.has_right(access.SUPPORT_RECORD):
            self.add_links = [
                ("Ghi hỗ trợ cho hộ", f"{reverse('admin:support_supportrecord_add')}?household={obj.pk}"),
                ("Ghi khoản vay ưu đãi", f"{reverse('admin:support_loan_add')}?household={obj.pk}"),
            ]
        return super().get_formset(request, obj, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("intervention_type")

    @admin.display(description=_("loại hỗ trợ"))
    def record_link(self, obj):
        url = reverse("admin:support_supportrecord_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.intervention_type.name)

    @admin.display(description=_("số tiền (đồng)"))
    def amount_vnd(self, obj):
        return number(obj.amount)


contribute_to_household_page(Contribution(name="support", inlines=(HouseholdSupportInline,)))
