"""The only writers of support (domain A8, Part B §5): the types of support, the records, loans and budgets; one
transaction each, audited."""

import datetime
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from config.errors import DomainError, NotFound, StaleVersion
from config.formats import number
from households.models import Area, Household, User, subtree
from households.rules import SUPPORT_APPROVE, SUPPORT_BUDGET, SUPPORT_MANAGE, SUPPORT_OVERRIDE, SUPPORT_RECORD, Level
from households.selectors import scoped_area
from households.services import check_row, log_action
from programs import rules as program_rules
from programs.models import StatusChange
from support import rules
from support.models import (
    BudgetAllocation,
    FollowUpResult,
    FundingSource,
    InterventionType,
    Kind,
    Loan,
    LoanRepayment,
    Project,
    RecordStatus,
    SupportFollowUp,
    SupportRecord,
)

MAX_AMOUNT = 10_000_000_000  # VND: far above any support; keeps typos and overflows out


def status_history(household_id: int) -> tuple[tuple[datetime.date, str], ...]:
    return tuple(
        StatusChange.objects.filter(household_id=household_id)
        .order_by("effective_date", "id")
        .values_list("effective_date", "to_status")
    )


def household_at(
    household: Household, intervention_type: InterventionType, *, excluding: int | None = None
) -> rules.HouseholdAtDate:
    """What eligibility reads about a household: its status history, its area, what it already received (but
    the record `excluding`, when the record being delivered is checked again)."""
    history = status_history(household.pk)
    in_poor_district = household.commune.is_poor_district or bool(
        household.district_id and household.district and household.district.is_poor_district
    )
    # "not already supported for the same thing": a house under any scheme counts for every housing type
    received = tuple(
        SupportRecord.objects.filter(household=household)
        .filter(
            Q(intervention_type=intervention_type)
            | Q(intervention_type__kind__in=sorted(rules.same_support(intervention_type.kind)))
        )
        .exclude(status=RecordStatus.CANCELLED)
        .exclude(pk=excluding)
        .values_list("date", flat=True)
    )
    return rules.HouseholdAtDate(history=history, in_poor_district=in_poor_district, received_on=received)


def _require(actor: User, right: str, what: str) -> None:
    if not actor.has_right(right):
        raise DomainError("no_right", f"Tài khoản không có quyền {what}.", "actor")


def _locked_household(actor: User, household_id: int) -> Household:
    household: Household | None = (
        Household.objects.visible_to(actor).select_for_update(no_key=True).filter(pk=household_id).first()
    )
    if household is None:
        raise NotFound("Không tìm thấy hộ.", "household")
    return household


def _check_override(actor: User, result: rules.Eligibility, override_reason: str, what: str, field: str) -> None:
    """An ineligible household is refused with the reasons, unless a user with the right writes why."""
    reasons = "; ".join(result.reasons)
    if not override_reason:
        raise DomainError("not_eligible", f"{what}: {reasons}.", field)
    if not actor.has_right(SUPPORT_OVERRIDE):
        raise DomainError(
            "no_override_right",
            f"{what} ({reasons}); chỉ cán bộ có quyền mới được vẫn hỗ trợ.",
            "override_reason",
        )


EARLIEST = datetime.date(2000, 1, 1)  # no support record of the program is older; catches typed years like 0202


def _check_day(day: datetime.date, today: datetime.date, field: str, what: str) -> None:
    if day < EARLIEST:
        raise DomainError("too_old", f"{what} ({day:%d/%m/%Y}) phải từ năm 2000.", field)
    if day > today:
        raise DomainError("in_future", f"{what} ({day:%d/%m/%Y}) không được sau hôm nay.", field)


