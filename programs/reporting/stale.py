"""Marking a commune's figures stale: the one call that the writers of surveys and status decisions (standards,
review) make into reporting, in their own transaction. It imports nothing of the subjects, so they can lean on it.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from programs.models import StaleFigures
from programs.reporting.rules import FIRST_YEAR


@transaction.atomic
def mark_stale(commune_id: int, day: datetime.date) -> None:
    """A decision or survey dated `day` changes the commune's figures from that year on (and, for a decision, the
    exit cohorts of the years before: `refresh_stale_figures` goes back for them). Called by services, in their
    transaction.

    The commune's mark stays locked until the caller commits, so a refresh cannot claim it meanwhile and read the
    data without this change (it skips the mark, which the next run takes)."""
    year = max(day.year, FIRST_YEAR)
    mark = StaleFigures.objects.select_for_update(no_key=True).filter(commune_id=commune_id).first()
    if mark is not None:
        if mark.year > year:
            StaleFigures.objects.filter(pk=mark.pk).update(year=year, marked_at=timezone.now())
        return
    StaleFigures.objects.bulk_create([StaleFigures(commune_id=commune_id, year=year)], ignore_conflicts=True)
    # another transaction may have inserted the commune's mark first: keep the earlier year
    StaleFigures.objects.filter(commune_id=commune_id, year__gt=year).update(year=year, marked_at=timezone.now())
