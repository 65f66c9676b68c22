"""The types of support, reference data of the program administrator: `create_intervention_type`,
`change_intervention_type` (audited), with the fields they set (`INTERVENTION_TYPE_FIELDS`) and those fixed once a
type exists (`FIXED_TYPE_FIELDS`)."""

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from config.errors import DomainError, NotFound
from households.models import User
from households.rules import SUPPORT_MANAGE
from households.services import check_row, log_action
from support.models import InterventionType
from support.services.checks import require

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
    require(actor, SUPPORT_MANAGE, "quản lý loại hỗ trợ")
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
    require(actor, SUPPORT_MANAGE, "quản lý loại hỗ trợ")
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