def _new_record(
    *,
    actor: User,
    household: Household,
    intervention_type: InterventionType,
    date: datetime.date,
    funding_source: str,
    quantity: int,
    amount: int | None,
    cofinancing: int,
    override_reason: str,
    note: str,
    today: datetime.date,
) -> SupportRecord:
    """Validate a support and create it, planned: the eligibility rule of its type decides at `date`."""
    if funding_source not in FundingSource.values:
        raise DomainError("invalid", f"Nguồn vốn “{funding_source}” không hợp lệ.", "funding_source")
    if not 1 <= quantity <= 10_000:
        raise DomainError("invalid", "Số lượng phải từ 1 đến 10.000.", "quantity")
    if amount is None:
        if intervention_type.default_amount == 0:
            raise DomainError(
                "required", "Loại hỗ trợ này không có mức mặc định: hãy ghi số tiền (0 nếu không bằng tiền).", "amount"
            )
        amount = intervention_type.default_amount * quantity
    if not 0 <= amount <= MAX_AMOUNT:
        raise DomainError("invalid", "Số tiền phải là số nguyên không âm (đồng), tối đa 10 tỷ.", "amount")
    if not 0 <= cofinancing <= amount:
        raise DomainError("invalid", "Phần hộ đối ứng phải từ 0 đến số tiền hỗ trợ.", "cofinancing")
    if date > today + datetime.timedelta(days=366):
        raise DomainError("too_far", "Ngày hỗ trợ quá xa trong tương lai (tối đa một năm).", "date")
    if date.year < 2000:
        raise DomainError("too_old", "Ngày hỗ trợ phải từ năm 2000.", "date")
    if intervention_type.project != Project.OTHER and date < rules.PROGRAM_START:
        raise DomainError(
            "before_program",
            f"{intervention_type.get_project_display()} thuộc Chương trình MTQG giảm nghèo bền vững, bắt đầu từ "
            f"{rules.PROGRAM_START:%d/%m/%Y}: ngày hỗ trợ {date:%d/%m/%Y} là trước đó.",
            "date",
        )
    result = rules.check_eligibility(intervention_type.rule(), household_at(household, intervention_type), date)
    override_reason = override_reason.strip()
    if not result.eligible:
        _check_override(actor, result, override_reason, "Hộ không đủ điều kiện", "household")
    record = SupportRecord.objects.create(
        household=household,
        intervention_type=intervention_type,
        date=date,
        quantity=quantity,
        amount=amount,
        funding_source=funding_source,
        cofinancing=cofinancing,
        eligibility=list(result.reasons),
        override_reason=override_reason if not result.eligible else "",
        recorded_by=actor,
        note=note.strip(),
    )
    log_action(
        actor=actor,
        action="support.record.overridden" if not result.eligible else "support.record.created",
        obj=record,
        changes={
            "type": (None, intervention_type.code),
            "date": (None, date.isoformat()),
            "amount": (None, amount),
            "funding_source": (None, funding_source),
            "eligible": (None, result.eligible),
            "eligibility": (None, list(result.reasons)),
        },
        reason=override_reason or note,
        household=household,
    )
    return record


# --- the types of support (reference data of the program administrator) -------------------------------------

INTERVENTION_TYPE_FIELDS = (
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
)
FIXED_TYPE_FIELDS = ("code", "kind")  # the key of the API, records and loans; a credit type's records are loans


def _checked_type(intervention_type: InterventionType) -> None:
    if not intervention_type.eligible_statuses and not intervention_type.newly_escaped:
        raise DomainError(
            "nobody_eligible",
            "Phải chọn ít nhất một tình trạng được hỗ trợ, hoặc hộ mới thoát nghèo.",
            "eligible_statuses",
        )
    check_row(intervention_type, exclude=["eligible_statuses"])  # empty when only the newly escaped get it


def _type_values(data: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(data) - set(INTERVENTION_TYPE_FIELDS))
    if unknown:
        raise DomainError("unknown_field", f"Không có thông tin “{unknown[0]}” của loại hỗ trợ.", unknown[0])
    return dict(data)


