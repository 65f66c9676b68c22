"""Read paths of support (domain A8, Part B §5): budgets against delivery, targeting lists, outcomes.

Each is a handful of grouped queries over an area's households, never a query per household; the pure
arithmetic (outcome of one household) is in `rules.py`.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, F, Min, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from households.models import Area, Household, subtree
from households.rules import Level
from programs.models import Assessment, StatusChange
from programs.rules import LISTED
from support import rules
from support.models import BudgetAllocation, FundingSource, Project, RecordStatus, SupportRecord

# A support counts in the year it was delivered; one not yet delivered (committed) in the year of its date.
SUPPORT_DAY = Coalesce("delivered_on", "date")

# --- budgets ----------------------------------------------------------------------------------------------


@dataclass
class BudgetLine:
    """One project and source of an area's year: what was allocated (to the area itself, or, if it has no
    envelope of its own, the sum of the envelopes below it), how much of it was passed down, and the budget's
    share (amount less household co-financing) of the supports committed (planned, approved) and delivered."""

    project: str
    funding_source: str
    allocated: int = 0
    distributed: int = 0
    committed: int = 0
    delivered: int = 0
    cofinancing: int = 0

    @property
    def remaining(self) -> int:
        return self.allocated - self.delivered - self.committed

    @property
    def project_label(self) -> str:
        return str(Project(self.project).label)

    @property
    def source_label(self) -> str:
        return str(FundingSource(self.funding_source).label)

    def as_dict(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "project_label": self.project_label,
            "funding_source": self.funding_source,
            "funding_source_label": self.source_label,
            "allocated": self.allocated,
            "distributed": self.distributed,
            "committed": self.committed,
            "delivered": self.delivered,
            "cofinancing": self.cofinancing,
            "remaining": self.remaining,
        }


def _nearest_above(path: str, paths: Iterable[str]) -> str | None:
    above = [p for p in paths if p != path and path.startswith(p)]
    return max(above, key=len) if above else None


def _allocated(area: Area, year: int) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], int]]:
    """Per (project, source): the area's envelope (its own, else the sum of the top envelopes below it) and
    how much of it was allocated to areas below."""
    rows = BudgetAllocation.objects.filter(subtree(area, "area__path"), year=year).values_list(
        "area__path", "project", "funding_source", "amount"
    )
    by_line: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for path, project, source, amount in rows:
        by_line[(project, source)][path] = amount
    allocated, distributed = {}, {}
    for key, amounts in by_line.items():
        if area.path in amounts:
            allocated[key] = amounts[area.path]
            distributed[key] = sum(v for p, v in amounts.items() if _nearest_above(p, amounts) == area.path)
        else:  # no envelope of its own: the top envelopes below it, all passed down
            allocated[key] = distributed[key] = sum(v for p, v in amounts.items() if _nearest_above(p, amounts) is None)
    return allocated, distributed


def _records_in(area: Area) -> QuerySet[SupportRecord]:
    return SupportRecord.objects.filter(household__in=Household.objects.in_area(area))


def budget_summary(area: Area, year: int) -> list[BudgetLine]:
    """Planned against delivered per project and source for an area (any level) and year (of the support date)."""
    allocated, distributed = _allocated(area, year)
    lines: dict[tuple[str, str], BudgetLine] = {}

    def line(key: tuple[str, str]) -> BudgetLine:
        if key not in lines:
            lines[key] = BudgetLine(project=key[0], funding_source=key[1])
        return lines[key]

    for key, amount in allocated.items():
        line(key).allocated = amount
        line(key).distributed = distributed.get(key, 0)
    spent = (
        _records_in(area)
        .annotate(day=SUPPORT_DAY)
        .filter(day__year=year)
        .exclude(status=RecordStatus.CANCELLED)
        .values("intervention_type__project", "funding_source", "status")
        .annotate(total=Sum("amount"), cofin=Sum("cofinancing"))
    )
    for row in spent:
        target = line((row["intervention_type__project"], row["funding_source"]))
        share = row["total"] - row["cofin"]
        if row["status"] == RecordStatus.DELIVERED:
            target.delivered += share
            target.cofinancing += row["cofin"]
        else:
            target.committed += share
    return sorted(lines.values(), key=lambda x: (x.project, x.funding_source))


def budget_by_commune(area: Area, year: int) -> list[dict[str, Any]]:
    """For each commune within the area: its envelope (all projects and sources) and its delivered share."""
    communes = list(
        Area.objects.within(area).filter(level=Level.COMMUNE).order_by("path").values("id", "code", "name", "path")
    )
    own = dict(
        BudgetAllocation.objects.filter(area__in=[c["id"] for c in communes], year=year)
        .values("area_id")
        .annotate(total=Sum("amount"))
        .values_list("area_id", "total")
    )
    delivered = dict(
        SupportRecord.objects.filter(
            household__commune_id__in=[c["id"] for c in communes],
            delivered_on__year=year,
            status=RecordStatus.DELIVERED,
        )
        .values("household__commune_id")
        .annotate(total=Sum(F("amount") - F("cofinancing")))
        .values_list("household__commune_id", "total")
    )
    return [
        {
            "area": c["id"],
            "code": c["code"],
            "name": c["name"],
            "allocated": own.get(c["id"], 0),
            "delivered": delivered.get(c["id"], 0),
        }
        for c in communes
    ]


# --- targeting lists --------------------------------------------------------------------------------------


def latest_assessment(field_name: str = "deprived") -> Subquery:
    """The household's latest current survey (the one its present classification stands on)."""
    return Subquery(
        Assessment.objects.filter(household=OuterRef("pk"), is_current=True)
        .order_by("-survey_date", "-id")
        .values(field_name)[:1]
    )


