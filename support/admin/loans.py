"""Preferential loans in the admin: the list, the loan form (`services.record_loan`, which writes the loan's
support record too) and the read-only page of a loan with its repayments and the page to record one
(`services.record_repayment`)."""

from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from config.admin import adopt
from config.formats import money, number
from households import rules as access
from households.access import AccessLogAdminMixin
from households.admin import RightsAdminMixin, RightsInlineMixin
from support import services
from support.admin.forms import LoanForm, RepaymentForm, day, rate_text
from support.admin.views import (
    Button,
    DisbursedYearFilter,
    LoanCommuneFilter,
    OverdueFilter,
    ServiceWritesMixin,
    form_page,
    id_param,
    search_by_household,
)
from support.models import Loan, LoanRepayment
from support.rules import loan_overdue, overdue_rate_bp


class RepaymentInline(RightsInlineMixin, admin.TabularInline):
    model = LoanRepayment
    view_right = access.SUPPORT_VIEW
    fields = ["date", "principal_vnd", "interest_vnd", "note", "recorded_by"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False

    @admin.display(description=_("gốc"))
    def principal_vnd(self, obj):
        return money(obj.principal)

    @admin.display(description=_("lãi"))
    def interest_vnd(self, obj):
        return money(obj.interest)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")


@admin.register(Loan)
class LoanAdmin(AccessLogAdminMixin, ServiceWritesMixin, RightsAdminMixin, admin.ModelAdmin):
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
    ]

    @admin.display(description=_("hộ"))
    def record_link(self, obj):
        url = reverse("admin:support_supportrecord_change", args=[obj.record_id])
        return format_html('<a href="{}">{}</a>', url, self.household_text(obj))

    @admin.display(description=_("chương trình vay"), ordering="record__intervention_type__name")
    def credit_type(self, obj):
        return obj.record.intervention_type.name

    @admin.display(description=_("số tiền vay"), ordering="principal")
    def principal_vnd(self, obj):
        return money(obj.principal)

    @admin.display(description=_("lãi suất/năm"), ordering="annual_rate_bp")
    def rate(self, obj):
        return rate_text(obj.annual_rate_bp)

    @admin.display(description=_("lãi suất quá hạn/năm"))
    def overdue_rate(self, obj):
        return rate_text(overdue_rate_bp(obj.annual_rate_bp))

    @admin.display(description=_("gốc đã trả"))
    def repaid_vnd(self, obj):
        return money(obj.repaid)

    @admin.display(description=_("dư nợ"))
    def balance_vnd(self, obj):
        return money(obj.balance)

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
        self.log_shown(request, loan)
        return form_page(self, request, form, obj=loan, summary=summary, back_url=back)
