"""The annual review in the admin, part one: the rights of each move, the small forms of the moves and the
filters of the case list (used by `programs.review.admin`)."""

import datetime
from collections.abc import Callable
from urllib.parse import urlencode

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget, AutocompleteSelect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.admin import ID_DIGITS, NEXT
from households import rules as access
from households.admin import Key, Names, day, describe_audit, labelled, plain
from households.models import Area, Household
from households.rules import Level
from programs import rules
from programs.models import (
    Assessment,
    CaseOrigin,
    ComplaintOutcome,
    RequestChannel,
    RequestKind,
    ReviewCampaign,
    ReviewCase,
    ReviewComplaint,
)
from programs.review import rules as review_rules
from programs.review import services as workflow
from programs.templatetags.review_tags import (
    SOON_DAYS,
    STEP_CHOICES,
)

Move = review_rules.Move

# The right each move needs: officers work the cases, the chair decides, the level above gives the district opinion.
MOVE_RIGHTS: dict[Move, str] = {
    Move.SURVEY: access.REVIEW_WORK,
    Move.MEETING: access.REVIEW_WORK,
    Move.POST: access.REVIEW_WORK,
    Move.COMPLAIN: access.REVIEW_WORK,
    Move.RESOLVE_COMPLAINT: access.REVIEW_WORK,
    Move.CONSULT_DISTRICT: access.REVIEW_CONSULT,
    Move.RECOGNISE: access.REVIEW_DECIDE,
    Move.REJECT: access.REVIEW_DECIDE,
    Move.REPORT: access.REVIEW_WORK,
}
STALE_MESSAGE = (
    "Hồ sơ đã được người khác cập nhật (phiên bản {current}, bạn đang xem phiên bản {seen}). "
    "Hãy mở lại hồ sơ để xem thay đổi mới nhất rồi nhập lại."
)
ERROR_STYLE = "color: var(--error-fg, #ba2121); font-weight: bold"
# The review's words in the change log (`households.admin.changes`): its actions, and what the keys of their
# changes mean where they are not the fields of the case or the campaign.
_CASE_MOVES = {
    "requested": "nhận đề nghị rà soát của hộ",
    "surveyed": "gắn phiếu khảo sát vào hồ sơ",
    "meeting_agreed": "họp thôn thống nhất kết quả",
    "meeting_disagreed": "họp thôn chưa thống nhất, khảo sát lại",
    "posted": "niêm yết công khai",
    "complaint_filed": "nhận khiếu nại",
    "complaint_upheld": "khiếu nại có cơ sở, khảo sát lại",
    "complaint_dismissed": "khiếu nại không có cơ sở",
    "district_consulted": "ghi ý kiến cấp huyện",
    "recognised": "công nhận kết quả rà soát",
    "rejected": "không công nhận (trả lời bằng văn bản)",
    "reported": "báo cáo tỉnh",
}
DOCUMENT_NAMES = {
    "posting-list": "Danh sách niêm yết công khai",
    "decision-list": "Danh sách kèm quyết định công nhận",
    "certificate": "Giấy chứng nhận hộ nghèo, hộ cận nghèo",
}


def _steps_text(steps) -> str:
    """A campaign's calendar ({step: ISO date}) as "khảo sát, phân loại: 15/10/2026; …"."""
    if not isinstance(steps, dict) or not steps:
        return plain(steps)
    labels = {step.value: label for step, label in review_rules.STEP_LABELS.items()}
    return "; ".join(f"{labels.get(step, step)}: {day(when)}" for step, when in steps.items())


