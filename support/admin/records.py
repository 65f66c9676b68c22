"""Support records in the admin: the list, the read-only page of a record whose moves (approve, deliver, cancel)
are buttons to small forms carrying the version, the follow-ups and the page to record their results, and the
household page's supports (an inline this module contributes to the household admin,
`households.admin.contribute_to_household_page`). Each write calls one service of `support.services`."""

from functools import partial

from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from config.admin import Contribution, Tool, adopt
from config.formats import money, number
from households import rules as access
from households.access import AccessLogAdminMixin
from households.admin import RightsAdminMixin, RightsInlineMixin, contribute_to_household_page
from support import services
from support.admin.forms import MOVE_FORMS, FollowUpForm, SupportRecordForm, available_moves, day
from support.admin.views import (
    ERROR_STYLE,
    Button,
    RecordCommuneFilter,
    ServiceWritesMixin,
    YearFilter,
    form_page,
    id_param,
    outcomes_view,
    record_history,
    report_links,
    search_by_household,
    targeting_view,
)
from support.models import FundingSource, Loan, RecordStatus, SupportFollowUp, SupportRecord
from support.rules import MOVE_LABELS, RecordMove

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
class SupportRecordAdmin(AccessLogAdminMixin, ServiceWritesMixin, RightsAdminMixin, admin.ModelAdmin):
    view_right = access.SUPPORT_VIEW
    add_right = access.SUPPORT_RECORD
    form = SupportRecordForm
    add_fields = SupportRecordForm.Meta.fields
    change_form_template = "admin/support/change_form.html"
    change_list_template = "admin/support/change_list.html"
    inlines = [FollowUpInline]
    # the officer's columns; the project, the kind and the funding source are filters (and on the record's page)
    list_display = ["household_code", "head_name", "type_name", "date", "amount_vnd", "status", "eligibility_marker"]
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
                ]
            },
        ),
        (_("Nhật ký"), {"fields": ["history"]}),
    ]

    @admin.display(description=_("loại hỗ trợ"), ordering="intervention_type__name")
    def type_name(self, obj):
        return obj.intervention_type.name  # its project is a filter of the list

    @admin.display(description=_("số tiền"), ordering="amount")
    def amount_vnd(self, obj):
        return money(obj.amount)

    @admin.display(description=_("hộ đối ứng"))
    def cofinancing_vnd(self, obj):
        return money(obj.cofinancing)

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
        self.log_shown(request, record)
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
        self.log_shown(request, record)
        return form_page(self, request, form, obj=record, summary=summary, back_url=back)


# --- the household page: what it received ----------------------------------------------------------------------


class HouseholdSupportInline(RightsInlineMixin, admin.TabularInline):
    """The household's supports, read-only (the buttons to record one are at the top of the page: `household_tools`)."""

    model = SupportRecord
    view_right = access.SUPPORT_VIEW
    fields = ["record_link", "date", "amount_vnd", "status"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    ordering = ["-date", "-id"]
    verbose_name_plural = _("hỗ trợ đã nhận")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("intervention_type")

    @admin.display(description=_("loại hỗ trợ"))
    def record_link(self, obj):
        url = reverse("admin:support_supportrecord_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.intervention_type.name)

    @admin.display(description=_("số tiền"))
    def amount_vnd(self, obj):
        return money(obj.amount)


def household_tools(request, household) -> list[Tool]:
    """The buttons at the top of a household's page to record a support or a loan for it, for those who record."""
    if not request.user.has_right(access.SUPPORT_RECORD):
        return []
    return [
        Tool("Ghi hỗ trợ cho hộ", f"{reverse('admin:support_supportrecord_add')}?household={household.pk}"),
        Tool("Ghi khoản vay ưu đãi", f"{reverse('admin:support_loan_add')}?household={household.pk}"),
    ]


contribute_to_household_page(Contribution(name="support", inlines=(HouseholdSupportInline,), tools=household_tools))
