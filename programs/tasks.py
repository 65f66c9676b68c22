"""Celery tasks of the review calendar: thin and idempotent, ids and dates in, a service call, counts out.

Each has a management command twin that does the same by hand. A task that fails on a database or broker
hiccup is retried; the data make the retry harmless (see `programs.review.services.calendar`).
"""

import datetime

from celery import shared_task
from django.db import DatabaseError
from django.utils import timezone

from programs.review.services import calendar as reminders

RETRY = {"autoretry_for": (DatabaseError,), "retry_backoff": 5, "retry_jitter": True, "max_retries": 5}


def day_or_today(value: str | None) -> datetime.date:
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
    done = reminders.send_review_reminders(today=day_or_today(today), days=days)
    return {"steps": done.steps, "reports": done.reports, "emailed": done.emailed}


@shared_task(**RETRY)
def escalate_overdue(today: str | None = None) -> dict[str, int]:
    escalated = reminders.escalate_overdue(today=day_or_today(today))
    return {"escalated": escalated, "emailed": reminders.deliver_notifications()}


@shared_task(**RETRY)
def refresh_stale_figures() -> dict[str, int]:
    """Every few minutes: the communes whose figures a decision or a survey made stale."""
    from programs.reporting import services as statistics

    return {"rows": statistics.refresh_stale_figures()}


def refresh_if_no_worker() -> None:
    """After a commit that marked figures stale (`programs.reporting.stale.after_commit`): with eager tasks (the
    embedded default: no broker, no worker, no beat) nothing else would ever run the beat's five-minute refresh, so
    it runs now, in this process; with a worker, the beat takes the marks."""
    if refresh_stale_figures.app.conf.task_always_eager:
        refresh_stale_figures.delay()


@shared_task(**RETRY)
def refresh_figures(years: list[int] | None = None, commune_ids: list[int] | None = None) -> dict[str, int]:
    """Nightly (and on demand): every commune's figures for every year, in chunks of communes."""
    from programs.reporting import services as statistics

    return {"rows": statistics.refresh_figures(years=years, communes=commune_ids)}


@shared_task(**RETRY, soft_time_limit=60 * 30, time_limit=60 * 31)
def build_report(job_id: int) -> dict[str, object]:
    """An official report (domain Part B §6.2): builds the job's workbook with its progress. A finished job is not
    built again; a failure marks the job failed (a database error is also retried)."""
    from programs.reporting.services import report_jobs

    job = report_jobs.build_report(job_id)
    return {"job": job_id, "status": job.status if job is not None else None}