@transaction.atomic
def create_intervention_type(*, actor: User, data: Mapping[str, Any], reason: str = "") -> InterventionType:
    """A new type of support (`INTERVENTION_TYPE_FIELDS`), with the legal source of its amounts and rules."""
    _require(actor, SUPPORT_MANAGE, "quản lý loại hỗ trợ")
    intervention_type = InterventionType(**_type_values(data))
    _checked_type(intervention_type)
    intervention_type.save()
    log_action(
        actor=actor,
        action="support.intervention_type.created",
        obj=intervention_type,
        changes={name: (None, getattr(intervention_type, name)) for name in data},
        reason=reason.strip(),
    )
    return intervention_type


@transaction.atomic
def change_intervention_type(
    *, actor: User, type_id: int, data: Mapping[str, Any], reason: str = ""
) -> InterventionType:
    """Change a type's amounts, rules or source (`data`: the fields that change). Its code and kind are fixed
    once it exists: a new policy is a new type, the old one is set inactive."""
    _require(actor, SUPPORT_MANAGE, "quản lý loại hỗ trợ")
    intervention_type = InterventionType.objects.select_for_update().filter(pk=type_id).first()
    if intervention_type is None:
        raise NotFound("Không tìm thấy loại hỗ trợ.")
    values = _type_values(data)
    changes = {name: (getattr(intervention_type, name), new) for name, new in values.items()}
    changes = {name: change for name, change in changes.items() if change[0] != change[1]}
    fixed = [name for name in FIXED_TYPE_FIELDS if name in changes]
    if fixed:
        raise DomainError(
            "fixed", "Mã và loại của một loại hỗ trợ không đổi; chính sách mới là một loại hỗ trợ mới.", fixed[0]
        )
    if not changes:
        return intervention_type
    for name, (_, new) in changes.items():
        setattr(intervention_type, name, new)
    _checked_type(intervention_type)
    intervention_type.save(update_fields=list(changes))
    log_action(
        actor=actor,
        action="support.intervention_type.changed",
        obj=intervention_type,
        changes=changes,
        reason=reason.strip(),
    )
    return intervention_type


def _active_type(type_code: str) -> InterventionType:
    intervention_type = InterventionType.objects.filter(code=type_code, active=True).first()
    if intervention_type is None:
        raise DomainError("unknown_type", f"Loại hỗ trợ “{type_code}” không có hoặc không còn áp dụng.", "type")
    return intervention_type


@transaction.atomic
def record_support(
    *,
    actor: User,
    household_id: int,
    type_code: str,
    date: datetime.date,
    funding_source: str,
    quantity: int = 1,
    amount: int | None = None,
    cofinancing: int = 0,
    override_reason: str = "",
    note: str = "",
    today: datetime.date | None = None,
) -> SupportRecord:
    """Record a support for a household, planned. The eligibility rule of its type decides at `date`; an
    ineligible household is refused with the reasons, unless a user with the right to override writes why."""
    _require(actor, SUPPORT_RECORD, "ghi hỗ trợ")
    household = _locked_household(actor, household_id)
    intervention_type = _active_type(type_code)
    if intervention_type.kind == Kind.CREDIT:
        raise DomainError(
            "use_loan", "Khoản vay ưu đãi được ghi ở mục Khoản vay (kèm số tiền, lãi suất, thời hạn).", "type"
        )
    return _new_record(
        actor=actor,
        household=household,
        intervention_type=intervention_type,
        date=date,
        funding_source=funding_source,
        quantity=quantity,
        amount=amount,
        cofinancing=cofinancing,
        override_reason=override_reason,
        note=note,
        today=today or timezone.localdate(),
    )


# --- the moves of a record ---------------------------------------------------------------------------------


def _locked_record(actor: User, record_id: int, version: int | None) -> SupportRecord:
    record: SupportRecord | None = (
        SupportRecord.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("intervention_type", "household")
        .filter(pk=record_id)
        .first()
    )
    if record is None:
        raise NotFound("Không tìm thấy hỗ trợ.", "record")
    if version is not None and version != record.version:
        raise StaleVersion("Hỗ trợ đã được người khác cập nhật; hãy tải lại rồi làm lại.")
    return record


