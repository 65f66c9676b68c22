"""The only writers of support records (domain A8, Part B §5): one transaction each, audited."""

import datetime

from django.db import transaction
from django.utils import timezone

from config.errors import DomainError, NotFound
from households.models import Household, User
from households.rules import SUPPORT_OVERRIDE
from households.services import log_action
from programs.models import StatusChange
from support import rules
from support.models import FundingSource, InterventionType, RecordStatus, SupportRecord

MAX_AMOUNT = 10_000_000_000  # VND: far above any support; keeps typos and overflows out


def household_at(household: Household, intervention_type: InterventionType) -> rules.HouseholdAtDate:
    """What eligibility reads about a household: its status history, its area, what it already received."""
    history = tuple(
        StatusChange.objects.filter(household=household)
        .order_by("effective_date", "id")
        .values_list("effective_date", "to_status")
    )
    in_poor_district = household.commune.is_poor_district or bool(
        household.district_id and household.district and household.district.is_poor_district
    )
    received = tuple(
        SupportRecord.objects.filter(household=household, intervention_type=intervention_type)
        .exclude(status=RecordStatus.CANCELLED)
        .values_list("date", flat=True)
    )
    return rules.HouseholdAtDate(history=history, in_poor_district=in_poor_district, received_on=received)


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
    household: Household | None = (
        Household.objects.visible_to(actor).select_for_update(no_key=True).filter(pk=household_id).first()
    )
    if household is None:
        raise NotFound("Không tìm thấy hộ.", "household")
    intervention_type = InterventionType.objects.filter(code=type_code, active=True).first()
    if intervention_type is None:
        raise DomainError("unknown_type", f"Loại hỗ trợ “{type_code}” không có hoặc không còn áp dụng.", "type")
    if funding_source not in FundingSource.values:
        raise DomainError("invalid", f"Nguồn vốn “{funding_source}” không hợp lệ.", "funding_source")
    if not 1 <= quantity <= 10_000:
        raise DomainError("invalid", "Số lượng phải từ 1 đến 10.000.", "quantity")
    if amount is None:
        amount = intervention_type.default_amount * quantity
    if not 0 <= amount <= MAX_AMOUNT:
        raise DomainError("invalid", "Số tiền phải là số nguyên không âm (đồng).", "amount")
    if not 0 <= cofinancing <= amount:
        raise DomainError("invalid", "Phần hộ đối ứng phải từ 0 đến số tiền hỗ trợ.", "cofinancing")
    if date > (today or timezone.localdate()) + datetime.timedelta(days=366):
        raise DomainError("too_far", "Ngày hỗ trợ quá xa trong tương lai (tối đa một năm).", "date")
    result = rules.check_eligibility(intervention_type.rule(), household_at(household, intervention_type), date)
    override_reason = override_reason.strip()
    if not result.eligible:
        reasons = "; ".join(result.reasons)
        if not override_reason:
            raise DomainError("not_eligible", f"Hộ không đủ điều kiện: {reasons}.", "household")
        if not actor.has_right(SUPPORT_OVERRIDE):
            raise DomainError(
                "no_override_right",
                f"Hộ không đủ điều kiện ({reasons}); chỉ cán bộ có quyền mới được vẫn hỗ trợ.",
                "override_reason",
            )
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
        note=note,
    )
    log_action(
        actor=actor,
        action="support.record.overridden" if not result.eligible else "support.record.created",
        obj=record,
        changes={
            "type": (None, intervention_type.code),
            "date": (None, date.isoformat()),
            "amount": (None, amount),
            "eligible": (None, result.eligible),
            "eligibility": (None, list(result.reasons)),
        },
        reason=override_reason or note,
        household=household,
    )
    return record
