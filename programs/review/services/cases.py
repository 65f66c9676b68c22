"""The services of the review's cases (domain A6; Part B §3.2, §3.3, §8.4): one function per move of a case.

Each is one transaction: lock the case, compare its version with what the user saw, check the move against
the table in `review_rules.MOVES`, validate, save, write one audit entry. Recognition applies the new status through
`services.record_status_change` in the same transaction, so events and the newly-escaped window follow (A5).
"""

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from config.bulk import insert_new, update_existing
from config.errors import DomainError, NotFound, StaleVersion
from households.models import AuditEntry, Household, User
from households.rules import Role
from households.services import audit_entry, log_action
from programs import rules
from programs.models import (
    Assessment,
    CaseOrigin,
    ComplaintOutcome,
    ReviewCampaign,
    ReviewCase,
    ReviewComplaint,
)
from programs.review import rules as review_rules
from programs.review.services.campaigns import not_before, not_future
from programs.standards.services.assessments import record_status_change, run_rule
from programs.standards.services.hooks import OpenCase

MAX_EXTRA_POSTING_DAYS = 30  # a posting may run longer than the minimum (holidays), not for months

# --- one case -----------------------------------------------------------------------------------------


def _case(actor: User, case_id: int, expected_version: int | None, *, lock_campaign: bool = False) -> ReviewCase:
    """The case in the user's scope, locked. Locks are taken in one order everywhere: household (as
    `record_assessment` does), campaign (recognition's certificate counter; a calendar change), case; so a
    move racing a survey or a calendar change waits instead of deadlocking."""
    visible = ReviewCase.objects.visible_to(actor).filter(pk=case_id)
    households = Household.objects.select_for_update(no_key=True).filter(pk__in=visible.values("household_id"))
    list(households.values_list("id", flat=True))
    if lock_campaign:
        campaigns = ReviewCampaign.objects.select_for_update(no_key=True).filter(pk__in=visible.values("campaign_id"))
        list(campaigns.values_list("id", flat=True))
    case: ReviewCase | None = (
        ReviewCase.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("campaign", "household", "assessment")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound("Không tìm thấy hồ sơ rà soát.", "case")
    if expected_version is not None and expected_version != case.version:
        raise StaleVersion("Hồ sơ rà soát đã được người khác cập nhật; hãy tải lại trước khi sửa.")
    if case.household.commune_id != case.campaign.area_id:
        raise DomainError(
            "moved_away",
            "Hộ đã chuyển khỏi xã sau khi mở hồ sơ: hồ sơ này dừng lại; xã nơi hộ đến rà soát hộ theo đề nghị.",
            "household",
        )
    return case


def _check(case: ReviewCase, move: review_rules.Move) -> None:
    run_rule(
        review_rules.check_move,
        case.state,
        move,
        has_district_step=case.campaign.has_district_step,
        requested=case.origin == CaseOrigin.REQUESTED,
        open_complaints=ReviewComplaint.objects.filter(case=case, outcome="").exists(),
    )


def set_state(case: ReviewCase, state: review_rules.CaseState) -> None:
    case.state = state.value
    step, due = review_rules.due_date(
        state, case.campaign.step_dates(), has_district_step=case.campaign.has_district_step
    )
    case.due_step = step.value if step else ""
    case.due_on = due
    case.version += 1


def _save(
    actor: User, case: ReviewCase, before: dict[str, Any], action: str, reason: str = "", fields: tuple[str, ...] = ()
) -> ReviewCase:
    names = ("state", "due_step", "due_on", "version", "updated_at", *fields)
    case.save(update_fields=list(dict.fromkeys(names)))
    changes = {name: (old, getattr(case, name)) for name, old in before.items() if old != getattr(case, name)}
    log_action(
        actor=actor,
        action=f"programs.review_case.{action}",
        obj=case,
        changes={k: (_plain(a), _plain(b)) for k, (a, b) in changes.items()},
        reason=reason,
        household=case.household,
    )
    return case


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime.date) else value