def _move(record: SupportRecord, move: rules.RecordMove) -> str:
    before = record.status
    try:
        record.status = rules.record_move(rules.RecordState(before), move).value
    except ValueError as refused:
        raise DomainError("forbidden_move", str(refused), "status") from None
    record.version += 1
    return before


@transaction.atomic
def approve_support(
    *, actor: User, record_id: int, version: int | None, day: datetime.date | None = None
) -> SupportRecord:
    """The commune chair (or district, province) approves a planned support; not the one who recorded it."""
    _require(actor, SUPPORT_APPROVE, "duyệt hỗ trợ")
    record = _locked_record(actor, record_id, version)
    day = day or timezone.localdate()
    if record.recorded_by_id == actor.pk:
        raise DomainError("own_record", "Người ghi hỗ trợ không tự duyệt hỗ trợ đó.", "actor")
    _check_day(day, timezone.localdate(), "approved_on", "Ngày duyệt")
    before = _move(record, rules.RecordMove.APPROVE)
    record.approved_by, record.approved_on = actor, day
    record.save(update_fields=["status", "approved_by", "approved_on", "version"])
    log_action(
        actor=actor,
        action="support.record.approved",
        obj=record,
        changes={"status": (before, record.status), "approved_on": (None, day.isoformat())},
        household=record.household,
    )
    return record


def _schedule_follow_ups(record: SupportRecord, delivered_on: datetime.date) -> list[SupportFollowUp]:
    return SupportFollowUp.objects.bulk_create(
        [
            SupportFollowUp(record=record, code=f.code, label=f.label, due_on=due)
            for f, due in rules.follow_ups(record.intervention_type.kind, delivered_on)
        ],
        ignore_conflicts=True,
    )


@transaction.atomic
def deliver_support(
    *,
    actor: User,
    record_id: int,
    version: int | None,
    delivered_on: datetime.date,
    note: str = "",
    override_reason: str = "",
    today: datetime.date | None = None,
) -> SupportRecord:
    """The support reached the household: the follow-ups of its kind are scheduled from the delivery date.

    The household receives it on the delivery date, so eligibility is read again on that day (its status may have
    changed, or its newly-escaped window closed, since the planned date): an ineligible household is refused with
    the reasons, unless a user with the right to override writes why. A record already overridden stays so."""
    _require(actor, SUPPORT_RECORD, "ghi hỗ trợ")
    record = _locked_record(actor, record_id, version)
    _check_day(delivered_on, today or timezone.localdate(), "delivered_on", "Ngày giao hỗ trợ")
    if record.approved_on and delivered_on < record.approved_on:
        raise DomainError(
            "before_approval",
            f"Ngày giao hỗ trợ không được trước ngày duyệt ({record.approved_on:%d/%m/%Y}).",
            "delivered_on",
        )
    before = _move(record, rules.RecordMove.DELIVER)
    changes: dict[str, tuple[object, object]] = {}
    override_reason = override_reason.strip()
    if not record.override_reason:
        at_delivery = household_at(record.household, record.intervention_type, excluding=record.pk)
        result = rules.check_eligibility(record.intervention_type.rule(), at_delivery, delivered_on)
        if not result.eligible:
            what = f"Ngày giao hỗ trợ {delivered_on:%d/%m/%Y} hộ không còn đủ điều kiện"
            _check_override(actor, result, override_reason, what, "delivered_on")
            changes["eligibility"] = (record.eligibility, list(result.reasons))
            record.eligibility, record.override_reason = list(result.reasons), override_reason
    record.delivered_on = delivered_on
    record.save(update_fields=["status", "delivered_on", "version", "eligibility", "override_reason"])
    scheduled = _schedule_follow_ups(record, delivered_on)
    log_action(
        actor=actor,
        action="support.record.delivered",
        obj=record,
        changes={
            "status": (before, record.status),
            "delivered_on": (None, delivered_on.isoformat()),
            "follow_ups": (None, [f"{f.code}@{f.due_on.isoformat()}" for f in scheduled]),
            **changes,
        },
        reason="\n".join(text for text in (override_reason if changes else "", note.strip()) if text),
        household=record.household,
    )
    return record


