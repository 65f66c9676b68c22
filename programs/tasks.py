"""Celery tasks of the review calendar: thin and idempotent, ids and dates in, a service call, counts out.

Each has a management command twin that does the same by hand. A task that fails on a database or broker
hiccup is retried; the data make the retry harmless (see `reminders.py`).
"""

import datetime

from celery import shared_task
from django.db import DatabaseError
from django.utils import timezone

from programs import reminders

RETRY = {"autoretry_for": (DatabaseError,), "retry_backoff": 5, "retry_jitter": True, "max_retries": 5}


def _day(value: str | None) -> datetime.date:
    return datetime.date.fromisoformat(value) if value else timezone.localdate()


@shared_task(**RETRY)
def open_periodic_review(year: int | None = None, all_households: bool = False) -> dict[str, int]:
    """1 September: a campaign for every commune, then the cases in chunks of communes, one task each."""
    year = year or timezone.localdate().year
    communes = reminders.commune_ids()
    campaigns = reminders.open_campaigns(year=year, communes=communes)
    chunks = list(reminders.chunked(communes, reminders.COMMUNE_CHUNK))
    for chunk in chunks:
        open_review_cases.delay(year, chunk, all_households)
    return {"campaigns": campaigns, "chunks": len(chunks)}


@shared_task(**RETRY)
def open_review_cases(year: int, commune_ids: list[int], all_households: bool = False) -> int:
    return reminders.open_cases(year=year, communes=commune_ids, all_households=all_households)


@shared_task(**RETRY)
def send_review_reminders(days: int = 7, today: str | None = None) -> dict[str, int]:
    done = reminders.send_review_reminders(today=_day(today), days=days)
    return {"steps": done.steps, "reports": done.reports, "emailed": done.emailed}


@shared_task(**RETRY)
def escalate_overdue(today: str | None = None) -> dict[str, int]:
    escalated = reminders.escalate_overdue(today=_day(today))
    return {"escalated": escalated, "emailed": reminders.deliver_notifications()}