def _snapshot(case: ReviewCase, *names: str) -> dict[str, Any]:
    return {name: getattr(case, name) for name in ("state", *names)}


def _attach(case: ReviewCase, assessment: Assessment) -> None:
    campaign = case.campaign
    if assessment.household_id != case.household_id:
        raise DomainError("unknown_assessment", "Phiếu khảo sát không thuộc hộ của hồ sơ này.", "assessment")
    if not assessment.is_current:
        raise DomainError("superseded_assessment", "Phiếu khảo sát này đã được thay bằng phiếu mới hơn.", "assessment")
    if (assessment.review_year, assessment.review_kind, assessment.review_month) != (
        campaign.year,
        campaign.kind,
        campaign.month,
    ):
        raise DomainError("other_review", f"Phiếu khảo sát thuộc kỳ rà soát khác, không phải {campaign}.", "assessment")
    if assessment.standard_id != campaign.standard_id:
        raise DomainError(
            "other_standard",
            f"Phiếu khảo sát dùng chuẩn khác với chuẩn của kỳ rà soát ({campaign.standard.code}).",
            "assessment",
        )
    case.assessment = assessment
    case.proposed_category = assessment.category
    case.meeting_date = case.meeting_attendees = case.meeting_agreeing = None
    case.meeting_note = ""
    case.posting_start = case.posting_end = None
    set_state(case, review_rules.CaseState.CLASSIFIED)


_SURVEY_FIELDS = (
    "assessment",
    "proposed_category",
    "meeting_date",
    "meeting_attendees",
    "meeting_agreeing",
    "meeting_note",
    "posting_start",
    "posting_end",
)


@transaction.atomic
def attach_survey(*, actor: User, case_id: int, expected_version: int, assessment_id: int) -> ReviewCase:
    """Step 2: the survey and its classification (A2) become the case's proposed result."""
    case = _case(actor, case_id, expected_version)
    _check(case, review_rules.Move.SURVEY)
    assessment = Assessment.objects.filter(pk=assessment_id, household_id=case.household_id).first()
    if assessment is None:
        raise DomainError("unknown_assessment", "Không tìm thấy phiếu khảo sát này của hộ.", "assessment")
    before = _snapshot(case, "assessment_id", "proposed_category")
    _attach(case, assessment)
    return _save(actor, case, before, "surveyed", fields=_SURVEY_FIELDS)


def review_standard_code(commune_id: int, review_year: int, review_kind: str, review_month: int) -> str | None:
    """The standard of the commune's campaign for that review, if one is open (surveys default to it)."""
    return (
        ReviewCampaign.objects.filter(area_id=commune_id, year=review_year, kind=review_kind, month=review_month)
        .values_list("standard__code", flat=True)
        .first()
    )


def open_review_of(household_id: int) -> OpenCase | None:
    """The household's case still open in a review (neither reported nor rejected), with its name for a message."""
    case = (
        ReviewCase.objects.filter(household_id=household_id, state__in=review_rules.OPEN_STATES)
        .select_related("campaign__area")
        .order_by("-pk")
        .first()
    )
    if case is None:
        return None
    return OpenCase(case.pk, f"hồ sơ {case.reference} trong {case.campaign} ({case.get_state_display()})")


def review_standard_codes(communes: Iterable[int]) -> dict[tuple[int, int, str, int], str]:
    """`review_standard_code` for the communes of a batch at once: the standard of each campaign, by commune,
    year, kind and month."""
    rows = ReviewCampaign.objects.filter(area_id__in=list(communes)).values_list(
        "area_id", "year", "kind", "month", "standard__code"
    )
    return {(area, year, kind, month): code for area, year, kind, month, code in rows}


