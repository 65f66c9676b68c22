"""Support records (domain A8, Part B §5): a support recorded for a household, planned (`record_support`), and the
moves of the record: approve, deliver, cancel. The eligibility rule of its type decides at its date and again at
delivery (`household_at` reads what the rule needs); an ineligible household is refused with the reasons, unless a
user with the right to override writes why. `new_record` is shared with the loans, whose records are supports too.
"""

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from config.errors import DomainError, NotFound, StaleVersion
from households.models import Household, User
from households.rules import SUPPORT_APPROVE, SUPPORT_OVERRIDE, SUPPORT_RECORD
from households.services import log_action
from programs.models import StatusChange
from support import rules
from support.models import FundingSource, InterventionType, Kind, Project, RecordStatus, SupportRecord
from support.services.checks import MAX_AMOUNT, active_type, check_day, locked_household, require
from support.services.follow_ups import schedule_follow_ups


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


def new_record(
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
    require(actor, SUPPORT_RECORD, "ghi hỗ trợ")
    household = locked_household(actor, household_id)
    intervention_type = active_type(type_code)
    if intervention_type.kind == Kind.CREDIT:
        raise DomainError(
            "use_loan", "Khoản vay ưu đãi được ghi ở mục Khoản vay (kèm số tiền, lãi suất, thời hạn).", "type"
        )
    return new_record(
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
    require(actor, SUPPORT_APPROVE, "duyệt hỗ trợ")
    record = _locked_record(actor, record_id, version)
    day = day or timezone.localdate()
    if record.recorded_by_id == actor.pk:
        raise DomainError("own_record", "Người ghi hỗ trợ không tự duyệt hỗ trợ đó.", "actor")
    check_day(day, timezone.localdate(), "approved_on", "Ngày duyệt")
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
    require(actor, SUPPORT_RECORD, "ghi hỗ trợ")
    record = _locked_record(actor, record_id, version)
    check_day(delivered_on, today or timezone.localdate(), "delivered_on", "Ngày giao hỗ trợ")
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
    scheduled = schedule_follow_ups(record, delivered_on)
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
    require(actor, SUPPORT_RECORD, "ghi hỗ trợ")
    record = _locked_record(actor, record_id, version)
    reason = reason.strip()
    if not reason:
        raise DomainError("required", "Phải ghi lý do hủy.", "reason")
    if hasattr(record, "loan"):
        raise DomainError(
            "loan", "Khoản vay do Ngân hàng Chính sách xã hội quản lý; không hủy ở đây, hãy ghi trả nợ.", "status"
        )
    day = day or timezone.localdate()
    check_day(day, timezone.localdate(), "cancelled_on", "Ngày hủy")
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
