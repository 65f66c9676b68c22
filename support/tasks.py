"""Celery task of support follow-ups: thin and idempotent (see `services/follow_ups.py`); command twin
`send_follow_up_reminders`."""

from celery import shared_task

from programs.review.services.calendar import deliver_notifications
from programs.tasks import RETRY, day_or_today
from support import services


@shared_task(**RETRY)
def send_follow_up_reminders(days: int = 14, today: str | None = None) -> dict[str, int]:
    created = services.send_follow_up_reminders(today=day_or_today(today), days=days)
    return {"reminded": created, "emailed": deliver_notifications()}