_DOCUMENT_KEYS = {
    "document": Key("Tài liệu", show=labelled(DOCUMENT_NAMES)),
    "format": Key("Định dạng", show=labelled({"html": "trang in", "xlsx": "tệp Excel"})),
    "village": Key("Thôn/tổ dân phố", names=Names(Area)),
}
describe_audit(
    actions={
        **{f"programs.review_case.{action}": label for action, label in _CASE_MOVES.items()},
        "programs.review_campaign.opened": "mở kỳ rà soát",
        "programs.review_campaign.calendar_changed": "sửa lịch các bước rà soát",
        "programs.review_campaign.reported": "báo cáo tỉnh các hồ sơ đã công nhận",
        "programs.document.exported": "in hoặc tải danh sách, giấy tờ rà soát",
        "programs.demo.review_cases_seeded": "tạo dữ liệu demo: các bước hồ sơ rà soát",
    },
    keys={
        ReviewCase: {
            "version": Key("Phiên bản", hidden=True),
            "assessment_id": Key(
                "Phiếu khảo sát",
                names=Names(Assessment, shown=lambda a: f"phiếu ngày {a.survey_date:%d/%m/%Y}, số {a.pk}"),
            ),
            "due_step": Key("Bước phải làm", show=labelled({s.value: t for s, t in review_rules.STEP_LABELS.items()})),
            "campaign": Key("Kỳ rà soát"),
            **_DOCUMENT_KEYS,
        },
        ReviewCampaign: {
            "steps": Key("Hạn các bước", show=_steps_text),
            "standard": Key("Chuẩn nghèo áp dụng"),
            "reported_cases": Key("Số hồ sơ báo cáo"),
            "moves": Key("Số bước hồ sơ đã làm (dữ liệu demo)"),  # seed_review_cases
            **_DOCUMENT_KEYS,
        },
    },
)


def day_text(day: datetime.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else "—"


def url_or_none(name: str, *args: object) -> str | None:
    """A document page of another part of the program, or None while it does not exist (the link is hidden)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def workflow_moves(case: ReviewCase) -> list[Move]:
    """The moves the workflow allows from the case's state now, as the API's `allowed_moves` gives them."""
    return review_rules.allowed_moves(
        case.state,
        has_district_step=case.campaign.has_district_step,
        requested=case.origin == CaseOrigin.REQUESTED,
        open_complaints=any(not complaint.outcome for complaint in case.complaints.all()),
    )


def available_moves(user, case: ReviewCase) -> list[Move]:
    """The moves of `case` that `user` may make now: the workflow's (`workflow_moves`), each only with its right."""
    return [move for move in workflow_moves(case) if user.has_right(MOVE_RIGHTS[move])]


def refused_move_text(case: ReviewCase, move: Move) -> str:
    """Why `move` is not open to the user on this case: the workflow's refusal naming the moves it allows now, or
    the right she lacks."""
    allowed = workflow_moves(case)
    if move in allowed:
        return f"Vai trò của bạn không được {review_rules.MOVE_LABELS[move]}."
    return review_rules.refused_move(case.state, move, allowed)


def attachable_assessment(case: ReviewCase) -> Assessment | None:
    """The household's current survey of the campaign's review when it is not the case's survey yet."""
    campaign = case.campaign
    assessment = (
        Assessment.objects.filter(
            household_id=case.household_id,
            review_year=campaign.year,
            review_kind=campaign.kind,
            review_month=campaign.month,
            is_current=True,
        )
        .order_by("-id")
        .first()
    )
    if assessment is None or assessment.pk == case.assessment_id:
        return None
    return assessment


def assessment_add_url(case: ReviewCase) -> str:
    """The survey form of this household in the campaign's review (recording it moves the case on by itself), which
    comes back to the case once saved."""
    campaign = case.campaign
    query = urlencode(
        {
            "household": case.household_id,
            "review_year": campaign.year,
            "review_kind": campaign.kind,
            "review_month": campaign.month,
            NEXT: reverse("admin:programs_reviewcase_change", args=[case.pk]),
        }
    )
    return reverse("admin:programs_assessment_add") + "?" + query


# --- the forms of the moves ------------------------------------------------------------------------------

DATE_WIDGET = AdminDateWidget
TEXT = forms.Textarea(attrs={"rows": 3, "cols": 60})


def date_field(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, widget=DATE_WIDGET, **kwargs)


class CaseMoveForm(forms.Form):
    """One move of a case: the version the user saw, the inputs of the move; `submit` calls the move's service
    in `programs.review.services` with the form's fields as keyword arguments."""

    move: Move
    service: Callable[..., object]
    submit_label = ""
    field_aliases: dict[str | None, str] = {}  # the service's name of a field -> the form's
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, case: ReviewCase, **kwargs):
        self.case = case
        super().__init__(*args, **kwargs)

    def initial_values(self, today: datetime.date) -> dict:
        return {name: today for name, field in self.fields.items() if isinstance(field, forms.DateField)}

    def arguments(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}

    def submit(self, actor) -> None:
        type(self).service(
            actor=actor, case_id=self.case.pk, expected_version=self.cleaned_data["version"], **self.arguments()
        )

    def success_message(self, case: ReviewCase) -> str:
        return f"Đã {review_rules.MOVE_LABELS[self.move]}: hồ sơ {case.reference} {case.get_state_display().lower()}."

    def summary(self) -> list[tuple[str, object]]:
        return []


