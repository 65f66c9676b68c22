"""Pre-aggregating the year's figures per commune (domain Part B §6.2, §4.3).

`refresh_figures` reads each commune's households, status histories, latest surveys and children in a few
queries per chunk of communes, turns each household into a `accounting.HouseholdYear` and stores the
commune's `accounting.tally` per year in `CommuneYearFigures`: a province's figures are then the sum of at
most a few hundred rows. Status decisions and surveys mark their commune stale (`mark_stale`); the beat
task refreshes stale communes every few minutes and every commune nightly. Idempotent: a refresh rewrites
the same rows from the data.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from config.errors import DomainError, StaleVersion
from households.models import Area, Household, Member, User
from households.rules import STATS_MANAGE, Level
from households.selectors import scoped_area
from households.services import log_action
from programs.models import (
    Assessment,
    CommuneYearFigures,
    PovertyTarget,
    StaleFigures,
    StatusChange,
    TargetKind,
    TargetMeasure,
)
from programs.reporting import rules as accounting
from programs.reporting.rules import FIRST_YEAR
from programs.reporting.stale import mark_stale
from programs.standards.derivations import children_born_after

COMMUNE_CHUNK = 50
COHORT_YEARS = 2  # exit cohorts follow the households that escaped for two years (`accounting.household_year`)


def years_to(today: datetime.date, first: int = FIRST_YEAR) -> list[int]:
    return list(range(first, today.year + 1))


def _household_rows(communes: Sequence[int]) -> list[tuple[Any, ...]]:
    return list(
        Household.objects.filter(commune_id__in=communes)
        .order_by("id")
        .values_list(
            "id",
            "commune_id",
            "created_at",
            "is_ethnic_minority",
            "no_labour_capacity",
            "has_revolutionary_contributor",
            "has_social_protection_member",
            "is_female_headed",
            "head__ethnicity_id",
        )
    )


def commune_tallies(communes: Sequence[int], years: Sequence[int], today: datetime.date) -> dict[tuple[int, int], Any]:
    """{(commune, year): counts} for the communes and years, from the data, in a handful of queries."""
    households = _household_rows(communes)
    histories: dict[int, list[tuple[datetime.date, str]]] = defaultdict(list)
    for household_id, effective, status in (
        StatusChange.objects.filter(household__commune_id__in=communes)
        .order_by("household_id", "effective_date", "id")
        .values_list("household_id", "effective_date", "to_status")
        .iterator(chunk_size=20_000)
    ):
        histories[household_id].append((effective, status))
    # (day, deprivations, causes of poverty) of each household's current surveys, in date order
    surveys: dict[int, list[tuple[datetime.date, list[str], list[str]]]] = defaultdict(list)
    for household_id, survey_date, codes, ticked in (
        Assessment.objects.filter(household__commune_id__in=communes, is_current=True)
        .order_by("household_id", "survey_date", "id")
        .values_list("household_id", "survey_date", "deprived", "causes")
        .iterator(chunk_size=20_000)
    ):
        surveys[household_id].append((survey_date, codes, ticked))
    members = Member.objects.filter(household__commune_id__in=communes)
    tallies = {}
    for year in years:
        end = accounting.reference_date(year)
        children = dict(
            members.filter(date_of_birth__gt=children_born_after(end), date_of_birth__lte=end)
            .values("household_id")
            .annotate(n=Count("id"))
            .values_list("household_id", "n")
        )
        per_commune: dict[int, list[accounting.HouseholdYear]] = defaultdict(list)
        for (
            hid,
            commune_id,
            created_at,
            minority,
            no_labour,
            revolutionary,
            protection,
            female,
            ethnicity,
        ) in households:
            history = histories.get(hid, [])
            taken = surveys.get(hid, [])
            first_seen = min(
                [timezone.localtime(created_at).date()] + [d for d, _ in history[:1]] + [d for d, _, _ in taken[:1]]
            )
            deprived: list[str] = []
            causes: list[str] = []
            for survey_date, codes, ticked_causes in taken:
                if survey_date > end:
                    break
                deprived, causes = codes, ticked_causes
            groups = [
                name
                for name, flag in zip(
                    accounting.GROUPS, (minority, no_labour, revolutionary, protection, female), strict=True
                )
                if flag
            ]
            per_commune[commune_id].append(
                accounting.household_year(
                    history,
                    first_seen=first_seen,
                    year=year,
                    later_years=COHORT_YEARS,
                    today=today,
                    groups=groups,
                    ethnicity=ethnicity or "",
                    deprived=deprived,
                    causes=causes,
                    children=children.get(hid, 0),
                )
            )
        for commune_id in communes:
            tallies[(commune_id, year)] = accounting.tally(per_commune.get(commune_id, []))
    return tallies


def refresh_figures(
    *, years: Sequence[int] | None = None, communes: Iterable[int] | None = None, today: datetime.date | None = None
) -> int:
    """Recompute and store the figures of the communes (all official ones if None) for the years (from 2021
    to this year if None). Returns the number of (commune, year) rows written."""
    today = today or timezone.localdate()
    years = list(years) if years is not None else years_to(today)
    # a year to come computed now would store today's lists as that year's figures (and nothing would refresh
    # it again); a year before FIRST_YEAR is kept by nothing either (not the nightly run, not the stale marks)
    outside = [year for year in years if not FIRST_YEAR <= year <= today.year]
    if outside:
        raise DomainError(
            "invalid_year",
            f"Số liệu chỉ tính cho các năm từ {FIRST_YEAR} đến {today.year}, không tính năm {outside[0]}.",
            "years",
        )
    ids = (
        sorted(communes)
        if communes is not None
        else list(Area.objects.filter(level=Level.COMMUNE).order_by("id").values_list("id", flat=True))
    )
    written = 0
    for start in range(0, len(ids), COMMUNE_CHUNK):
        chunk = ids[start : start + COMMUNE_CHUNK]
        tallies = commune_tallies(chunk, years, today)
        now = timezone.now()
        empty = [key for key, counts in tallies.items() if not counts]
        rows = [
            CommuneYearFigures(
                commune_id=commune_id,
                year=year,
                households=counts.get("households", 0),
                poor=counts.get("poor", 0),
                near_poor=counts.get("near_poor", 0),
                counts=dict(counts),
                computed_at=now,
            )
            for (commune_id, year), counts in tallies.items()
            if counts
        ]
        with transaction.atomic():
            for year in years:  # a commune without households has no row (it had some before a move, say)
                gone = [commune_id for commune_id, y in empty if y == year]
                if gone:
                    CommuneYearFigures.objects.filter(year=year, commune_id__in=gone).delete()
            CommuneYearFigures.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["commune", "year"],
                update_fields=["households", "poor", "near_poor", "counts", "computed_at"],
                batch_size=1000,
            )
        written += len(rows)
    return written


def refresh_stale_figures(*, today: datetime.date | None = None, limit: int = 500) -> int:
    """Refresh the communes marked stale, each from its marked year to this year, and the cohort years before it
    (a status decided in year Y changes who relapsed among those who escaped in Y-1 and Y-2).

    The marks are claimed (SKIP LOCKED: a mark held by a decision not yet committed waits for the next run) and
    deleted in a short transaction of their own before the data is read: a mark made during the refresh is a new
    row and survives it, and no decision waits for a refresh. If the refresh fails, the marks are put back."""
    today = today or timezone.localdate()
    with transaction.atomic():
        marks = list(StaleFigures.objects.select_for_update(skip_locked=True).order_by("commune_id")[:limit])
        StaleFigures.objects.filter(pk__in=[m.pk for m in marks]).delete()
    by_year: dict[int, list[int]] = defaultdict(list)
    for mark in marks:
        by_year[max(mark.year - COHORT_YEARS, FIRST_YEAR)].append(mark.commune_id)
    refreshed = 0
    try:
        for year, commune_ids in by_year.items():
            refreshed += refresh_figures(years=range(year, today.year + 1), communes=commune_ids, today=today)
    except Exception:
        for mark in marks:
            mark_stale(mark.commune_id, datetime.date(mark.year, 1, 1), refresh_after_commit=False)
        raise
    return refreshed


TARGET_LEVELS = (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE)


@transaction.atomic
def set_target(
    *,
    actor: User,
    area_id: int,
    year: int,
    measure: str,
    kind: str,
    value: Decimal,
    source: str = "",
    version: int | None = None,
) -> PovertyTarget:
    """Set (or change) a target of an area for a year (Part B §5.1): a rate to stay at or below, or a reduction
    in points against the year before. Within the user's scope; audited."""
    if not actor.has_right(STATS_MANAGE):
        raise DomainError("no_right", "Tài khoản không có quyền đặt mục tiêu giảm nghèo.", "actor")
    area = scoped_area(actor, area_id)
    if area.level not in TARGET_LEVELS:
        raise DomainError("invalid_level", "Mục tiêu đặt cho tỉnh, huyện hoặc xã.", "area")
    if not 2021 <= year <= 2040:
        raise DomainError("invalid", "Năm phải từ 2021 đến 2040.", "year")
    if measure not in TargetMeasure.values:
        raise DomainError("invalid", f"Chỉ tiêu “{measure}” không hợp lệ.", "measure")
    if kind not in TargetKind.values:
        raise DomainError("invalid", f"Loại mục tiêu “{kind}” không hợp lệ.", "kind")
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(100) or value != round(value, 2):
        raise DomainError("invalid", "Giá trị phải từ 0 đến 100, tối đa hai chữ số thập phân.", "value")
    source = source.strip()[:200]
    old_value: Decimal | None = None
    old_source: str | None = None
    target = PovertyTarget.objects.select_for_update().filter(area=area, year=year, measure=measure, kind=kind).first()
    if target is None:
        try:
            with transaction.atomic():
                target = PovertyTarget.objects.create(
                    area=area, year=year, measure=measure, kind=kind, value=value, source=source, recorded_by=actor
                )
        except IntegrityError as exc:  # another planner created the same target a moment ago
            raise StaleVersion("Mục tiêu này vừa được người khác đặt; hãy tải lại rồi sửa.") from exc
    else:
        # STYLE 9: a change names the version the planner saw; without it, an existing target is not overwritten
        if version is None:
            raise StaleVersion(
                f"Mục tiêu này đã được đặt ({target.value:.2f}, phiên bản {target.version}); hãy tải lại rồi sửa "
                "mục tiêu đó."
            )
        if version != target.version:
            raise StaleVersion("Mục tiêu đã được người khác cập nhật; hãy tải lại rồi làm lại.")
        old_value, old_source = target.value, target.source
        target.value, target.source, target.recorded_by = value, source or target.source, actor
        target.version += 1
        target.save(update_fields=["value", "source", "recorded_by", "version"])
    log_action(
        actor=actor,
        action="programs.target.set",
        obj=target,
        changes={  # decimals as text: the audit's JSON has no decimal type
            "value": (None if old_value is None else f"{old_value:.2f}", f"{value:.2f}"),
            "source": (old_source, target.source),
        },
    )
    return target
