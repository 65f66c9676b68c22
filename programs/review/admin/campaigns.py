"""A commune's review campaigns in the admin (domain A6; Part B §6.1): the calendar, the posting and decision lists,
reporting to the province."""

import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from config.admin import add_domain_error
from config.errors import DomainError
from households import rules as access
from households.admin import RightsAdminMixin
from households.models import Area
from households.rules import Level, fold_text
from programs.models import (
    CaseStateChoices,
    ReviewCampaign,
    ReviewCase,
)
from programs.review import rules
from programs.review import services as workflow
from programs.review.admin.cases import Button, ReviewFormPageMixin
from programs.review.admin.forms import (
    ERROR_STYLE,
    date_field,
    day_text,
    url_or_none,
)
from programs.templatetags.review_tags import (
    cases_url,
)


class CalendarForm(forms.Form):
    """A province's plan: the deadline of each step of one campaign, and the days of the public posting."""

    posting_days = forms.IntegerField(label="Số ngày làm việc niêm yết", min_value=1, max_value=30)
    reason = forms.CharField(label="Lý do (ghi nhật ký)", required=False, max_length=200)

    def __init__(self, *args, campaign: ReviewCampaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        known = campaign.step_dates()
        self.steps = [step.value for step in rules.Step if step.value in known]
        for step in self.steps:
            self.fields[f"step_{step}"] = date_field(capfirst(rules.STEP_LABELS[rules.Step(step)]))
        self.order_fields([*(f"step_{step}" for step in self.steps), "posting_days", "reason"])
        self.initial = {
            "posting_days": campaign.posting_days,
            **{f"step_{step}": known[step] for step in self.steps},
        }

    def changed_steps(self) -> dict[str, datetime.date]:
        known = self.campaign.step_dates()
        return {
            step: self.cleaned_data[f"step_{step}"]
            for step in self.steps
            if self.cleaned_data[f"step_{step}"] != known[step]
        }


class CampaignReportForm(forms.Form):
    reported_on = date_field("Ngày báo cáo")


def attach_case_counts(campaigns) -> None:
    """Each campaign's cases by state, overdue and in all, as `campaign.case_counts`: one grouped query for a page
    of campaigns (not an annotation of the list's queryset, whose row count would then aggregate every case)."""
    campaigns = list(campaigns)
    today = timezone.localdate()
    per_state = {f"n_{state.value}": Count("id", filter=Q(state=state.value)) for state in rules.CaseState}
    rows = (
        ReviewCase.objects.filter(campaign_id__in=[c.pk for c in campaigns])
        .values("campaign_id")
        .annotate(n_cases=Count("id"), n_overdue=Count("id", filter=Q(due_on__lt=today)), **per_state)
        .order_by()
    )
    counts = {row.pop("campaign_id"): row for row in rows}
    for campaign in campaigns:
        campaign.case_counts = counts.get(campaign.pk, {})


def _count(campaign: ReviewCampaign, name: str) -> int:
    return getattr(campaign, "case_counts", {}).get(f"n_{name}", 0)


@admin.register(ReviewCampaign)
class ReviewCampaignAdmin(ReviewFormPageMixin, RightsAdminMixin, admin.ModelAdmin):
    view_right = access.REVIEW_VIEW
    list_display = [
        "commune",
        "year",
        "kind",
        "month_label",
        "standard_code",
        "cases_link",
        "progress",
        "overdue",
        "reported_on",
    ]
    list_filter = ["year", "kind"]
    list_select_related = ["area", "standard"]
    show_facets = admin.ShowFacets.NEVER
    show_full_result_count = False
    search_fields = ["area__name"]  # see get_search_results: without diacritics
    search_help_text = _("Tìm theo tên xã/phường, có dấu hay không dấu.")
    list_per_page = 50
    fields = [
        "area",
        ("year", "kind", "month_label"),
        "standard",
        "calendar",
        ("posting_days", "has_district_step"),
        "progress",
        "overdue",
        "certificate_seq",
        ("opened_at", "reported_on"),
        "documents",
    ]
    readonly_fields = ["commune", "month_label", "cases_link", "progress", "overdue", "calendar", "documents"]

    def get_queryset(self, request):
        return ReviewCampaign.objects.visible_to(request.user).select_related("area", "standard")

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        attach_case_counts(changelist.result_list)  # the page's rows, evaluated once and cached for the template
        return changelist

    def get_search_results(self, request, queryset, search_term):
        folded = fold_text(search_term)
        if not folded:
            return queryset, False
        return queryset.filter(area__name_search__contains=folded), False

    @admin.display(description=_("chuẩn nghèo"), ordering="standard__code")
    def standard_code(self, obj):
        return obj.standard.code  # "VN-2027": its name is on the campaign's page

    @admin.display(description=_("xã/phường"), ordering="area__name")
    def commune(self, obj):
        return obj.area.name

    @admin.display(description=_("tháng"), ordering="month")
    def month_label(self, obj):
        return obj.month or "—"

    @admin.display(description=_("hồ sơ"))
    def cases_link(self, obj):
        return format_html('<a href="{}">{} hồ sơ</a>', cases_url(campaign=obj.pk), _count(obj, "cases"))

    @admin.display(description=_("tiến độ"))
    def progress(self, obj):
        parts = [(label, _count(obj, value)) for value, label in CaseStateChoices.choices if _count(obj, value)]
        return format_html_join(mark_safe(" · "), "{}: {}", parts) or "—"

    @admin.display(description=_("quá hạn"))
    def overdue(self, obj):
        count = _count(obj, "overdue")
        if not count:
            return "0"
        return format_html(
            '<a href="{}" style="{}">{} hồ sơ</a>', cases_url(campaign=obj.pk, overdue="yes"), ERROR_STYLE, count
        )

    @admin.display(description=_("lịch các bước"))
    def calendar(self, obj):
        today = timezone.localdate()
        known = obj.step_dates()
        rows = [
            (capfirst(rules.STEP_LABELS[step]), day_text(day), " (đã qua)" if day < today else "")
            for step in rules.Step
            if (day := known.get(step.value)) is not None
        ]
        return format_html("<table>{}</table>", format_html_join("", "<tr><td>{}</td><td>{}{}</td></tr>", rows))

    @admin.display(description=_("danh sách, văn bản"))
    def documents(self, obj):
        links = [("Danh sách hồ sơ", cases_url(campaign=obj.pk))]
        posting = url_or_none("programs:posting-list", obj.pk)
        if posting:
            links += [
                ("Danh sách niêm yết toàn xã", f"{posting}?format=html"),
                ("— tải Excel", f"{posting}?format=xlsx"),
            ]
            villages = Area.objects.filter(parent_id=obj.area_id, level=Level.VILLAGE).order_by("name", "id")
            for pk, name in villages.values_list("pk", "name"):
                links += [
                    (f"Danh sách niêm yết {name}", f"{posting}?village={pk}&format=html"),
                    ("— tải Excel", f"{posting}?village={pk}&format=xlsx"),
                ]
        decisions = url_or_none("programs:decision-list", obj.pk)
        if decisions:
            links.append(("Danh sách kèm quyết định công nhận", decisions))
        return format_html_join(mark_safe("<br>"), '<a href="{}">{}</a>', ((url, label) for label, url in links))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            attach_case_counts([obj])
            buttons = []
            if request.user.has_right(access.REVIEW_WORK) and _count(obj, rules.CaseState.RECOGNISED):
                buttons.append(Button("Báo cáo tỉnh", reverse("admin:programs_reviewcampaign_report", args=[obj.pk])))
            if request.user.has_right(access.REVIEW_MANAGE):
                buttons.append(
                    Button("Đổi hạn các bước", reverse("admin:programs_reviewcampaign_calendar", args=[obj.pk]))
                )
            context["campaign_buttons"] = buttons
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        return [
            path(
                "<int:object_id>/report/",
                self.admin_site.admin_view(self.report_view),
                name="programs_reviewcampaign_report",
            ),
            path(
                "<int:object_id>/calendar/",
                self.admin_site.admin_view(self.calendar_view),
                name="programs_reviewcampaign_calendar",
            ),
            *super().get_urls(),
        ]

    def _campaign(self, request, object_id: int, right: str) -> ReviewCampaign:
        campaign = self.get_queryset(request).filter(pk=object_id).first()
        if campaign is None:
            raise Http404
        if not request.user.has_right(right):
            raise PermissionDenied
        return campaign

    def report_view(self, request, object_id: int):
        campaign = self._campaign(request, object_id, access.REVIEW_WORK)
        back = reverse("admin:programs_reviewcampaign_change", args=[campaign.pk])
        if request.method == "POST":
            form = CampaignReportForm(request.POST)
            if form.is_valid():
                try:
                    count = workflow.report_campaign(
                        actor=request.user, campaign_id=campaign.pk, reported_on=form.cleaned_data["reported_on"]
                    )
                except DomainError as exc:
                    add_domain_error(form, exc)
                else:
                    self.message_user(request, f"Đã báo cáo tỉnh {count} hồ sơ đã công nhận.", messages.SUCCESS)
                    return HttpResponseRedirect(back)
        else:
            form = CampaignReportForm(initial={"reported_on": timezone.localdate()})
        attach_case_counts([campaign])
        summary = [("Hồ sơ đã công nhận, chưa báo cáo", _count(campaign, rules.CaseState.RECOGNISED))]
        return self._render_form(
            request, form, title="Báo cáo tỉnh", submit_label="Báo cáo tỉnh", obj=campaign, summary=summary
        )

    def calendar_view(self, request, object_id: int):
        campaign = self._campaign(request, object_id, access.REVIEW_MANAGE)
        back = reverse("admin:programs_reviewcampaign_change", args=[campaign.pk])
        if request.method == "POST":
            form = CalendarForm(request.POST, campaign=campaign)
            if form.is_valid():
                steps = form.changed_steps()
                days = form.cleaned_data["posting_days"]
                try:
                    workflow.change_campaign_calendar(
                        actor=request.user,
                        campaign_id=campaign.pk,
                        steps=steps,
                        posting_days=days if days != campaign.posting_days else None,
                        reason=form.cleaned_data["reason"],
                    )
                except DomainError as exc:
                    add_domain_error(form, exc)
                else:
                    self.message_user(request, "Đã đổi lịch; hạn của các hồ sơ đang mở đã theo lịch mới.")
                    return HttpResponseRedirect(back)
        else:
            form = CalendarForm(campaign=campaign)
        return self._render_form(request, form, title="Đổi hạn các bước", submit_label="Lưu lịch mới", obj=campaign)
