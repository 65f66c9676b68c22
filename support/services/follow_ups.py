"""Reminders of support follow-ups through the review's notifications (`programs.review.services.calendar`).

One notification per commune officer, commune and due date, listing how many follow-ups are due within the
coming days or overdue; unique per (user, kind, target, due date), so a second run sends nothing.
"""

import datetime

from django.db.models import Count

from households.rules import Role
from programs.models import Notification, NotificationKind
from programs.review.services.calendar import notify, users_by_area
from support.models import SupportFollowUp


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
    return notify(rows)
