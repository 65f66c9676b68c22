"""The annual review in the admin (domain A6; Part B §3.2, §8.4): campaigns, cases, the officer's to-do list.

A UI over `programs.review.services` (STYLE 17): every page and list starts from the user's scope (`visible_to`), an
object outside it is a 404; the change pages are read-only, and each move of a case is a button to a small
form that carries the case's version and calls the one service of that move. A refused move comes back as a
form error on the field the service names, a concurrent change as a form error asking to reload.
"""

import datetime
import re
from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from config.admin import add_domain_error
from config.errors import DomainError, StaleVersion
from households import rules as access
from households.admin import RightsAdminMixin, RightsInlineMixin, audit_history_table
from households.models import Area
from households.rules import Level, fold_text, looks_like_household_code
from programs.models import (
    CaseOrigin,
    CaseStateChoices,
    Notification,
    RequestChannel,
    ReviewCampaign,
    ReviewCase,
    ReviewComplaint,
)
from programs.review import rules
from programs.review import services as workflow
from programs.review.admin_forms import (
    _ID,
    ERROR_STYLE,
    HISTORY_LABELS,
    MOVE_FORMS,
    MOVE_RIGHTS,
    STALE_MESSAGE,
    BulkMeetingForm,
    BulkMoveForm,
    BulkPostForm,
    BulkRecogniseForm,
    CampaignFilter,
    CaseVillageFilter,
    DueStepFilter,
    Move,
    OverdueFilter,
    ReviewRequestForm,
    YearFilter,
    _date,
    _day,
    _url,
    assessment_add_url,
    attachable_assessment,
    available_moves,
)
from programs.templatetags.review_tags import (
    cases_url,
    notification_url,
    step_label,
)

# --- the cases ----------------------------------------------------------------------------------------------


class ComplaintInline(RightsInlineMixin, admin.TabularInline):
    model = ReviewComplaint
    view_right = access.REVIEW_VIEW
    fields = ["received_on", "complainant", "content", "recorded_by", "outcome", "resolution", "resolved_on"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    verbose_name_plural = _("khiếu nại về kết quả niêm yết")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")


@dataclass(frozen=True)
class Button:
    label: str
    url: str
    move: str = ""


class ReviewFormPageMixin:
    """The small form pages of the review, in the admin's look (admin/form_page.html)."""

    def _render_form(self, request, form, *, title: str, submit_label: str, obj=None, summary=(), confirm_text=""):
        opts = self.model._meta
        changelist_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        object_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]) if obj else None
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "title": title,
            "form": form,
            "media": self.media + form.media,
            "object": obj,
            "object_url": object_url,
            "changelist_url": changelist_url,
            "back_url": object_url or changelist_url,
            "submit_label": submit_label,
            "summary": summary,
            "confirm_text": confirm_text,
        }
        return TemplateResponse(request, "admin/form_page.html", context)


BULK_FORMS: dict[str, type[BulkMoveForm]] = {
    "bulk_meeting": BulkMeetingForm,
    "bulk_post": BulkPostForm,
    "bulk_recognise": BulkRecogniseForm,
}


def _today_dates(form_class: type[forms.Form]) -> dict[str, datetime.date]:
    fields = form_class.base_fields.items()
    return {
        name: timezone.localdate() for name, field in fields if isinstance(field, forms.DateField) and field.required
    }


# The parts of a case page; those of a household's request and of the district step only where they apply.
CASE_FIELDSETS: list[tuple[str, str | None, list]] = [
    (
        "case",
        None,
        [
            "reference",
            "campaign",
            "household",
            "head_name",
            "origin",
            "status_at_opening",
            "state",
            ("due_step_label", "due_date"),
            "version",
        ],
    ),
    ("request", _("Đề nghị của hộ"), ["request_kind", "request_channel", "requested_on", "request_note"]),
    ("survey", _("Khảo sát, phân loại"), ["assessment", "proposed_category"]),
    ("meeting", _("Họp thôn"), ["meeting_date", ("meeting_attendees", "meeting_agreeing"), "meeting_note"]),
    ("posting", _("Niêm yết công khai"), [("posting_start", "posting_end")]),
    ("district", _("Ý kiến cấp huyện"), ["district_opinion_on", "district_opinion"]),
    (
        "decision",
        _("Quyết định"),
        [
            ("decision_number", "decision_date"),
            "recognised_by",
            "recognised_status",
            "status_change",
            "certificate",
            "rejection_reason",
            "reported_on",
        ],
    ),
    ("history", _("Nhật ký"), ["history"]),
]


