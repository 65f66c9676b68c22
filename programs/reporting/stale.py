"""Marking a commune's figures stale: the one call that the writers of surveys and status decisions (standards,
review) make into reporting, in their own transaction. It imports nothing of the subjects, so they can lean on it.

With a worker, the beat's five-minute task refreshes the marked communes. The embedded default has no worker and no
beat (Celery runs tasks eagerly, in the process that queues them): there `ProgramsConfig.ready` plugs the refresh task
into `after_commit`, which runs once the transaction that marked the figures commits, so the figures follow a decision
there as they follow it within minutes with a worker.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from programs.models import StaleFigures
from programs.reporting.rules import FIRST_YEAR


def _nothing() -> object:
    return None


@dataclass
class AfterCommit:
    """What runs after a transaction that marked figures stale has committed (see the module's docstring)."""

    refresh: Callable[[], object] = _nothing


after_commit = AfterCommit()


def _refresh_after_commit() -> None:
    # a transaction of many decisions registers this many times: the first run takes every mark, the others find none
    if StaleFigures.objects.exists():
        after_commit.refresh()


@transaction.atomic
def mark_stale(commune_id: int, day: datetime.date, *, refresh_after_commit: bool = True) -> None:
    """A decision or survey dated `day` changes the commune's figures from that year on (and, for a decision, the
    exit cohorts of the years before: `refresh_stale_figures` goes back for them). Called by services, in their
    transaction.

    The commune's mark stays locked until the caller commits, so a refresh cannot claim it meanwhile and read the
    data without this change (it skips the mark, which the next run takes).

    `refresh_after_commit`: False for a refresh that puts back the marks it failed on (it would only fail again)."""
    year = max(day.year, FIRST_YEAR)
    if refresh_after_commit:
        # robust: the decision stays committed whatever happens to the refresh (which puts the marks back)
        transaction.on_commit(_refresh_after_commit, robust=True)
    mark = StaleFigures.objects.select_for_update(no_key=True).filter(commune_id=commune_id).first()
    if mark is not None:
        if mark.year > year:
            StaleFigures.objects.filter(pk=mark.pk).update(year=year, marked_at=timezone.now())
        return
    StaleFigures.objects.bulk_create([StaleFigures(commune_id=commune_id, year=year)], ignore_conflicts=True)
    # another transaction may have inserted the commune's mark first: keep the earlier year
    StaleFigures.objects.filter(commune_id=commune_id, year__gt=year).update(year=year, marked_at=timezone.now())
