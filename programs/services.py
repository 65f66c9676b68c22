"""The only writers of the program's records: assessments and status changes. One transaction each, audited."""

import datetime
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from config.errors import DomainError, NotFound, StaleVersion
from households.models import Household, Member, User
from households.services import log_action
from programs import derivations, rules, selectors
from programs.models import Assessment, PovertyStandard, ReviewKind, StatusChange

DWELLING_FIELDS = ("has_house", "floor_area_m2", "foundation_frame_durable", "walls_durable", "roof_durable")
MEMBER_EXTRA_FIELDS = ("stunted", "underweight")


def _run(function: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return function(*args, **kwargs)
    except rules.RuleInputError as exc:
        raise DomainError(exc.code, exc.message, exc.field) from exc


def _visible_household(actor: User, household_id: int, *, lock: bool) -> Household:
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
) -> tuple[dict[str, bool | None], derivations.Reconciled, rules.Classification]:
    """Derive, reconcile with the surveyor's answers, classify: the one path of assessments and /classify/.

    `missing_as_not_deprived`: for batch reclassification under another standard, an indicator the
    earlier survey did not ask about counts as not deprived instead of being an error.
    """
    _run(rules.check_indicators, standard, answers, "answers")
    _run(rules.check_indicators, standard, confirmed, "confirmed")
    derived_all = derivations.derive(members, dwelling, survey_date)
    derived = {code: value for code, value in derived_all.items() if code in standard.indicators}
    if missing_as_not_deprived:
        unanswered = [c for c in standard.indicators if derived.get(c) is None and answers.get(c) is None]
        answers = {**answers, **dict.fromkeys(unanswered, False)}
    reconciled = _run(derivations.reconcile, standard.indicators, derived, answers, confirmed)
    deprived = [code for code, value in reconciled.final.items() if value]
    result = _run(
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
    surveyor_name: str = "",
    note: str = "",
    today: datetime.date | None = None,
) -> Assessment:
    """Record one survey of a household in a review and its classification (domain A2, A4).

    An earlier survey of the same review is kept and marked as superseded, never overwritten.
    """
    household = _visible_household(actor, household_id, lock=True)
    today = today or timezone.localdate()
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

    if not standard_code:
        # A survey in a commune's open review applies the review's standard (A6).
        from programs import workflow

        standard_code = workflow.review_standard_code(household, review_year, review_kind, review_month)
    if standard_code:
        standard = selectors.standard_rule(standard_code)
    else:
        found = selectors.standard_on(survey_date)
        if found is None:
            raise DomainError("no_standard", f"Không có chuẩn nghèo áp dụng ngày {survey_date:%d/%m/%Y}.", "standard")
        standard = found
    members = list(household.members.order_by("id"))
    if not members:
        raise DomainError("no_members", "Hộ chưa có thành viên nào.", "household")
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
            assessment = Assessment.objects.create(
                household=household,
                standard=PovertyStandard.objects.get(code=standard.code),
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
                surveyor=actor,
                surveyor_name=surveyor_name,
                note=note,
            )
    except IntegrityError as exc:
        # A batch (reclassify) or another officer saved a survey of this review a moment ago.
        raise StaleVersion(
            "Phiếu khảo sát của kỳ rà soát này vừa được ghi bởi người khác hoặc lô phân loại lại; hãy tải lại.",
            "review_year",
        ) from exc
    if previous is not None:
        previous.superseded_by = assessment
        previous.save(update_fields=["superseded_by"])
    log_action(
        actor=actor,
        action="programs.assessment.recorded",
        obj=assessment,
        changes={
            "standard": (None, standard.code),
            "review": (None, f"{review_year} {review_kind} {review_month or ''}".strip()),
            "income_per_capita": (None, income_per_capita),
            "point_a": (None, point_a),
            "deprived": (None, list(result.deprived)),
            "category": (previous.category if previous else None, result.category.value),
        },
        reason=note,
        household=household,
    )
    # The household's case in that review, if any, moves on with the survey (the same use case).
    from programs import workflow

    workflow.advance_on_survey(actor=actor, assessment=assessment)
    return assessment


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
) -> StatusChange:
    """Change a household's status on a recognition decision (domain A5), writing the history row and the caches.

    The only writer of Household.status, status_since, ever_poor and left_lists_on.
    """
    household = _visible_household(actor, household_id, lock=True)
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
    listed_before = household.status in rules.LISTED or (
        StatusChange.objects.filter(household=household, to_status__in=rules.LISTED).exists()
    )
    event = _run(rules.status_event, household.status, to_status, listed_before=listed_before)
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
    return change