def advance_on_survey(*, actor: User, assessment: Assessment) -> ReviewCase | None:
    """A survey recorded for a household with an open case in that review moves the case on (called by
    `services.record_assessment`, in its transaction). A case past the posting is left alone."""
    case = (
        ReviewCase.objects.select_for_update(of=("self",))
        .select_related("campaign", "household")
        .filter(
            household_id=assessment.household_id,
            campaign__area_id=assessment.household.commune_id,
            campaign__year=assessment.review_year,
            campaign__kind=assessment.review_kind,
            campaign__month=assessment.review_month,
        )
        .first()
    )
    if case is None or case.state not in review_rules.MOVES[review_rules.Move.SURVEY]:
        return None
    before = _snapshot(case, "assessment_id", "proposed_category")
    try:
        _attach(case, assessment)
    except DomainError as exc:  # the survey's own input at fault is its standard
        raise DomainError(exc.code, exc.message, "standard" if exc.code == "other_standard" else exc.field) from exc
    return _save(actor, case, before, "surveyed", fields=_SURVEY_FIELDS)


def advance_on_surveys(*, actor: User, assessments: Sequence[Assessment]) -> list[ReviewCase]:
    """`advance_on_survey` for a batch of recorded surveys (the Excel import, in its transaction): the cases of
    their households are locked in one query, moved on in memory, written with one `bulk_update` and their audit
    entries with one insert. Of several surveys of one review, the last current one counts."""
    latest = {(a.household_id, a.review_year, a.review_kind, a.review_month): a for a in assessments if a.is_current}
    if not latest:
        return []
    commune_of = {a.household_id: a.household.commune_id for a in assessments}
    cases = (
        ReviewCase.objects.select_for_update(of=("self",))
        .select_related("campaign__standard", "household")
        .filter(household_id__in=commune_of)
        .order_by("pk")
    )
    now = timezone.now()
    moved, entries = [], []
    for case in cases:
        campaign = case.campaign
        assessment = latest.get((case.household_id, campaign.year, campaign.kind, campaign.month))
        if assessment is None or campaign.area_id != commune_of[case.household_id]:
            continue
        if case.state not in review_rules.MOVES[review_rules.Move.SURVEY]:
            continue  # past the posting: left alone, as advance_on_survey does
        before = _snapshot(case, "assessment_id", "proposed_category")
        try:
            _attach(case, assessment)
        except DomainError as exc:
            field = "standard" if exc.code == "other_standard" else exc.field
            raise DomainError(exc.code, exc.message, field) from exc
        case.updated_at = now
        moved.append(case)
        changes = {name: (old, getattr(case, name)) for name, old in before.items() if old != getattr(case, name)}
        entries.append(
            audit_entry(
                actor=actor,
                action="programs.review_case.surveyed",
                obj=case,
                changes={k: (_plain(a), _plain(b)) for k, (a, b) in changes.items()},
                household=case.household,
            )
        )
    fields = list(dict.fromkeys(("state", "due_step", "due_on", "version", "updated_at", *_SURVEY_FIELDS)))
    update_existing(ReviewCase, moved, fields)
    insert_new(AuditEntry, entries)
    return moved


@transaction.atomic
def record_meeting(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    meeting_date: datetime.date,
    attendees: int,
    agreeing: int,
    note: str = "",
    today: datetime.date | None = None,
) -> ReviewCase:
    """Step 3: the village meeting; agreed with at least 50% of attendees, otherwise back to survey (§3.2)."""
    case = _case(actor, case_id, expected_version)
    _check(case, review_rules.Move.MEETING)
    not_future(meeting_date, today or timezone.localdate(), "meeting_date")
    not_before(meeting_date, case.assessment.survey_date if case.assessment else None, "meeting_date", "ngày khảo sát")
    agreed = run_rule(review_rules.meeting_agreed, attendees, agreeing)
    before = _snapshot(case, "meeting_date", "meeting_attendees", "meeting_agreeing")
    case.meeting_date, case.meeting_attendees, case.meeting_agreeing, case.meeting_note = (
        meeting_date,
        attendees,
        agreeing,
        note,
    )
    set_state(case, review_rules.CaseState.AGREED if agreed else review_rules.CaseState.LISTED)
    return _save(
        actor,
        case,
        before,
        "meeting_agreed" if agreed else "meeting_disagreed",
        reason=note,
        fields=("meeting_date", "meeting_attendees", "meeting_agreeing", "meeting_note"),
    )