class SurveyForm(CaseMoveForm):
    move = Move.SURVEY
    submit_label = "Gắn phiếu khảo sát vào hồ sơ"
    service = staticmethod(workflow.attach_survey)
    assessment = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, attachable: Assessment | None = None, **kwargs):
        self.attachable = attachable
        super().__init__(*args, **kwargs)

    def initial_values(self, today: datetime.date) -> dict:
        return {"assessment": self.attachable.pk if self.attachable else None}

    def arguments(self) -> dict:
        return {"assessment_id": self.cleaned_data["assessment"]}

    def summary(self) -> list[tuple[str, object]]:
        found = self.attachable
        if found is None:
            return []
        return [
            ("Phiếu khảo sát", f"ngày {day_text(found.survey_date)}, chuẩn {found.standard.code}"),
            ("Phân loại", found.get_category_display()),
            ("Lý do", "; ".join(found.reasons) or "—"),
        ]

    def success_message(self, case: ReviewCase) -> str:
        return f"Đã gắn phiếu khảo sát: đề xuất {case.get_proposed_category_display().lower()}; chờ họp thôn."


class MeetingForm(CaseMoveForm):
    move = Move.MEETING
    submit_label = "Ghi kết quả họp thôn"
    service = staticmethod(workflow.record_meeting)
    meeting_date = date_field("Ngày họp thôn")
    attendees = forms.IntegerField(label="Số người dự họp", min_value=0, max_value=100_000)
    agreeing = forms.IntegerField(
        label="Số người đồng ý", min_value=0, max_value=100_000, help_text="Thống nhất khi ít nhất 50% đồng ý."
    )
    note = forms.CharField(label="Ghi chú (biên bản)", required=False, widget=TEXT)

    def initial_values(self, today: datetime.date) -> dict:
        return {"meeting_date": today}

    def success_message(self, case: ReviewCase) -> str:
        tally = f"{case.meeting_agreeing}/{case.meeting_attendees} người đồng ý"
        if case.state == review_rules.CaseState.AGREED:
            return f"Họp thôn đã thống nhất ({tally}); chờ niêm yết công khai."
        return f"Họp thôn chưa thống nhất ({tally}, dưới 50%): hồ sơ trở lại bước khảo sát."


