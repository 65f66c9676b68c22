"""The writers of surveys and status decisions: assessments with their classification, status changes. One
transaction each, audited."""

import datetime
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from config.bulk import insert_new
from config.errors import DomainError, NotFound, StaleVersion
from households.models import AuditEntry, Household, Member, User
from households.services import audit_entry, log_action
from programs import rules
from programs.models import (
    Assessment,
    PovertyStandard,
    ReviewKind,
    StatusChange,
)
from programs.reporting.stale import mark_stale
from programs.standards import derivations, selectors
from programs.standards.services.hooks import review_hooks

DWELLING_FIELDS = ("has_house", "floor_area_m2", "foundation_frame_durable", "walls_durable", "roof_durable")
MEMBER_EXTRA_FIELDS = ("stunted", "underweight")


class UnconfirmedDisagreement(DomainError):
    """The survey's answers differ from the derivation on these indicators (`disagreements`) and nobody confirmed
    which is right: the survey form asks for exactly these confirmations."""

    def __init__(self, message: str, disagreements: tuple[derivations.Disagreement, ...]):
        super().__init__("unconfirmed_disagreement", message, "confirmed")
        self.disagreements = disagreements


def run_rule(function: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return function(*args, **kwargs)
    except rules.RuleInputError as exc:
        raise DomainError(exc.code, exc.message, exc.field) from exc


def visible_household(actor: User, household_id: int, *, lock: bool) -> Household:
    queryset = Household.objects.visible_to(actor)
    if lock:
        # FOR NO KEY UPDATE: the household's key never changes here, and the weaker lock lets other
        # transactions check their foreign keys to it (a batch opening review cases) instead of deadlocking.
        queryset = queryset.select_for_update(no_key=True)
    household: Household | None = queryset.filter(pk=household_id).first()
    if household is None:
        raise NotFound("Không tìm thấy hộ.", "household")
    return household


def dwelling_facts(dwelling: Mapping[str, Any]) -> derivations.DwellingFacts:
    unknown = sorted(set(dwelling) - set(DWELLING_FIELDS))
    if unknown:
        raise DomainError("unknown_field", f"Không có thông tin nhà ở “{unknown[0]}”.", "dwelling")
    area = dwelling.get("floor_area_m2")
    if area is not None:
        try:
            area = Decimal(str(area))
        except InvalidOperation as exc:
            raise DomainError("invalid", "Diện tích nhà ở phải là một số (m²).", "dwelling") from exc
        if not area.is_finite():
            raise DomainError("invalid", "Diện tích nhà ở phải là một số (m²).", "dwelling")
        if area < 0 or area > 100_000:
            raise DomainError("invalid", "Diện tích nhà ở phải từ 0 đến 100.000 m².", "dwelling")
    for name in ("has_house", "foundation_frame_durable", "walls_durable", "roof_durable"):
        if dwelling.get(name) not in (None, True, False):
            raise DomainError("invalid", f"“{name}” phải là true, false hoặc null.", "dwelling")
    return derivations.DwellingFacts(
        has_house=dwelling.get("has_house"),
        floor_area_m2=area,
        foundation_frame_durable=dwelling.get("foundation_frame_durable"),
        walls_durable=dwelling.get("walls_durable"),
        roof_durable=dwelling.get("roof_durable"),
    )


def member_facts(
    members: list[Member], extras: Mapping[int, Mapping[str, Any]], survey_date: datetime.date
) -> tuple[list[derivations.MemberFacts], list[dict[str, Any]]]:
    """Facts of the registered members on the survey date, with the survey's own measurements (`extras`)."""
    known = {m.pk for m in members}
    strangers = sorted(set(extras) - known)
    if strangers:
        raise DomainError("unknown_member", f"Thành viên id {strangers[0]} không thuộc hộ này.", "members")
    facts, snapshot = [], []
    for member in members:
        if member.date_of_birth > survey_date:
            continue  # born after the survey: not a member on that day
        extra = extras.get(member.pk, {})
        for name in extra:
            if name not in MEMBER_EXTRA_FIELDS:
                raise DomainError("unknown_field", f"Không có thông tin thành viên “{name}”.", "members")
        insured = bool(
            member.health_insurance_number
            and member.health_insurance_valid_until
            and member.health_insurance_valid_until >= survey_date
        )
        fact = derivations.MemberFacts(
            date_of_birth=member.date_of_birth,
            has_valid_health_insurance=insured,
            schooling=member.schooling,
            education_level=member.education_level,
            receives_disability_allowance=member.receives_disability_allowance,
            stunted=extra.get("stunted"),
            underweight=extra.get("underweight"),
        )
        facts.append(fact)
        snapshot.append(
            {
                "member": member.pk,
                "full_name": member.full_name,
                "date_of_birth": member.date_of_birth.isoformat(),
                "age": derivations.age_on(member.date_of_birth, survey_date),
                "has_valid_health_insurance": insured,
                "schooling": member.schooling,
                "education_level": member.education_level,
                "receives_disability_allowance": member.receives_disability_allowance,
                "stunted": fact.stunted,
                "underweight": fact.underweight,
            }
        )
    return facts, snapshot


def evaluate(
    standard: rules.Standard,
    *,
    area_type: str,
    members: list[derivations.MemberFacts],
    dwelling: derivations.DwellingFacts,
    survey_date: datetime.date,
    answers: Mapping[str, bool | None],
    confirmed: Mapping[str, bool],
    income_per_capita: int | None,
    point_a: int | None,
    missing_as_not_deprived: bool = False,
    derived_all: Mapping[str, bool | None] | None = None,
) -> tuple[dict[str, bool | None], derivations.Reconciled, rules.Classification]:
    """Derive, reconcile with the surveyor's answers, classify: the one path of assessments and /classify/.

    `missing_as_not_deprived`: for batch reclassification under another standard, an indicator the earlier survey
    did not ask about counts as not deprived instead of being an error. `derived_all`: `derivations.derive` of
    these very facts, when the caller derived them already (seed_reviews)."""
    run_rule(rules.check_indicators, standard, answers, "answers")
    run_rule(rules.check_indicators, standard, confirmed, "confirmed")
    derived_all = derivations.derive(members, dwelling, survey_date) if derived_all is None else derived_all
    derived = {code: value for code, value in derived_all.items() if code in standard.indicators}
    if missing_as_not_deprived:
        unanswered = [c for c in standard.indicators if derived.get(c) is None and answers.get(c) is None]
        answers = {**answers, **dict.fromkeys(unanswered, False)}
    try:
        reconciled = run_rule(derivations.reconcile, standard.indicators, derived, answers, confirmed)
    except DomainError as exc:
        if isinstance(exc.__cause__, derivations.UnconfirmedDisagreements):  # which ones: the form asks for them
            raise UnconfirmedDisagreement(exc.message, exc.__cause__.disagreements) from exc.__cause__
        raise
    deprived = [code for code, value in reconciled.final.items() if value]
    result = run_rule(
        rules.classify,
        standard,
        area_type=area_type,
        deprived=deprived,
        income_per_capita=income_per_capita,
        point_a=point_a,
    )
    return derived, reconciled, result


def disagreement_rows(reconciled: derivations.Reconciled) -> list[dict[str, Any]]:
    """How an assessment stores the differences between the system's derivation and the surveyor's answer."""
    return [
        {"indicator": d.indicator, "derived": d.derived, "answered": d.answered, "text": d.describe()}
        for d in reconciled.disagreements
    ]


def check_review(
    survey_date: datetime.date, review_year: int, review_kind: str, review_month: int, today: datetime.date
) -> None:
    """The survey's date and review: not in the future, a year that fits, a month only for a monthly review."""
    if survey_date > today:
        raise DomainError("future_date", "Ngày khảo sát không được sau ngày hôm nay.", "survey_date")
    if not 2016 <= review_year <= survey_date.year + 1:
        raise DomainError("invalid", f"Năm rà soát {review_year} không khớp ngày khảo sát.", "review_year")
    if review_kind == ReviewKind.PERIODIC and review_month:
        raise DomainError("invalid", "Rà soát định kỳ không có tháng.", "review_month")
    if review_kind == ReviewKind.MONTHLY and not 1 <= review_month <= 12:
        raise DomainError("invalid", "Rà soát thường xuyên phải có tháng từ 1 đến 12.", "review_month")
    if review_kind not in ReviewKind.values:
        raise DomainError("invalid", f"Loại rà soát “{review_kind}” không hợp lệ.", "review_kind")


def standard_for_survey(
    *,
    commune_id: int | None,
    survey_date: datetime.date,
    review_year: int,
    review_kind: str,
    review_month: int,
    standard_code: str | None = None,
) -> rules.Standard:
    """The standard a survey applies, as `record_assessment` chooses it (and the survey form, to show its
    indicators): the one named, else the standard of the commune's campaign for that review (A6), else the one in
    force on the survey date."""
    if not standard_code and commune_id is not None:
        standard_code = review_hooks.standard_of_review(commune_id, review_year, review_kind, review_month)
    return selectors.survey_standard(standard_code, survey_date)


def new_assessment(
    *,
    actor: User,
    household: Household,
    members: list[Member],
    standard: rules.Standard,
    standard_id: int,
    survey_date: datetime.date,
    review_year: int,
    review_kind: str,
    review_month: int,
    income_per_capita: int | None = None,
    point_a: int | None = None,
    quick_answers: Mapping[str, Any] | None = None,
    dwelling: Mapping[str, Any] | None = None,
    member_extras: Mapping[int, Mapping[str, Any]] | None = None,
    answers: Mapping[str, bool | None] | None = None,
    confirmed: Mapping[str, bool] | None = None,
    causes: Sequence[str] = (),
    surveyor_name: str = "",
    note: str = "",
) -> Assessment:
    """The survey of the household's registered `members`, derived, reconciled and classified: unsaved."""
    if not members:
        raise DomainError("no_members", "Hộ chưa có thành viên nào.", "household")
    known_causes = run_rule(rules.check_causes, causes)
    facts, snapshot = member_facts(members, member_extras or {}, survey_date)
    dwelling = dict(dwelling or {})
    derived, reconciled, result = evaluate(
        standard,
        area_type=household.area_type,
        members=facts,
        dwelling=dwelling_facts(dwelling),
        survey_date=survey_date,
        answers=dict(answers or {}),
        confirmed=dict(confirmed or {}),
        income_per_capita=income_per_capita,
        point_a=point_a,
    )
    return Assessment(
        household=household,
        standard_id=standard_id,
        review_year=review_year,
        review_kind=review_kind,
        review_month=review_month,
        survey_date=survey_date,
        area_type=household.area_type,
        quick_answers=dict(quick_answers or {}),
        income_per_capita=income_per_capita,
        point_a=point_a,
        dwelling={k: (str(v) if isinstance(v, Decimal) else v) for k, v in dwelling.items()},
        member_facts=snapshot,
        answers=dict(answers or {}),
        derived=derived,
        confirmed=dict(confirmed or {}),
        disagreements=disagreement_rows(reconciled),
        deprived=list(result.deprived),
        deprivation_count=result.deprivation_count,
        point_b=result.point_b,
        income_line=result.income_line,
        category=result.category.value,
        reasons=list(result.reasons),
        causes=list(known_causes),
        surveyor=actor,
        surveyor_name=surveyor_name,
        note=note,
    )


def recorded_entry(
    actor: User, assessment: Assessment, standard_code: str, previous_category: str | None
) -> dict[str, Any]:
    """The audit entry of a recorded survey (arguments of `log_action` / `audit_entry`)."""
    a = assessment
    return {
        "actor": actor,
        "action": "programs.assessment.recorded",
        "obj": a,
        "changes": {
            "standard": (None, standard_code),
            "review": (None, f"{a.review_year} {a.review_kind} {a.review_month or ''}".strip()),
            "income_per_capita": (None, a.income_per_capita),
            "point_a": (None, a.point_a),
            "deprived": (None, list(a.deprived)),
            **({"causes": (None, list(a.causes))} if a.causes else {}),
            "category": (previous_category, a.category),
        },
        "reason": a.note,
        "household": a.household,
    }


@transaction.atomic
def record_assessment(
    *,
    actor: User,
    household_id: int,
    survey_date: datetime.date,
    review_year: int,
    review_kind: str = ReviewKind.PERIODIC,
    review_month: int = 0,
    standard_code: str | None = None,
    income_per_capita: int | None = None,
    point_a: int | None = None,
    quick_answers: Mapping[str, Any] | None = None,
    dwelling: Mapping[str, Any] | None = None,
    member_extras: Mapping[int, Mapping[str, Any]] | None = None,
    answers: Mapping[str, bool | None] | None = None,
    confirmed: Mapping[str, bool] | None = None,
    causes: Sequence[str] = (),
    surveyor_name: str = "",
    note: str = "",
    today: datetime.date | None = None,
) -> Assessment:
    """Record one survey of a household in a review and its classification (domain A2, A4), with the causes of
    poverty the surveyor ticked (Part B §4.2).

    An earlier survey of the same review is kept and marked as superseded, never overwritten.
    """
    household = visible_household(actor, household_id, lock=True)
    check_review(survey_date, review_year, review_kind, review_month, today or timezone.localdate())
    standard = standard_for_survey(
        commune_id=household.commune_id,
        survey_date=survey_date,
        review_year=review_year,
        review_kind=review_kind,
        review_month=review_month,
        standard_code=standard_code,
    )
    assessment = new_assessment(
        actor=actor,
        household=household,
        members=list(household.members.order_by("id")),
        standard=standard,
        standard_id=PovertyStandard.objects.get(code=standard.code).pk,
        survey_date=survey_date,
        review_year=review_year,
        review_kind=review_kind,
        review_month=review_month,
        income_per_capita=income_per_capita,
        point_a=point_a,
        quick_answers=quick_answers,
        dwelling=dwelling,
        member_extras=member_extras,
        answers=answers,
        confirmed=confirmed,
        causes=causes,
        surveyor_name=surveyor_name,
        note=note,
    )
    previous = (
        Assessment.objects.select_for_update()
        .filter(household=household, review_year=review_year, review_kind=review_kind, review_month=review_month)
        .current()
        .first()
    )
    if previous is not None:
        previous.is_current = False
        previous.save(update_fields=["is_current"])
    try:
        with transaction.atomic():
            assessment.save(force_insert=True)
    except IntegrityError as exc:
        # A batch (reclassify) or another officer saved a survey of this review a moment ago.
        raise StaleVersion(
            "Phiếu khảo sát của kỳ rà soát này vừa được ghi bởi người khác hoặc lô phân loại lại; hãy tải lại.",
            "review_year",
        ) from exc
    if previous is not None:
        previous.superseded_by = assessment
        previous.save(update_fields=["superseded_by"])
    log_action(**recorded_entry(actor, assessment, standard.code, previous.category if previous else None))
    mark_stale(household.commune_id, survey_date)
    # The household's case in that review, if any, moves on with the survey (the same use case).
    review_hooks.advance_on_survey(actor=actor, assessment=assessment)
    return assessment


@transaction.atomic
def record_assessments(
    *, actor: User, surveys: Sequence[Mapping[str, Any]], today: datetime.date | None = None
) -> list[Assessment | DomainError]:
    """Record many surveys at once (the Excel import): each survey (the keyword arguments of `record_assessment`)
    gets its checks and its result, with the lookups done once for the batch and the rows written in bulk:
    earlier surveys of the same review superseded, audit entries, figures marked stale, open review cases moved
    on. A survey that fails its checks is not written and its error stands in its place; call it in a
    transaction to roll back when all or nothing is wanted."""
    today = today or timezone.localdate()
    households = {
        h.pk: h
        for h in Household.objects.visible_to(actor)
        .select_for_update(no_key=True)
        .filter(pk__in={s["household_id"] for s in surveys})
        .order_by("pk")
    }
    members: dict[int, list[Member]] = {pk: [] for pk in households}
    for member in Member.objects.filter(household_id__in=households).order_by("id"):
        members[member.household_id].append(member)
    known = {standard.code: standard for standard in selectors.all_standard_rules()}
    standard_ids = dict(PovertyStandard.objects.values_list("code", "pk"))
    communes = {h.commune_id for h in households.values()}
    campaigns = review_hooks.standards_of_reviews(communes)
    results: list[Assessment | DomainError] = []
    for survey in surveys:
        args = dict(survey)
        household = households.get(args.pop("household_id"))
        try:
            if household is None:
                raise NotFound("Không tìm thấy hộ.", "household")
            review = (args["review_year"], args.get("review_kind", ReviewKind.PERIODIC), args.get("review_month", 0))
            check_review(args["survey_date"], *review, today)
            code = args.pop("standard_code", None) or campaigns.get((household.commune_id, *review))
            standard = selectors.survey_standard(code, args["survey_date"], known)
            args.update(zip(("review_year", "review_kind", "review_month"), review, strict=True))
            results.append(
                new_assessment(
                    actor=actor,
                    household=household,
                    members=members[household.pk],
                    standard=standard,
                    standard_id=standard_ids[standard.code],
                    **args,
                )
            )
        except DomainError as exc:
            results.append(exc)
    recorded = [a for a in results if isinstance(a, Assessment)]

    def review_of(a: Assessment) -> tuple[int, int, str, int]:
        return (a.household_id, a.review_year, a.review_kind, a.review_month)

    latest: dict[tuple[int, int, str, int], Assessment] = {
        review_of(a): a
        for a in Assessment.objects.select_for_update()
        .filter(household_id__in={a.household_id for a in recorded})
        .current()
        .only("household_id", "review_year", "review_kind", "review_month", "category")
    }
    superseded: list[tuple[Assessment, Assessment]] = []  # (earlier, later): one survey after another, in order
    for assessment in recorded:
        earlier = latest.get(review_of(assessment))
        if earlier is not None:
            earlier.is_current = False
            superseded.append((earlier, assessment))
        latest[review_of(assessment)] = assessment
    Assessment.objects.filter(pk__in=[e.pk for e, _ in superseded if e.pk is not None]).update(is_current=False)
    try:
        with transaction.atomic():
            insert_new(Assessment, recorded)
    except IntegrityError as exc:
        raise StaleVersion("Phiếu khảo sát vừa được ghi bởi người khác; hãy tải lại.", "review_year") from exc
    # each superseded survey points to the next one of its review: one UPDATE, whatever the number
    successor = Assessment.objects.filter(
        household_id=OuterRef("household_id"),
        review_year=OuterRef("review_year"),
        review_kind=OuterRef("review_kind"),
        review_month=OuterRef("review_month"),
        pk__gt=OuterRef("pk"),
    ).order_by("pk")
    Assessment.objects.filter(pk__in=[e.pk for e, _ in superseded]).update(
        superseded_by_id=Subquery(successor.values("pk")[:1])
    )
    for earlier, later in superseded:
        earlier.superseded_by = later
    previous_category = {id(later): earlier.category for earlier, later in superseded}
    codes = {pk: code for code, pk in standard_ids.items()}
    insert_new(
        AuditEntry,
        [audit_entry(**recorded_entry(actor, a, codes[a.standard_id], previous_category.get(id(a)))) for a in recorded],
    )
    first_day: dict[int, datetime.date] = {}
    for a in recorded:
        commune = households[a.household_id].commune_id
        first_day[commune] = min(first_day.get(commune, a.survey_date), a.survey_date)
    for commune, day in sorted(first_day.items()):
        mark_stale(commune, day)
    review_hooks.advance_on_surveys(actor=actor, assessments=recorded)  # their open cases move on
    return results


@transaction.atomic
def record_status_change(
    *,
    actor: User,
    household_id: int,
    to_status: str,
    effective_date: datetime.date,
    decision_number: str,
    assessment_id: int | None = None,
    reason: str = "",
    today: datetime.date | None = None,
    through_review: bool = False,
) -> StatusChange:
    """Change a household's status on a recognition decision (domain A5), writing the history row and the caches.

    The only writer of Household.status, status_since, ever_poor and left_lists_on. A decision outside the review
    (`through_review` False: the status-change API and admin) is refused while the household has a case open in a
    review (domain A6: the posting and the complaints come before the chair's decision).
    """
    household = visible_household(actor, household_id, lock=True)
    decision_number = decision_number.strip()
    if not decision_number:
        raise DomainError("required", "Phải có số quyết định công nhận.", "decision_number")
    if effective_date > (today or timezone.localdate()):
        raise DomainError("future_date", "Ngày quyết định không được sau ngày hôm nay.", "effective_date")
    if household.status_since and effective_date < household.status_since:
        raise DomainError(
            "before_current",
            f"Ngày quyết định trước ngày của tình trạng hiện tại ({household.status_since:%d/%m/%Y}).",
            "effective_date",
        )
    earliest = PovertyStandard.objects.order_by("valid_from").values_list("valid_from", flat=True).first()
    if earliest is not None and effective_date < earliest:
        raise DomainError(
            "too_early", f"Ngày quyết định trước khi có chuẩn nghèo đầu tiên ({earliest:%d/%m/%Y}).", "effective_date"
        )
    assessment = None
    if assessment_id is not None:
        assessment = Assessment.objects.filter(pk=assessment_id, household=household).first()
        if assessment is None:
            raise DomainError("unknown_assessment", "Phiếu khảo sát không thuộc hộ này.", "assessment")
        if not assessment.is_current:
            raise DomainError(
                "superseded_assessment", "Phiếu khảo sát này đã được thay bằng phiếu mới hơn.", "assessment"
            )
        if effective_date < assessment.survey_date:
            raise DomainError("before_survey", "Ngày quyết định trước ngày khảo sát.", "effective_date")
        if assessment.surveyor_id == actor.pk:
            # Separation of duties (STYLE 16): who records a survey does not decide on it.
            raise DomainError(
                "own_survey", "Người đã ghi phiếu khảo sát của hộ không được tự ra quyết định công nhận.", "assessment"
            )
        if rules.status_of(assessment.category) != to_status:
            raise DomainError(
                "assessment_mismatch",
                f"Phiếu khảo sát phân loại “{assessment.get_category_display()}”, không khớp tình trạng mới.",
                "to_status",
            )
    if not through_review:
        open_case = review_hooks.open_review_of(household.pk)
        if open_case:
            raise DomainError(
                "open_review",
                f"Hộ đang có {open_case.name}: tình trạng của hộ chỉ thay đổi bằng quyết định công nhận của hồ sơ đó.",
                "household",
            )
    listed_before = household.status in rules.LISTED or (
        StatusChange.objects.filter(household=household, to_status__in=rules.LISTED).exists()
    )
    event = run_rule(rules.status_event, household.status, to_status, listed_before=listed_before)
    change = StatusChange.objects.create(
        household=household,
        from_status=household.status,
        to_status=to_status,
        event=event,
        effective_date=effective_date,
        decision_number=decision_number,
        assessment=assessment,
        recorded_by=actor,
        reason=reason,
    )
    before = {name: getattr(household, name) for name in ("status", "status_since", "ever_poor", "left_lists_on")}
    household.status = to_status
    household.status_since = effective_date
    household.ever_poor = household.ever_poor or to_status == "poor"
    if before["status"] in rules.LISTED and to_status not in rules.LISTED:
        household.left_lists_on = effective_date
    household.version += 1
    household.save(update_fields=["status", "status_since", "ever_poor", "left_lists_on", "version", "updated_at"])
    log_action(
        actor=actor,
        action=f"programs.status.{event}",
        obj=change,
        changes={
            name: (old, getattr(household, name)) for name, old in before.items() if old != getattr(household, name)
        }
        | {"decision_number": (None, decision_number)},
        reason=reason,
        household=household,
    )
    mark_stale(household.commune_id, effective_date)
    return change