@transaction.atomic
def post_case(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    posting_start: datetime.date,
    posting_end: datetime.date | None = None,
    today: datetime.date | None = None,
) -> ReviewCase:
    """Step 4: public posting for the campaign's working days (default 3), or until `posting_end`."""
    case = _case(actor, case_id, expected_version)
    _check(case, review_rules.Move.POST)
    not_future(posting_start, today or timezone.localdate(), "posting_start")
    not_before(posting_start, case.meeting_date, "posting_start", "ngày họp thôn")
    minimum = run_rule(review_rules.add_working_days, posting_start, case.campaign.posting_days)
    if posting_end is None:
        posting_end = minimum
    elif posting_end > minimum + datetime.timedelta(days=MAX_EXTRA_POSTING_DAYS):
        raise DomainError(
            "posting_too_long",
            f"Niêm yết quá dài: kết thúc muộn nhất {MAX_EXTRA_POSTING_DAYS} ngày sau {minimum:%d/%m/%Y}.",
            "posting_end",
        )
    elif posting_end < minimum:
        raise DomainError(
            "posting_too_short",
            f"Niêm yết phải đủ {case.campaign.posting_days} ngày làm việc, tức đến ít nhất {minimum:%d/%m/%Y}.",
            "posting_end",
        )
    before = _snapshot(case, "posting_start", "posting_end")
    case.posting_start, case.posting_end = posting_start, posting_end
    set_state(case, review_rules.CaseState.POSTED)
    return _save(actor, case, before, "posted", fields=("posting_start", "posting_end"))


@transaction.atomic
def file_complaint(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    received_on: datetime.date,
    complainant: str,
    content: str,
    today: datetime.date | None = None,
) -> ReviewComplaint:
    """A complaint about the posted result reopens the case for recheck and holds its recognition."""
    case = _case(actor, case_id, expected_version)
    _check(case, review_rules.Move.COMPLAIN)
    not_future(received_on, today or timezone.localdate(), "received_on")
    not_before(received_on, case.posting_start, "received_on", "ngày bắt đầu niêm yết")
    if case.posting_end is not None and received_on > case.posting_end:
        raise DomainError(
            "posting_over",
            f"Khiếu nại nhận sau khi hết niêm yết ({case.posting_end:%d/%m/%Y}) không giữ việc công nhận; "
            "hộ có thể đề nghị rà soát thường xuyên.",
            "received_on",
        )
    complainant, content = complainant.strip(), content.strip()
    if not complainant:
        raise DomainError("required", "Phải ghi người khiếu nại.", "complainant")
    if not content:
        raise DomainError("required", "Phải ghi nội dung khiếu nại.", "content")
    complaint = ReviewComplaint.objects.create(
        case=case, received_on=received_on, complainant=complainant, content=content, recorded_by=actor
    )
    before = _snapshot(case)
    set_state(case, review_rules.CaseState.RECHECK)
    _save(actor, case, before, "complaint_filed", reason=content)
    return complaint


@transaction.atomic
def resolve_complaint(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    complaint_id: int,
    outcome: str,
    resolution: str,
    resolved_on: datetime.date,
    today: datetime.date | None = None,
) -> ReviewCase:
    """The recheck's conclusion: upheld sends the case back to survey; dismissed releases it when no other
    complaint is open."""
    case = _case(actor, case_id, expected_version)
    _check(case, review_rules.Move.RESOLVE_COMPLAINT)
    complaint = ReviewComplaint.objects.select_for_update().filter(pk=complaint_id, case=case).first()
    if complaint is None:
        raise DomainError("unknown_complaint", "Khiếu nại không thuộc hồ sơ này.", "complaint")
    if complaint.outcome:
        raise DomainError("already_resolved", "Khiếu nại này đã được giải quyết.", "complaint")
    if outcome not in ComplaintOutcome.values:
        raise DomainError("invalid", f"Kết quả “{outcome}” không hợp lệ: chỉ nhận upheld hoặc dismissed.", "outcome")
    resolution = resolution.strip()
    if not resolution:
        raise DomainError("required", "Phải ghi kết luận phúc tra.", "resolution")
    not_future(resolved_on, today or timezone.localdate(), "resolved_on")
    not_before(resolved_on, complaint.received_on, "resolved_on", "ngày nhận khiếu nại")
    complaint.outcome, complaint.resolution, complaint.resolved_on, complaint.resolved_by = (
        outcome,
        resolution,
        resolved_on,
        actor,
    )
    complaint.save(update_fields=["outcome", "resolution", "resolved_on", "resolved_by"])
    still_open = ReviewComplaint.objects.filter(case=case, outcome="").count()
    before = _snapshot(case)
    set_state(
        case,
        review_rules.resolve_state(
            case.state, upheld=outcome == ComplaintOutcome.UPHELD, open_complaints_left=still_open
        ),
    )
    return _save(actor, case, before, f"complaint_{outcome}", reason=resolution)


