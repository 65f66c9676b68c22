"""The review's cases in the admin (domain A6; Part B §3.2, §8.4): the case list, its page and its moves.

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
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from config.admin import ID_DIGITS, add_domain_error
from config.errors import DomainError, StaleVersion
from households import rules as access
from households.access import AccessLogAdminMixin
from households.admin import RightsAdminMixin, RightsInlineMixin, audit_history_table
from households.rules import fold_text, looks_like_household_code
from programs.models import (
    CaseOrigin,
    RequestChannel,
    ReviewCase,
    ReviewComplaint,
)
from programs.review import rules
from programs.review import services as workflow
from programs.review.admin.forms import (
    ERROR_STYLE,
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
    assessment_add_url,
    attachable_assessment,
    available_moves,
    day_text,
    refused_move_text,
    url_or_none,
)
from programs.templatetags.review_tags import (
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


def today_dates(form_class: type[forms.Form]) -> dict[str, datetime.date]:
    fields = form_class.base_fields.items()
    return {
        name: timezone.localdate() for name, field in fields if isinstance(field, forms.DateField) and field.required
    }


# The parts of a case page; those of a household's request and of the district step only where they apply, those
# of the steps only once the case reached them.
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
class ReviewCaseAdmin(AccessLogAdminMixin, ReviewFormPageMixin, RightsAdminMixin, admin.ModelAdmin):
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
        "due_date",  # of the step the state names ("Chờ khảo sát": the survey's); the step's filter is on the right
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
            return format_html('<span style="{}" title="Quá hạn">{}</span>', ERROR_STYLE, day_text(obj.due_on))
        return day_text(obj.due_on)

    @admin.display(description=_("số giấy chứng nhận"))
    def certificate(self, obj):
        if not obj.certificate_number:
            return "—"
        url = url_or_none("programs:certificate", obj.pk)
        if url is None:
            return obj.certificate_number
        return format_html('{} <a href="{}">In giấy chứng nhận</a>', obj.certificate_number, url)

    @admin.display(description=_("nhật ký hồ sơ"))
    def history(self, obj):
        return audit_history_table(obj)

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
        if obj is not None:  # the steps not reached yet: nothing to show
            reached = {
                "survey": obj.assessment_id is not None,
                "meeting": obj.meeting_date is not None,
                "posting": obj.posting_start is not None,
                "district": obj.district_opinion_on is not None,
                "decision": obj.decision_date is not None or bool(obj.rejection_reason),
            }
            skip.update(step for step, done in reached.items() if not done)
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
                    label = f"Gắn phiếu khảo sát ngày {day_text(attachable.survey_date)}"
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
                initial={"action": action, "_selected_action": ids, **today_dates(form_class)}, case_ids=ids
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
                self.message_user(request, refused_move_text(case, move_), messages.WARNING)
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
        self.log_shown(request, case)
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
            if ID_DIGITS.fullmatch(household):
                initial["household"] = int(household)
            form = ReviewRequestForm(initial=initial, user=request.user)
        return self._render_form(request, form, title="Hộ đề nghị rà soát", submit_label="Ghi nhận đề nghị")