@transaction.atomic
def cancel_support(
    *, actor: User, record_id: int, version: int | None, reason: str, day: datetime.date | None = None
) -> SupportRecord:
    """Cancel a support with a written reason; the record stays (with its open follow-ups dropped)."""
    _require(actor, SUPPORT_RECORD, "ghi hỗ trợ")
    record = _locked_record(actor, record_id, version)
    reason = reason.strip()
    if not reason:
        raise DomainError("required", "Phải ghi lý do hủy.", "reason")
    if hasattr(record, "loan"):
        raise DomainError(
            "loan", "Khoản vay do Ngân hàng Chính sách xã hội quản lý; không hủy ở đây, hãy ghi trả nợ.", "status"
        )
    day = day or timezone.localdate()
    _check_day(day, timezone.localdate(), "cancelled_on", "Ngày hủy")
    for code, done, what in (
        ("before_delivery", record.delivered_on, "giao hỗ trợ"),
        ("before_approval", record.approved_on, "duyệt"),
    ):
        if done is not None and day < done:
            raise DomainError(code, f"Ngày hủy không được trước ngày {what} ({done:%d/%m/%Y}).", "cancelled_on")
    before = _move(record, rules.RecordMove.CANCEL)
    record.cancelled_on, record.cancel_reason = day, reason
    record.save(update_fields=["status", "cancelled_on", "cancel_reason", "version"])
    dropped = list(record.follow_ups.filter(done_on__isnull=True).values_list("code", flat=True))
    record.follow_ups.filter(done_on__isnull=True).delete()
    log_action(
        actor=actor,
        action="support.record.cancelled",
        obj=record,
        changes={"status": (before, record.status), "follow_ups_dropped": (None, dropped)},
        reason=reason,
        household=record.household,
    )
    return record


@transaction.atomic
def record_follow_up(
    *,
    actor: User,
    follow_up_id: int,
    done_on: datetime.date,
    result: str,
    note: str = "",
    today: datetime.date | None = None,
) -> SupportFollowUp:
    """What the officer found at a follow-up: achieved or not, with a note (required when not achieved)."""
    _require(actor, SUPPORT_RECORD, "ghi hỗ trợ")
    follow_up: SupportFollowUp | None = (
        SupportFollowUp.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("record__household")
        .filter(pk=follow_up_id)
        .first()
    )
    if follow_up is None:
        raise NotFound("Không tìm thấy lần theo dõi.", "follow_up")
    if follow_up.record.status == RecordStatus.CANCELLED:
        raise DomainError("cancelled", "Hỗ trợ này đã bị hủy: không ghi kết quả theo dõi.", "follow_up")
    if result not in FollowUpResult.values:
        raise DomainError("invalid", f"Kết quả “{result}” không hợp lệ (achieved hoặc not_achieved).", "result")
    _check_day(done_on, today or timezone.localdate(), "done_on", "Ngày kiểm tra")
    delivered = follow_up.record.delivered_on
    if delivered and done_on < delivered:
        raise DomainError("before_delivery", f"Ngày kiểm tra trước ngày giao hỗ trợ ({delivered:%d/%m/%Y}).", "done_on")
    note = note.strip()
    if result == FollowUpResult.NOT_ACHIEVED and not note:
        raise DomainError("required", "Không đạt: phải ghi lý do (ví dụ: vật nuôi chết, bán).", "note")
    if follow_up.done_on is not None and not note:
        raise DomainError("required", "Lần theo dõi này đã có kết quả: muốn sửa phải ghi lý do.", "note")
    old = (follow_up.result, follow_up.done_on)
    follow_up.done_on, follow_up.result, follow_up.note, follow_up.checked_by = done_on, result, note, actor
    follow_up.save(update_fields=["done_on", "result", "note", "checked_by"])
    log_action(
        actor=actor,
        action="support.follow_up.recorded",
        obj=follow_up.record,
        changes={
            f"follow_up.{follow_up.code}": (
                None if old[1] is None else f"{old[0]}@{old[1].isoformat()}",
                f"{result}@{done_on.isoformat()}",
            )
        },
        reason=note,
        household=follow_up.record.household,
    )
    return follow_up