@transaction.atomic
def record_district_opinion(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    opinion_on: datetime.date,
    opinion: str,
    today: datetime.date | None = None,
) -> ReviewCase:
    """Step 5, only in campaigns before 1 July 2025: the district chair's opinion (A6)."""
    case = _case(actor, case_id, expected_version)
    _check(case, review_rules.Move.CONSULT_DISTRICT)
    not_future(opinion_on, today or timezone.localdate(), "opinion_on")
    not_before(opinion_on, case.posting_start, "opinion_on", "ngày bắt đầu niêm yết")
    before = _snapshot(case, "district_opinion_on", "district_opinion")
    case.district_opinion_on, case.district_opinion = opinion_on, opinion.strip()
    set_state(case, review_rules.CaseState.DISTRICT_CONSULTED)
    return _save(actor, case, before, "district_consulted", fields=("district_opinion_on", "district_opinion"))


def _check_decider(actor: User, case: ReviewCase) -> None:
    """Separation of duties: only the commune chair decides, and never on a survey she recorded (STYLE 16)."""
    if actor.role != Role.COMMUNE_CHAIR:
        raise DomainError("not_chair", "Chỉ Chủ tịch UBND xã được công nhận hoặc trả lời không công nhận.", "actor")
    if case.assessment is not None and case.assessment.surveyor_id == actor.pk:
        raise DomainError("own_survey", "Người đã ghi phiếu khảo sát của hộ không được tự công nhận kết quả.", "actor")