@admin.register(ReviewCase)
class ReviewCaseAdmin(ReviewFormPageMixin, RightsAdminMixin, admin.ModelAdmin):
    view_right = access.REVIEW_VIEW
    inlines = [ComplaintInline]
    actions = ["bulk_meeting", "bulk_post", "bulk_recognise"]
    list_display = [
        "reference",
        "household_code",
        "head_name",
        "village_name",
        "state",
        "proposed_category",
        "due_step_label",
        "due_date",
        "certificate_number",
    ]
    list_display_links = ["reference"]
    list_filter = [YearFilter, CampaignFilter, "state", DueStepFilter, OverdueFilter, CaseVillageFilter, "origin"]
    list_select_related = ["campaign", "household", "household__head", "household__village"]
    show_facets = admin.ShowFacets.NEVER
    show_full_result_count = False
    search_fields = ["household__code"]  # see get_search_results: code, or names without diacritics
    search_help_text = _("Tìm theo mã hộ, số hồ sơ (RS2026-000123) hoặc họ tên thành viên, có dấu hay không dấu.")
    ordering = ["-campaign_id", "household__code"]
    list_per_page = 50
    readonly_fields = ["reference", "head_name", "due_step_label", "due_date", "certificate", "history"]

    # -- list columns

    @admin.display(description=_("số hồ sơ"), ordering="id")
    def reference(self, obj):
        return obj.reference

    @admin.display(description=_("mã hộ"), ordering="household__code")
    def household_code(self, obj):
        return obj.household.code

    @admin.display(description=_("chủ hộ"), ordering="household__head__full_name")
    def head_name(self, obj):
        head = obj.household.head
        return head.full_name if head else "—"

    @admin.display(description=_("thôn/tổ dân phố"), ordering="household__village__name")
    def village_name(self, obj):
        village = obj.household.village
        return village.name if village else "—"

    @admin.display(description=_("bước phải làm"), ordering="due_step")
    def due_step_label(self, obj):
        return step_label(obj.due_step) if obj.due_step else "—"

    @admin.display(description=_("hạn"), ordering="due_on")
    def due_date(self, obj):
        if obj.due_on is None:
            return "—"
        if obj.due_on < timezone.localdate():
            return format_html('<span style="{}" title="Quá hạn">{}</span>', ERROR_STYLE, _day(obj.due_on))
        return _day(obj.due_on)

    @admin.display(description=_("số giấy chứng nhận"))
    def certificate(self, obj):
        if not obj.certificate_number:
            return "—"
        url = _url("programs:certificate", obj.pk)
        if url is None:
            return obj.certificate_number
        return format_html('{} <a href="{}">In giấy chứng nhận</a>', obj.certificate_number, url)

    @admin.display(description=_("nhật ký hồ sơ"))
    def history(self, obj):
        return audit_history_table(obj, prefix="programs.review_case.", labels=HISTORY_LABELS)

    # -- scope, search, permissions

    def get_queryset(self, request):
        return ReviewCase.objects.visible_to(request.user).select_related(
            "campaign", "household", "household__head", "household__village"
        )

    def get_search_results(self, request, queryset, search_term):
        folded = fold_text(search_term)
        if not folded:
            return queryset, False
        reference = re.fullmatch(r"rs(\d{4})-(\d{1,9})", folded)
        if reference:
            return queryset.filter(campaign__year=int(reference[1]), pk=int(reference[2])), False
        if looks_like_household_code(folded):
            return queryset.filter(household__code=folded), False
        return queryset.filter(household__search_text__contains=folded), False

    def get_fieldsets(self, request, obj=None):
        skip = set()
        if obj is not None and obj.origin != CaseOrigin.REQUESTED:
            skip.add("request")
        if obj is not None and not obj.campaign.has_district_step:
            skip.add("district")
        return [(title, {"fields": fields}) for key, title, fields in CASE_FIELDSETS if key not in skip]

    # -- the change page with its buttons

    def _buttons(self, request, case: ReviewCase) -> list[Button]:
        buttons = []
        for move in available_moves(request.user, case):
            label = capfirst(rules.MOVE_LABELS[move])
            url = reverse("admin:programs_reviewcase_move", args=[case.pk, move.value])
            if move is Move.SURVEY:
                attachable = attachable_assessment(case)
                if attachable is not None:
                    label = f"Gắn phiếu khảo sát ngày {_day(attachable.survey_date)}"
                elif request.user.has_right(access.ASSESSMENT_RECORD):
                    label, url = "Ghi phiếu khảo sát", assessment_add_url(case)
                else:
                    continue
            buttons.append(Button(label=label, url=url, move=move.value))
        return buttons

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["review_buttons"] = self._buttons(request, obj)
            context["review_no_buttons"] = (
                "Hồ sơ đã đóng." if obj.state in rules.CLOSED_STATES else "Bạn không có việc nào ở bước này."
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        if request.user.has_right(access.REVIEW_WORK):
            extra_context["review_request_url"] = reverse("admin:programs_reviewcase_request")
        return super().changelist_view(request, extra_context)

    # -- the move forms

    def get_urls(self):
        return [
            path(
                "request/",
                self.admin_site.admin_view(self.request_view),
                name="programs_reviewcase_request",
            ),
            path(
                "<int:object_id>/move/<str:move>/",
                self.admin_site.admin_view(self.move_view),
                name="programs_reviewcase_move",
            ),
            *super().get_urls(),
        ]

    # --- one move for the selected cases (a village meeting's list, a posting, one decision) ---

    def get_actions(self, request):
        actions = super().get_actions(request)
        for name, form_class in BULK_FORMS.items():
            if not request.user.has_right(MOVE_RIGHTS[form_class.move]):
                actions.pop(name, None)
        return actions

    @admin.action(description=_("Ghi kết quả họp thôn cho các hồ sơ đã chọn"))
    def bulk_meeting(self, request, queryset):
        return self._bulk(request, queryset, "bulk_meeting")

    @admin.action(description=_("Niêm yết công khai các hồ sơ đã chọn"))
    def bulk_post(self, request, queryset):
        return self._bulk(request, queryset, "bulk_post")

    @admin.action(description=_("Công nhận các hồ sơ đã chọn (một quyết định)"))
    def bulk_recognise(self, request, queryset):
        return self._bulk(request, queryset, "bulk_recognise")

    def _bulk(self, request, queryset, action: str):
        form_class = BULK_FORMS[action]
        if not request.user.has_right(MOVE_RIGHTS[form_class.move]):
            raise PermissionDenied
        ids = list(queryset.values_list("pk", flat=True))
        if "_submit" in request.POST:
            form = form_class(request.POST, case_ids=ids)
            if form.is_valid():
                try:
                    count = workflow.move_cases(
                        actor=request.user,
                        case_ids=form.cleaned_data["_selected_action"],
                        move=form_class.move,
                        **form.arguments(),
                    )
                except DomainError as exc:
                    add_domain_error(form, exc)
                else:
                    label = rules.MOVE_LABELS[form_class.move]
                    self.message_user(request, f"Đã {label} cho {count} hồ sơ.", messages.SUCCESS)
                    return None
        else:
            form = form_class(
                initial={"action": action, "_selected_action": ids, **_today_dates(form_class)}, case_ids=ids
            )
        return self._render_form(
            request,
            form,
            title=f"{capfirst(rules.MOVE_LABELS[form_class.move])}: {len(ids)} hồ sơ",
            submit_label=form_class.submit_label,
            summary=[("Hồ sơ đã chọn", ", ".join(c.reference for c in queryset.select_related("campaign")[:50]))],
        )

    def move_view(self, request, object_id: int, move: str):
        case = self.get_queryset(request).select_related("assessment").filter(pk=object_id).first()
        if case is None:
            raise Http404
        try:
            move_ = Move(move)
        except ValueError as exc:
            raise Http404 from exc
        if not request.user.has_right(MOVE_RIGHTS[move_]):
            raise PermissionDenied
        case_url = reverse("admin:programs_reviewcase_change", args=[case.pk])
        form_class = MOVE_FORMS[move_]
        kwargs = {"case": case}
        if move_ is Move.SURVEY:
            kwargs["attachable"] = attachable_assessment(case)
        if request.method == "POST":
            form = form_class(request.POST, **kwargs)
            if form.is_valid():
                try:
                    form.submit(request.user)
                except StaleVersion:
                    current = ReviewCase.objects.values_list("version", flat=True).get(pk=case.pk)
                    form.add_error(None, STALE_MESSAGE.format(current=current, seen=form.cleaned_data["version"]))
                except DomainError as exc:
                    add_domain_error(form, exc)
                else:
                    done = self.get_queryset(request).select_related("status_change").get(pk=case.pk)
                    self.message_user(request, form.success_message(done), messages.SUCCESS)
                    return HttpResponseRedirect(case_url)
        else:
            if move_ not in available_moves(request.user, case):
                self.message_user(
                    request,
                    f"Không thể {rules.MOVE_LABELS[move_]} khi hồ sơ {case.get_state_display().lower()}.",
                    messages.WARNING,
                )
                return HttpResponseRedirect(case_url)
            if move_ is Move.SURVEY and kwargs["attachable"] is None:
                return HttpResponseRedirect(assessment_add_url(case))
            form = form_class(**kwargs)
            form.initial = {"version": case.version, **form.initial_values(timezone.localdate())}
        summary = [
            ("Hộ", f"{case.household.code} — {self.head_name(case)}"),
            ("Bước hiện tại", case.get_state_display()),
            *form.summary(),
        ]
        return self._render_form(
            request,
            form,
            title=capfirst(rules.MOVE_LABELS[move_]),
            submit_label=form.submit_label,
            obj=case,
            summary=summary,
            confirm_text="Gắn phiếu khảo sát này vào hồ sơ?",
        )

    def request_view(self, request):
        if not request.user.has_right(access.REVIEW_WORK):
            raise PermissionDenied
        if request.method == "POST":
            form = ReviewRequestForm(request.POST, user=request.user)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    case = workflow.file_review_request(
                        actor=request.user,
                        household_id=data["household"].pk,
                        request_kind=data["request_kind"],
                        channel=data["channel"],
                        filed_on=data["filed_on"],
                        note=data["note"],
                    )
                except DomainError as exc:
                    add_domain_error(form, exc)
                else:
                    case = ReviewCase.objects.select_related("campaign__area").get(pk=case.pk)
                    self.message_user(
                        request, f"Đã nhận đề nghị: hồ sơ {case.reference} trong {case.campaign}.", messages.SUCCESS
                    )
                    return HttpResponseRedirect(reverse("admin:programs_reviewcase_change", args=[case.pk]))
        else:
            initial = {"filed_on": timezone.localdate(), "channel": RequestChannel.IN_PERSON}
            household = request.GET.get("household", "")
            if _ID.fullmatch(household):
                initial["household"] = int(household)
            form = ReviewRequestForm(initial=initial, user=request.user)
        return self._render_form(request, form, title="Hộ đề nghị rà soát", submit_label="Ghi nhận đề nghị")


# --- the campaigns -------------------------------------------------------------------------------------------


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
            self.fields[f"step_{step}"] = _date(capfirst(rules.STEP_LABELS[rules.Step(step)]))
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
    reported_on = _date("Ngày báo cáo")


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
        "standard",
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
            (capfirst(rules.STEP_LABELS[step]), _day(day), " (đã qua)" if day < today else "")
            for step in rules.Step
            if (day := known.get(step.value)) is not None
        ]
        return format_html("<table>{}</table>", format_html_join("", "<tr><td>{}</td><td>{}{}</td></tr>", rows))

    @admin.display(description=_("danh sách, văn bản"))
    def documents(self, obj):
        links = [("Danh sách hồ sơ", cases_url(campaign=obj.pk))]
        posting = _url("programs:posting-list", obj.pk)
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
        decisions = _url("programs:decision-list", obj.pk)
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