class PostForm(CaseMoveForm):
    move = Move.POST
    submit_label = "Niêm yết công khai"
    service = staticmethod(workflow.post_case)
    posting_start = date_field("Niêm yết từ ngày")
    posting_end = date_field("Niêm yết đến ngày", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        days = self.case.campaign.posting_days
        self.fields["posting_end"].help_text = f"Để trống: đủ {days} ngày làm việc kể từ ngày bắt đầu."

    def initial_values(self, today: datetime.date) -> dict:
        return {"posting_start": today}

    def success_message(self, case: ReviewCase) -> str:
        return f"Đã niêm yết từ {day_text(case.posting_start)} đến hết {day_text(case.posting_end)}."


class ComplaintForm(CaseMoveForm):
    move = Move.COMPLAIN
    submit_label = "Ghi nhận khiếu nại"
    service = staticmethod(workflow.file_complaint)
    received_on = date_field("Ngày nhận")
    complainant = forms.CharField(label="Người khiếu nại", max_length=120, required=False)
    content = forms.CharField(label="Nội dung", required=False, widget=TEXT)

    def success_message(self, case: ReviewCase) -> str:
        return "Đã ghi nhận khiếu nại: hồ sơ đang phúc tra, chưa được công nhận cho đến khi giải quyết xong."


class ResolveComplaintForm(CaseMoveForm):
    move = Move.RESOLVE_COMPLAINT
    submit_label = "Ghi kết quả phúc tra"
    service = staticmethod(workflow.resolve_complaint)
    complaint_id = forms.TypedChoiceField(label="Khiếu nại", coerce=int)
    outcome = forms.ChoiceField(label="Kết quả phúc tra", choices=ComplaintOutcome.choices, widget=forms.RadioSelect)
    resolution = forms.CharField(label="Kết luận", required=False, widget=TEXT)
    resolved_on = date_field("Ngày giải quyết")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        open_complaints = ReviewComplaint.objects.filter(case=self.case, outcome="").order_by("received_on", "id")
        self.fields["complaint_id"].choices = [
            (c.pk, f"{c.complainant} ({day_text(c.received_on)}): {c.content[:80]}") for c in open_complaints
        ]

    field_aliases = {"complaint": "complaint_id"}


class DistrictOpinionForm(CaseMoveForm):
    move = Move.CONSULT_DISTRICT
    submit_label = "Ghi ý kiến cấp huyện"
    service = staticmethod(workflow.record_district_opinion)
    opinion_on = date_field("Ngày có ý kiến")
    opinion = forms.CharField(label="Ý kiến của Chủ tịch UBND cấp huyện", required=False, widget=TEXT)


class RecogniseForm(CaseMoveForm):
    move = Move.RECOGNISE
    submit_label = "Công nhận"
    service = staticmethod(workflow.recognise_case)
    decision_number = forms.CharField(label="Số quyết định", max_length=60, required=False)
    decision_date = date_field("Ngày quyết định", help_text="Sau ngày hết niêm yết và ngày giải quyết khiếu nại.")

    def summary(self) -> list[tuple[str, object]]:
        case = self.case
        new_status = rules.status_of(case.assessment.category) if case.assessment else ""
        labels = dict(Household._meta.get_field("status").choices)
        return [
            ("Tình trạng hiện tại", case.household.get_status_display()),
            ("Đề xuất", case.get_proposed_category_display() or "—"),
            ("Tình trạng sau công nhận", labels.get(new_status, "—")),
            ("Niêm yết đến", day_text(case.posting_end)),
        ]

    def success_message(self, case: ReviewCase) -> str:
        message = f"Đã công nhận hồ sơ {case.reference}: {case.get_recognised_status_display()}"
        if case.status_change_id:
            message += f" (tình trạng hộ đổi từ {case.status_change.get_from_status_display().lower()})"
        if case.certificate_number:
            message += f"; giấy chứng nhận số {case.certificate_number}"
        return message + "."


class RejectForm(CaseMoveForm):
    move = Move.REJECT
    submit_label = "Trả lời không công nhận"
    service = staticmethod(workflow.reject_case)
    reason = forms.CharField(label="Lý do (trả lời bằng văn bản)", required=False, widget=TEXT)
    decided_on = date_field("Ngày trả lời")


class ReportForm(CaseMoveForm):
    move = Move.REPORT
    submit_label = "Báo cáo tỉnh"
    service = staticmethod(workflow.report_case)
    reported_on = date_field("Ngày báo cáo")


MOVE_FORMS: dict[Move, type[CaseMoveForm]] = {
    form.move: form
    for form in (
        SurveyForm,
        MeetingForm,
        PostForm,
        ComplaintForm,
        ResolveComplaintForm,
        DistrictOpinionForm,
        RecogniseForm,
        RejectForm,
        ReportForm,
    )
}


class ReviewRequestForm(forms.Form):
    """A household asks to be reviewed (Form 01): it joins the review that handles requests filed that day."""

    household = forms.ModelChoiceField(
        label="Hộ",
        queryset=Household.objects.none(),
        widget=AutocompleteSelect(ReviewCase._meta.get_field("household"), admin.site),
    )
    request_kind = forms.ChoiceField(label="Loại đề nghị", choices=RequestKind.choices)
    channel = forms.ChoiceField(label="Hình thức nộp", choices=RequestChannel.choices)
    filed_on = date_field(
        "Ngày nộp",
        help_text="Nộp từ 1/9 đến 14/12: vào kỳ rà soát định kỳ của năm; ngoài thời gian đó: kỳ rà soát thường xuyên "
        "bắt đầu ngày 15 (tháng này nếu nộp đến ngày 15, nếu không thì tháng sau).",
    )
    note = forms.CharField(label="Nội dung đề nghị", required=False, widget=TEXT)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = Household.objects.visible_to(user)


# --- filters of the case list --------------------------------------------------------------------------


class _DigitsFilter(admin.SimpleListFilter):
    def digits(self) -> int | None:
        value = self.value()
        return int(value) if value and ID_DIGITS.fullmatch(str(value)) else None


class CampaignFilter(_DigitsFilter):
    """One commune's campaign; the choices are the user's own commune's campaigns (or the one chosen)."""

    title = _("kỳ rà soát")
    parameter_name = "campaign"

    def lookups(self, request, model_admin):
        campaigns = ReviewCampaign.objects.visible_to(request.user).select_related("area")
        user = request.user
        chosen = self.digits()
        if user.area is not None and user.area.level == Level.COMMUNE:
            campaigns = campaigns.filter(area_id=user.area_id)
        elif chosen is not None:
            campaigns = campaigns.filter(pk=chosen)
        else:
            return []
        return [(str(c.pk), str(c)) for c in campaigns[:24]]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        chosen = self.digits()
        return queryset.filter(campaign_id=chosen) if chosen is not None else queryset.none()


class YearFilter(_DigitsFilter):
    title = _("năm rà soát")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = (
            ReviewCampaign.objects.visible_to(request.user)
            .order_by("-year")
            .values_list("year", flat=True)
            .distinct()[:20]
        )
        return [(str(year), str(year)) for year in years]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        year = self.digits()
        return queryset.filter(campaign__year=year) if year is not None else queryset.none()


class DueStepFilter(admin.SimpleListFilter):
    title = _("bước phải làm")
    parameter_name = "due_step"

    def lookups(self, request, model_admin):
        return STEP_CHOICES

    def queryset(self, request, queryset):
        return queryset.filter(due_step=self.value()) if self.value() else queryset


class OverdueFilter(admin.SimpleListFilter):
    title = _("quá hạn")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [
            ("yes", _("Quá hạn")),
            ("soon", _("Đến hạn trong %(days)s ngày") % {"days": SOON_DAYS}),
            ("no", _("Không quá hạn")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "yes":
            return queryset.filter(due_on__lt=today)
        if self.value() == "soon":
            return queryset.filter(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=SOON_DAYS))
        if self.value() == "no":
            return queryset.exclude(due_on__lt=today)
        return queryset


class CaseVillageFilter(_DigitsFilter):
    """Villages of the user's commune (or of the chosen campaign's commune), never of other communes."""

    title = _("thôn/tổ dân phố")
    parameter_name = "village"

    def _villages(self, request):
        user = request.user
        villages = Area.objects.visible_to(user).filter(level=Level.VILLAGE)
        campaign = request.GET.get("campaign", "")
        if ID_DIGITS.fullmatch(campaign):
            commune = ReviewCampaign.objects.visible_to(user).filter(pk=int(campaign)).values("area_id")
            return villages.filter(parent_id__in=commune)
        if user.area is not None and user.area.level == Level.COMMUNE:
            return villages.filter(parent_id=user.area_id)
        return villages.none()

    def lookups(self, request, model_admin):
        villages = self._villages(request).order_by("name", "id").values_list("pk", "name")[:200]
        return [(str(pk), name) for pk, name in villages]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        village = self.digits()
        return queryset.filter(household__village_id=village) if village is not None else queryset.none()


# --- several cases at once (admin actions of the case list) ------------------------------------------------


class BulkMoveForm(forms.Form):
    """The intermediate page of an admin action: the selected cases travel as hidden fields."""

    move: Move
    action = forms.CharField(widget=forms.HiddenInput)
    _selected_action = forms.TypedMultipleChoiceField(coerce=int, widget=forms.MultipleHiddenInput)
    submit_label = ""

    def __init__(self, *args, case_ids: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["_selected_action"].choices = [(pk, pk) for pk in case_ids]

    def arguments(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("action", "_selected_action")}


class BulkMeetingForm(BulkMoveForm):
    move = Move.MEETING
    submit_label = "Ghi kết quả họp thôn cho các hồ sơ"
    meeting_date = date_field("Ngày họp thôn")
    attendees = forms.IntegerField(label="Số người dự họp", min_value=0, max_value=100_000)
    agreeing = forms.IntegerField(
        label="Số người đồng ý", min_value=0, max_value=100_000, help_text="Thống nhất khi ít nhất 50% đồng ý."
    )
    note = forms.CharField(label="Ghi chú (biên bản)", required=False, widget=TEXT)


class BulkPostForm(BulkMoveForm):
    move = Move.POST
    submit_label = "Niêm yết các hồ sơ"
    posting_start = date_field("Niêm yết từ ngày")
    posting_end = date_field("Niêm yết đến ngày", required=False, help_text="Để trống: đủ số ngày làm việc của kỳ.")


class BulkRecogniseForm(BulkMoveForm):
    move = Move.RECOGNISE
    submit_label = "Công nhận các hồ sơ"
    decision_number = forms.CharField(label="Số quyết định", max_length=60, required=False)
    decision_date = date_field("Ngày quyết định", help_text="Sau ngày hết niêm yết và ngày giải quyết khiếu nại.")