@transaction.atomic
def recognise_case(
    *,
    actor: User,
    case_id: int,
    expected_version: int | None,
    decision_number: str,
    decision_date: datetime.date,
    today: datetime.date | None = None,
) -> ReviewCase:
    """Step 6: the commune chair's decision. Applies the new status through `record_status_change` (A5) in
    the same transaction and issues the certificate of a poor or near-poor household (…/GCN-HN.HCN)."""
    today = today or timezone.localdate()
    case = _case(actor, case_id, expected_version, lock_campaign=True)
    _check(case, review_rules.Move.RECOGNISE)
    _check_decider(actor, case)
    decision_number = decision_number.strip()
    if not decision_number:
        raise DomainError("required", "Phải có số quyết định công nhận.", "decision_number")
    not_future(decision_date, today, "decision_date")
    if case.posting_end is not None and decision_date <= case.posting_end:
        raise DomainError(
            "posting_not_over",
            f"Chưa hết thời gian niêm yết (đến hết {case.posting_end:%d/%m/%Y}): chưa được công nhận.",
            "decision_date",
        )
    assessment = case.assessment
    if assessment is None:
        raise DomainError("no_survey", "Hồ sơ chưa có phiếu khảo sát.", "assessment")
    if not assessment.is_current:
        raise DomainError(
            "superseded_assessment",
            "Phiếu khảo sát của hồ sơ đã được thay bằng phiếu mới hơn: gắn phiếu mới và họp thôn, niêm yết lại.",
            "assessment",
        )
    if ReviewComplaint.objects.filter(case=case, outcome="").exists():
        raise DomainError(
            "open_complaint", "Hồ sơ còn khiếu nại chưa giải quyết: chưa được công nhận.", "decision_date"
        )
    not_before(decision_date, case.district_opinion_on, "decision_date", "ngày có ý kiến cấp huyện")
    last_resolution = (
        ReviewComplaint.objects.filter(case=case).exclude(resolved_on=None).order_by("-resolved_on").first()
    )
    if last_resolution is not None:
        not_before(decision_date, last_resolution.resolved_on, "decision_date", "ngày giải quyết khiếu nại")
    new_status = rules.status_of(assessment.category)
    household = case.household
    change = None
    if new_status != household.status:
        try:
            change = record_status_change(
                actor=actor,
                household_id=household.pk,
                to_status=new_status,
                effective_date=decision_date,
                decision_number=decision_number,
                assessment_id=assessment.pk,
                reason=f"Công nhận theo {case.campaign}",
                today=today,
                through_review=True,
            )
        except DomainError as exc:  # the status service names its own inputs; here the date is the decision's
            field = {"effective_date": "decision_date"}.get(exc.field or "", exc.field)
            raise DomainError(exc.code, exc.message, field) from exc
    certificate = ""
    if new_status in rules.LISTED:
        ReviewCampaign.objects.filter(pk=case.campaign_id).update(certificate_seq=F("certificate_seq") + 1)
        sequence = ReviewCampaign.objects.values_list("certificate_seq", flat=True).get(pk=case.campaign_id)
        certificate = review_rules.certificate_number(sequence, year=case.campaign.year, month=case.campaign.month)
    before = _snapshot(case, "decision_number", "decision_date", "recognised_status", "certificate_number")
    case.decision_number, case.decision_date, case.recognised_by = decision_number, decision_date, actor
    case.recognised_status, case.status_change, case.certificate_number = new_status, change, certificate
    set_state(case, review_rules.CaseState.RECOGNISED)
    try:
        with transaction.atomic():
            return _save(
                actor,
                case,
                before,
                "recognised",
                fields=(
                    "decision_number",
                    "decision_date",
                    "recognised_by",
                    "recognised_status",
                    "status_change",
                    "certificate_number",
                ),
            )
    except IntegrityError as exc:  # pragma: no cover - the campaign counter makes numbers unique
        raise StaleVersion("Số giấy chứng nhận vừa được cấp cho hồ sơ khác; hãy thử lại.") from exc


@transaction.atomic
def reject_case(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    reason: str,
    decided_on: datetime.date,
    today: datetime.date | None = None,
) -> ReviewCase:
    """A household's request found not eligible: the chair answers in writing with the reasons (§3.3)."""
    case = _case(actor, case_id, expected_version)
    _check(case, review_rules.Move.REJECT)
    _check_decider(actor, case)
    reason = reason.strip()
    if not reason:
        raise DomainError("required", "Phải ghi rõ lý do không công nhận (trả lời bằng văn bản).", "reason")
    not_future(decided_on, today or timezone.localdate(), "decided_on")
    not_before(decided_on, case.requested_on, "decided_on", "ngày nộp đề nghị")
    before = _snapshot(case, "rejection_reason", "decision_date")
    case.rejection_reason, case.decision_date, case.recognised_by = reason, decided_on, actor
    set_state(case, review_rules.CaseState.REJECTED)
    return _save(
        actor, case, before, "rejected", reason=reason, fields=("rejection_reason", "decision_date", "recognised_by")
    )


@transaction.atomic
def report_case(
    *,
    actor: User,
    case_id: int,
    expected_version: int,
    reported_on: datetime.date,
    today: datetime.date | None = None,
) -> ReviewCase:
    """Step 7: the recognised result is reported to the province."""
    case = _case(actor, case_id, expected_version)
    _check(case, review_rules.Move.REPORT)
    not_future(reported_on, today or timezone.localdate(), "reported_on")
    not_before(reported_on, case.decision_date, "reported_on", "ngày quyết định")
    before = _snapshot(case, "reported_on")
    case.reported_on = reported_on
    set_state(case, review_rules.CaseState.REPORTED)
    return _save(actor, case, before, "reported", fields=("reported_on",))