# --- the officer's notifications ("việc cần làm") -------------------------------------------------------------


class ReadFilter(admin.SimpleListFilter):
    title = _("đã xem")
    parameter_name = "read"

    def lookups(self, request, model_admin):
        return [("no", _("Chưa xem")), ("yes", _("Đã xem"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(read_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(read_at__isnull=False)
        return queryset


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Each user's own reminders and escalations, read-only; opening one leads to the cases it is about."""

    list_display = ["due_on", "kind", "subject_link", "count", "is_read"]
    list_display_links = ["due_on"]
    list_filter = [ReadFilter, "kind"]
    show_facets = admin.ShowFacets.NEVER
    show_full_result_count = False
    ordering = [F("read_at").asc(nulls_first=True), "due_on", "id"]  # unread first, soonest first
    actions = ["mark_read"]
    fields = ["kind", "subject_link", "body", "due_on", "count", "campaign", "step_name", "created_at", "read_at"]
    readonly_fields = fields

    def _allowed(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request) and (obj is None or obj.user_id == request.user.pk)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404

    def get_queryset(self, request):
        return Notification.objects.visible_to(request.user)

    @admin.display(description=_("tiêu đề"))
    def subject_link(self, obj):
        return format_html('<a href="{}">{}</a>', notification_url(obj), obj.subject)

    @admin.display(description=_("bước"))
    def step_name(self, obj):
        return step_label(obj.step) if obj.step else "—"

    @admin.display(description=_("đã xem"), boolean=True, ordering="read_at")
    def is_read(self, obj):
        return obj.read_at is not None

    @admin.action(description=_("Đánh dấu đã xem"))
    def mark_read(self, request, queryset):
        marked = queryset.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
        self.message_user(request, f"Đã đánh dấu {marked} việc là đã xem.", messages.SUCCESS)
