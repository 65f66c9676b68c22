"""The audit trail every writer of every app leaves: one entry per change, with who, what (field: old -> new)
and why, written in the writer's own transaction; and Django's own checks of a row of reference data that other
apps' writers edit as whole rows (`check_row`)."""

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models

from config.errors import DomainError
from households.models import AuditEntry, Household, User


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def log_action(
    *,
    actor: User | None,
    action: str,
    obj: models.Model,
    changes: Mapping[str, tuple[Any, Any]] | None = None,
    reason: str = "",
    household: Household | None = None,
) -> AuditEntry:
    """Write one audit entry: who (`actor`), what (`action`, `obj`, `changes` as field -> (old, new)), why."""
    entry = audit_entry(actor=actor, action=action, obj=obj, changes=changes, reason=reason, household=household)
    entry.save()
    return entry


def audit_entry(
    *,
    actor: User | None,
    action: str,
    obj: models.Model,
    changes: Mapping[str, tuple[Any, Any]] | None = None,
    reason: str = "",
    household: Household | None = None,
) -> AuditEntry:
    """The entry `log_action` writes, unsaved: batch services write theirs with one `bulk_create`."""
    return AuditEntry(
        actor=actor,
        action=action,
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        household=household,
        changes={name: [_plain(old), _plain(new)] for name, (old, new) in (changes or {}).items()},
        reason=reason or "",
    )


def check_row(instance: models.Model, *, exclude: Iterable[str] = ()) -> None:
    """Django's own checks of a row about to be written (each field but `exclude`, unique values, the table's
    constraints), for reference data edited as whole rows; the first problem is a DomainError on its field."""
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        name, problems = next(iter(exc.message_dict.items()))
        raise DomainError("invalid", problems[0], None if name == NON_FIELD_ERRORS else name) from exc


def diff_fields(instance: models.Model, data: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The fields of `data` whose value differs from the instance's, as field -> (old, new) for `log_action`."""
    changes = {}
    for name, new in data.items():
        old = getattr(instance, name)
        if _plain(old) != _plain(new):
            changes[name] = (old, new)
    return changes
