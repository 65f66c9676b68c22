"""The writers of the poverty standards and their indicators (reference data the program administrator sets):
one transaction each, with one audit entry (who, what changed old -> new, why)."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import models, transaction

from config.errors import DomainError, NotFound
from households.models import User
from households.rules import STANDARD_MANAGE
from households.services import check_row, log_action
from programs.models import Indicator, PovertyStandard, StandardIndicator

STANDARD_FIELDS = tuple(
    f.name for f in PovertyStandard._meta.concrete_fields if f.editable and not f.primary_key
)  # code, name, legal basis, validity, lines, thresholds, notes
INDICATOR_FIELDS = ("code", "name", "dimension")


def _require(actor: User) -> None:
    if not actor.has_right(STANDARD_MANAGE):
        raise DomainError("no_right", "Tài khoản không có quyền quản lý chuẩn nghèo.", "actor")


def _values(data: Mapping[str, Any], allowed: Sequence[str], what: str) -> dict[str, Any]:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise DomainError("unknown_field", f"Không có thông tin “{unknown[0]}” của {what}.", unknown[0])
    return dict(data)


def _diff(instance: models.Model, values: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {name: (getattr(instance, name), new) for name, new in values.items() if getattr(instance, name) != new}


def _indicator_rows(standard: PovertyStandard) -> list[str]:
    rows = StandardIndicator.objects.filter(standard=standard).order_by("position", "indicator__code")
    return [f"{position}. {code}" for position, code in rows.values_list("position", "indicator__code")]


def _set_indicators(standard: PovertyStandard, indicators: Sequence[tuple[int, int]]) -> tuple[Any, Any] | None:
    """The standard's indicators become `indicators` ((indicator id, position), ...); (before, after) when they
    changed, else None."""
    ids = [indicator_id for indicator_id, _ in indicators]
    if len(set(ids)) != len(ids):
        raise DomainError("duplicate", "Mỗi chỉ số chỉ gắn một lần vào một chuẩn nghèo.", "indicators")
    if Indicator.objects.filter(pk__in=ids).count() != len(ids):
        raise NotFound("Không tìm thấy chỉ số.", "indicators")
    before = _indicator_rows(standard)
    existing = {row.indicator_id: row for row in StandardIndicator.objects.filter(standard=standard)}
    for indicator_id, position in indicators:
        row = existing.pop(indicator_id, None)
        if row is None:
            StandardIndicator.objects.create(standard=standard, indicator_id=indicator_id, position=position)
        elif row.position != position:
            row.position = position
            row.save(update_fields=["position"])
    StandardIndicator.objects.filter(pk__in=[row.pk for row in existing.values()]).delete()
    after = _indicator_rows(standard)
    return (before, after) if after != before else None


@transaction.atomic
def create_standard(
    *,
    actor: User,
    data: Mapping[str, Any],
    indicators: Sequence[tuple[int, int]] = (),
    reason: str = "",
) -> PovertyStandard:
    """A new poverty standard (`STANDARD_FIELDS`) with its indicators ((indicator id, position), ...)."""
    _require(actor)
    standard = PovertyStandard(**_values(data, STANDARD_FIELDS, "chuẩn nghèo"))
    check_row(standard)
    standard.save()
    changes: dict[str, tuple[Any, Any]] = {name: (None, getattr(standard, name)) for name in data}
    moved = _set_indicators(standard, indicators)
    if moved is not None:
        changes["indicators"] = moved
    log_action(actor=actor, action="programs.standard.created", obj=standard, changes=changes, reason=reason.strip())
    return standard


@transaction.atomic
def change_standard(
    *,
    actor: User,
    standard_id: int,
    data: Mapping[str, Any],
    indicators: Sequence[tuple[int, int]] | None = None,
    reason: str = "",
) -> PovertyStandard:
    """Change a standard's fields (`data`, only those that change) and, when given, its indicators."""
    _require(actor)
    standard = PovertyStandard.objects.select_for_update().filter(pk=standard_id).first()
    if standard is None:
        raise NotFound("Không tìm thấy chuẩn nghèo.")
    changes = _diff(standard, _values(data, STANDARD_FIELDS, "chuẩn nghèo"))
    for name, (_, new) in changes.items():
        setattr(standard, name, new)
    if changes:
        check_row(standard)
        standard.save(update_fields=list(changes))
    moved = _set_indicators(standard, indicators) if indicators is not None else None
    if moved is not None:
        changes["indicators"] = moved
    if changes:
        log_action(
            actor=actor, action="programs.standard.changed", obj=standard, changes=changes, reason=reason.strip()
        )
    return standard


@transaction.atomic
def change_indicator(*, actor: User, indicator_id: int, data: Mapping[str, Any], reason: str = "") -> Indicator:
    """Change an indicator's code, name or dimension (`INDICATOR_FIELDS`)."""
    _require(actor)
    indicator = Indicator.objects.select_for_update().filter(pk=indicator_id).first()
    if indicator is None:
        raise NotFound("Không tìm thấy chỉ số.")
    changes = _diff(indicator, _values(data, INDICATOR_FIELDS, "chỉ số"))
    if not changes:
        return indicator
    for name, (_, new) in changes.items():
        setattr(indicator, name, new)
    check_row(indicator)
    indicator.save(update_fields=list(changes))
    log_action(actor=actor, action="programs.indicator.changed", obj=indicator, changes=changes, reason=reason.strip())
    return indicator