# --- loans (Part B §5.3) ------------------------------------------------------------------------------------


@transaction.atomic
def record_loan(
    *,
    actor: User,
    household_id: int,
    principal: int,
    term_months: int,
    disbursed_on: datetime.date,
    purpose: str,
    type_code: str = "",
    annual_rate_bp: int | None = None,
    contract_number: str = "",
    override_reason: str = "",
    note: str = "",
    today: datetime.date | None = None,
) -> Loan:
    """A policy-bank loan the household received, as the bank reported it (the bank is the system of record).
    The credit type defaults from the household's status at disbursement (poor 6.6%, near-poor 7.92%, newly
    escaped 8.25% for at most 5 years); its support record is delivered on the disbursement date."""
    _require(actor, SUPPORT_RECORD, "ghi hỗ trợ")
    household = _locked_household(actor, household_id)
    today = today or timezone.localdate()
    _check_day(disbursed_on, today, "disbursed_on", "Ngày giải ngân")
    if not type_code:
        history = status_history(household.pk)
        status = program_rules.status_on(history, disbursed_on)
        # the newly-escaped window is a setting per benefit (shared/domain.md A5): that of the newly-escaped loan
        # type, else the field's default (the household's own window)
        window = (
            InterventionType.objects.filter(code=rules.credit_type_for("not_poor", True))
            .values_list("newly_escaped_months", flat=True)
            .first()
        )
        months = program_rules.NEWLY_ESCAPED_MONTHS if window is None else window
        newly = rules.newly_escaped_on(history, disbursed_on, months)
        type_code = rules.credit_type_for(status, newly) or ""
        if not type_code:
            raise DomainError(
                "not_eligible",
                f"Ngày {disbursed_on:%d/%m/%Y} hộ không phải hộ nghèo, cận nghèo hay mới thoát nghèo; "
                "hãy chọn chương trình vay.",
                "type",
            )
    intervention_type = _active_type(type_code)
    if intervention_type.kind != Kind.CREDIT:
        raise DomainError("not_credit", f"“{intervention_type.name}” không phải một chương trình tín dụng.", "type")
    if not 1 <= principal <= MAX_AMOUNT:
        raise DomainError("invalid", "Số tiền vay phải là số nguyên dương (đồng), tối đa 10 tỷ.", "principal")
    if not 1 <= term_months <= 360:
        raise DomainError("invalid", "Thời hạn vay phải từ 1 đến 360 tháng.", "term_months")
    if intervention_type.max_term_months and term_months > intervention_type.max_term_months:
        raise DomainError(
            "term_too_long",
            f"{intervention_type.name}: thời hạn vay tối đa {intervention_type.max_term_months} tháng.",
            "term_months",
        )
    rate = intervention_type.annual_rate_bp if annual_rate_bp is None else annual_rate_bp
    if rate is None or not 0 <= rate <= 10_000:
        raise DomainError("invalid", "Lãi suất năm phải từ 0 đến 10.000 phần vạn (0-100%).", "annual_rate_bp")
    purpose = purpose.strip()
    if not purpose:
        raise DomainError("required", "Phải ghi mục đích vay.", "purpose")
    record = _new_record(
        actor=actor,
        household=household,
        intervention_type=intervention_type,
        date=disbursed_on,
        funding_source=FundingSource.POLICY_BANK,
        quantity=1,
        amount=principal,
        cofinancing=0,
        override_reason=override_reason,
        note=note,
        today=today,
    )
    # the bank decided and disbursed: the record is delivered on the disbursement date
    record.status, record.approved_on, record.delivered_on = RecordStatus.DELIVERED, disbursed_on, disbursed_on
    record.save(update_fields=["status", "approved_on", "delivered_on"])
    _schedule_follow_ups(record, disbursed_on)
    loan = Loan.objects.create(
        record=record,
        purpose=purpose[:200],
        principal=principal,
        annual_rate_bp=rate,
        term_months=term_months,
        disbursed_on=disbursed_on,
        maturity_on=rules.loan_maturity(disbursed_on, term_months),
        contract_number=contract_number.strip()[:60],
    )
    log_action(
        actor=actor,
        action="support.loan.recorded",
        obj=record,
        changes={
            "principal": (None, principal),
            "annual_rate_bp": (None, rate),
            "term_months": (None, term_months),
            "maturity_on": (None, loan.maturity_on.isoformat()),
        },
        reason=purpose,
        household=household,
    )
    return loan