def targeting(
    households: QuerySet[Household],
    *,
    indicator: str | None,
    statuses: Sequence[str],
    since: datetime.date,
    type_codes: Sequence[str] = (),
) -> QuerySet[Household]:
    """Households in scope with one of `statuses`, deprived in `indicator` on their latest survey (any, if
    None), with no delivered support addressing it since `since` (or, with `type_codes`, of those types)."""
    queryset = households.filter(status__in=list(statuses))
    supports = SupportRecord.objects.filter(
        household=OuterRef("pk"), status=RecordStatus.DELIVERED, delivered_on__gte=since
    )
    if type_codes:
        supports = supports.filter(intervention_type__code__in=list(type_codes))
    if indicator:
        queryset = queryset.annotate(latest_deprived=latest_assessment()).filter(latest_deprived__has_item=indicator)
        if not type_codes:
            supports = supports.filter(intervention_type__addresses__has_item=indicator)
    return queryset.filter(~Exists(supports))


# --- outcomes ---------------------------------------------------------------------------------------------


@dataclass
class OutcomeRow:
    """Of the households first supported (delivered) in the year with this kind of support: how many were poor
    or near-poor then, and of them how many were out of poverty, and off the lists, at the end of each later
    year that has ended; and how many fell back onto a list after leaving it, after the support and by today
    (within the horizon)."""

    key: str
    label: str
    supported: int = 0
    poor: int = 0
    listed: int = 0
    out_of_poverty: dict[int, int] = field(default_factory=dict)  # of the poor: not poor on 31/12
    off_lists: dict[int, int] = field(default_factory=dict)  # of the listed: not poor nor near-poor on 31/12
    relapsed: int = 0
    relapsed_households: list[str] = field(default_factory=list)

    def add(self, result: rules.Outcome, code: str) -> None:
        self.supported += 1
        was_poor = result.status_at_support == "poor"
        was_listed = result.status_at_support in LISTED
        self.poor += was_poor
        self.listed += was_listed
        for year, status in result.status_at.items():
            self.out_of_poverty[year] = self.out_of_poverty.get(year, 0) + (was_poor and status != "poor")
            self.off_lists[year] = self.off_lists.get(year, 0) + (was_listed and status not in LISTED)
        if result.relapsed_after:
            self.relapsed += 1
            self.relapsed_households.append(code)

    def as_dict(self, years: Sequence[int], today: datetime.date | None = None) -> dict[str, Any]:
        """`so_far` marks the year still running: its figures are those of `today`, not of 31 December."""
        return {
            "key": self.key,
            "label": self.label,
            "supported": self.supported,
            "poor_when_supported": self.poor,
            "listed_when_supported": self.listed,
            "by_year": [
                {
                    "year": y,
                    "out_of_poverty": self.out_of_poverty.get(y, 0),
                    "off_lists": self.off_lists.get(y, 0),
                    "so_far": today is not None and today < datetime.date(y, 12, 31),
                }
                for y in years
            ],
            "relapsed": self.relapsed,
            "relapsed_households": sorted(self.relapsed_households),
        }


def outcomes(
    households: QuerySet[Household], year: int, *, horizon: int = 2, today: datetime.date
) -> tuple[list[int], OutcomeRow, list[OutcomeRow]]:
    """Outcomes of the households supported in `year`, for the years after it up to `horizon` that have begun by
    `today` (the running one as it stands today: no status change is dated after today), and the fall-backs
    after the support up to `today` (within the horizon): overall and by
    project. Status history is read in one query for all of them."""
    years = [y for y in range(year + 1, year + horizon + 1) if datetime.date(y, 1, 1) <= today]
    until = min(today, datetime.date(year + horizon, 12, 31))  # fall-backs so far, within the horizon
    first = (
        SupportRecord.objects.filter(household__in=households, status=RecordStatus.DELIVERED, delivered_on__year=year)
        .values("household_id", "intervention_type__project")
        .annotate(first=Min("delivered_on"))
    )
    by_household: dict[int, datetime.date] = {}
    by_project: dict[str, dict[int, datetime.date]] = defaultdict(dict)
    for row in first:
        hid, project, day = row["household_id"], row["intervention_type__project"], row["first"]
        by_household[hid] = min(day, by_household.get(hid, day))
        by_project[project][hid] = min(day, by_project[project].get(hid, day))
    histories: dict[int, list[tuple[datetime.date, str]]] = defaultdict(list)
    for hid, effective, status in (
        StatusChange.objects.filter(household_id__in=list(by_household))
        .order_by("household_id", "effective_date", "id")
        .values_list("household_id", "effective_date", "to_status")
    ):
        histories[hid].append((effective, status))
    codes = dict(Household.objects.filter(pk__in=list(by_household)).values_list("pk", "code"))
    total = OutcomeRow(key="all", label="Tất cả hỗ trợ")
    for hid, day in by_household.items():
        total.add(rules.outcome(histories[hid], day, years, until=until), codes[hid])
    rows = []
    for project in sorted(by_project):
        row = OutcomeRow(key=project, label=str(Project(project).label))
        for hid, day in by_project[project].items():
            row.add(rules.outcome(histories[hid], day, years, until=until), codes[hid])
        rows.append(row)
    return years, total, rows
