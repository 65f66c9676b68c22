"""The follow-ups of a delivered support: scheduled by its kind from the delivery date (`schedule_follow_ups`), the
result an officer found (`record_follow_up`, audited), and the reminders of those due
(`send_follow_up_reminders`).

The reminders go through the review's notifications (`programs.review.services.calendar`): one notification per
commune officer, commune and due date, listing how many follow-ups are due within the coming days or overdue;
unique per (user, kind, target, due date), so a second run sends nothing.
"""

import datetime
import logging

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from config.errors import DomainError, NotFound
from households.models import User
from households.rules import SUPPORT_RECORD, Role
from households.services import log_action
from programs.models import Notification, NotificationKind
from programs.review.services.calendar import notify, users_by_area
from support import rules
from support.models import FollowUpResult, RecordStatus, SupportFollowUp, SupportRecord
from support.services.checks import check_day, require

logger = logging.getLogger("giamngheo.events")  # the events an operator follows (config/logs.py)


def schedule_follow_ups(record: SupportRecord, delivered_on: datetime.date) -> list[SupportFollowUp]:
    return SupportFollowUp.objects.bulk_create(
        [
            SupportFollowUp(record=record, code=f.code, label=f.label, due_on=due)
            for f, due in rules.follow_ups(record.intervention_type.kind, delivered_on)
        ],
        ignore_conflicts=True,
    )


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
    require(actor, SUPPORT_RECORD, "ghi hỗ trợ")
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
    check_day(done_on, today or timezone.localdate(), "done_on", "Ngày kiểm tra")
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


def send_follow_up_reminders(*, today: datetime.date, days: int = 14) -> int:
    """Remind each commune's officers of the follow-ups due by `today + days` and not yet recorded."""
    groups = list(
        SupportFollowUp.objects.filter(done_on__isnull=True, due_on__lte=today + datetime.timedelta(days=days))
        .values("record__household__commune_id", "record__household__commune__name", "due_on")
        .annotate(n=Count("id"))
        .order_by("due_on")
    )
    officers = users_by_area((g["record__household__commune_id"] for g in groups), [Role.COMMUNE_OFFICER])
    rows = []
    for group in groups:
        commune_id, name, due = (
            group["record__household__commune_id"],
            group["record__household__commune__name"],
            group["due_on"],
        )
        late = " (quá hạn)" if due < today else ""
        subject = f"{group['n']} hỗ trợ cần theo dõi kết quả, hạn {due:%d/%m/%Y}{late} — {name}"
        body = (
            f"{name}: {group['n']} lần theo dõi kết quả hỗ trợ (vật nuôi, nhà ở, học nghề, việc làm, vốn vay…) "
            f"đến hạn ngày {due:%d/%m/%Y}. Ghi kết quả trong mục Theo dõi kết quả hỗ trợ."
        )
        rows += [
            Notification(
                user_id=user_id,
                kind=NotificationKind.SUPPORT_FOLLOW_UP,
                target=f"follow-ups:{commune_id}",
                due_on=due,
                area_id=commune_id,
                count=group["n"],
                subject=subject[:255],
                body=body,
            )
            for user_id in officers.get(commune_id, [])
        ]
    created = notify(rows)
    logger.info(
        "follow-up reminders: %s notifications", created, extra={"event": "reminders.follow_ups", "notified": created}
    )
    return created