@transaction.atomic
def record_repayment(
    *,
    actor: User,
    loan_id: int,
    version: int | None,
    date: datetime.date,
    principal: int,
    interest: int = 0,
    note: str = "",
    today: datetime.date | None = None,
) -> LoanRepayment:
    """A repayment the bank reported: principal lowers the balance; it never exceeds what is owed."""
    _require(actor, SUPPORT_RECORD, "ghi hỗ trợ")
    loan: Loan | None = (
        Loan.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("record__household")
        .filter(pk=loan_id)
        .first()
    )
    if loan is None:
        raise NotFound("Không tìm thấy khoản vay.", "loan")
    if version is not None and version != loan.version:
        raise StaleVersion("Khoản vay đã được người khác cập nhật; hãy tải lại rồi làm lại.")
    _check_day(date, today or timezone.localdate(), "date", "Ngày trả")
    if date < loan.disbursed_on:
        raise DomainError(
            "before_disbursement", f"Ngày trả trước ngày giải ngân ({loan.disbursed_on:%d/%m/%Y}).", "date"
        )
    if not 0 <= interest <= MAX_AMOUNT:
        raise DomainError("invalid", "Tiền lãi phải là số nguyên không âm (đồng).", "interest")
    if not 0 <= principal <= loan.balance:
        raise DomainError(
            "over_balance", f"Tiền gốc phải từ 0 đến dư nợ còn lại ({number(loan.balance)} đồng).", "principal"
        )
    if principal == 0 and interest == 0:
        raise DomainError("invalid", "Phải có tiền gốc hoặc tiền lãi.", "principal")
    repayment = LoanRepayment.objects.create(
        loan=loan, date=date, principal=principal, interest=interest, recorded_by=actor, note=note.strip()[:255]
    )
    before = loan.balance
    loan.repaid += principal
    loan.version += 1
    loan.save(update_fields=["repaid", "version"])
    log_action(
        actor=actor,
        action="support.loan.repaid",
        obj=loan.record,
        changes={"balance": (before, loan.balance), "interest": (None, interest), "date": (None, date.isoformat())},
        reason=note,
        household=loan.record.household,
    )
    return repayment


# --- budgets ------------------------------------------------------------------------------------------------


BUDGET_LEVELS = (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE)


def _line_amounts(area: Area, year: int, project: str, source: str) -> dict[str, int]:
    """The allocations of one budget line in the area's province, by area path."""
    province_path = "/".join(area.path.split("/")[:2]) + "/"
    return dict(
        BudgetAllocation.objects.filter(
            subtree(province_path, "area__path"), year=year, project=project, funding_source=source
        ).values_list("area__path", "amount")
    )


def _nearest_above(path: str, paths: set[str]) -> str | None:
    above = [p for p in paths if p != path and path.startswith(p)]
    return max(above, key=len) if above else None


def budget_problem(path: str, amount: int, amounts: dict[str, int]) -> str | None:
    """Whether setting `amount` at `path` keeps the line adding up: the allocations whose nearest allocated
    area above is the same must not exceed it, and this one must cover those below it."""
    lines = {**amounts, path: amount}
    paths = set(lines)
    parent = _nearest_above(path, paths)
    if parent is not None:
        siblings = sum(v for p, v in lines.items() if _nearest_above(p, paths) == parent)
        if siblings > lines[parent]:
            return (
                f"các địa bàn cấp dưới được giao {number(siblings)} đồng, "
                f"vượt kế hoạch của cấp trên ({number(lines[parent])} đồng)"
            )
    below = sum(v for p, v in lines.items() if _nearest_above(p, paths) == path)
    if below > amount:
        return f"đã giao cho cấp dưới {number(below)} đồng, nhiều hơn {number(amount)} đồng"
    return None


@transaction.atomic
def set_budget(
    *,
    actor: User,
    area_id: int,
    year: int,
    project: str,
    funding_source: str,
    amount: int,
    decision: str = "",
    version: int | None = None,
    create_only: bool = False,
) -> BudgetAllocation:
    """Allocate (or change) the budget of a project and source for an area and year, within the user's scope.
    Allocations below must add up to no more than the envelope above (STYLE: nothing over-committed). With
    `create_only` (an "add" form), an existing line is refused rather than overwritten."""
    _require(actor, SUPPORT_BUDGET, "giao kế hoạch vốn")
    area = scoped_area(actor, area_id)
    if area.level not in BUDGET_LEVELS:
        raise DomainError("invalid_level", "Kế hoạch vốn giao cho tỉnh, huyện hoặc xã.", "area")
    if not 2021 <= year <= 2040:
        raise DomainError("invalid", "Năm phải từ 2021 đến 2040.", "year")
    if project not in Project.values:
        raise DomainError("invalid", f"Dự án “{project}” không hợp lệ.", "project")
    if funding_source not in FundingSource.values:
        raise DomainError("invalid", f"Nguồn vốn “{funding_source}” không hợp lệ.", "funding_source")
    if not 0 <= amount <= 10**15:
        raise DomainError("invalid", "Số tiền phải là số nguyên không âm (đồng).", "amount")
    # one line of one province at a time: lock the province's area row so two allocations cannot race
    Area.objects.select_for_update(no_key=True).filter(pk=area.province_id or area.pk).first()
    budget = (
        BudgetAllocation.objects.select_for_update()
        .filter(area=area, year=year, project=project, funding_source=funding_source)
        .first()
    )
    if budget is not None and create_only:
        raise DomainError(
            "exists", f"Đã có kế hoạch vốn này ({number(budget.amount)} đồng); hãy sửa dòng đó.", "amount"
        )
    if budget is not None and version is not None and version != budget.version:
        raise StaleVersion("Kế hoạch vốn đã được người khác cập nhật; hãy tải lại rồi làm lại.")
    problem = budget_problem(area.path, amount, _line_amounts(area, year, project, funding_source))
    if problem:
        raise DomainError("does_not_add_up", f"Kế hoạch vốn không khớp: {problem}.", "amount")
    if budget is None:
        budget = BudgetAllocation.objects.create(
            area=area,
            year=year,
            project=project,
            funding_source=funding_source,
            amount=amount,
            decision=decision.strip()[:120],
            recorded_by=actor,
        )
        old = None
    else:
        old = budget.amount
        budget.amount, budget.decision, budget.recorded_by = amount, decision.strip()[:120] or budget.decision, actor
        budget.version += 1
        budget.save(update_fields=["amount", "decision", "recorded_by", "version", "updated_at"])
    log_action(
        actor=actor,
        action="support.budget.set",
        obj=budget,
        changes={"amount": (old, amount), "decision": (None, budget.decision)},
    )
    return budget
