"""Read paths of the figures: an area's pre-aggregated figures per year, communes ranked, the breakdowns shown."""

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db.models import Min

from households.models import Area, Ethnicity, subtree
from households.rules import Level
from programs import rules
from programs.models import CommuneYearFigures
from programs.reporting import rules as accounting


def figures_by_year(area: Area, years: Iterable[int]) -> dict[int, Counter[str]]:
    """The figures of an area (any level) per year: the sum of its communes' pre-aggregated rows."""
    rows = CommuneYearFigures.objects.filter(year__in=list(years))
    if area.level == Level.COMMUNE:
        rows = rows.filter(commune=area)
    else:
        rows = rows.filter(subtree(area, "commune__path"))
    tallies: dict[int, Counter[str]] = defaultdict(Counter)
    for year, counts in rows.values_list("year", "counts"):
        tallies[year].update(counts)
    return tallies


def commune_ranking(area: Area, year: int) -> list[dict[str, Any]]:
    """The communes within an area with their counts and rates, the highest poor-household rate first."""
    rows = CommuneYearFigures.objects.filter(year=year, households__gt=0).select_related("commune")
    if area.level == Level.COMMUNE:
        rows = rows.filter(commune=area)
    else:
        rows = rows.filter(subtree(area, "commune__path"))
    ranking = [
        {
            "area": row.commune_id,
            "code": row.commune.code,
            "name": row.commune.name,
            "households": row.households,
            "poor": row.poor,
            "near_poor": row.near_poor,
            "poor_rate": accounting.rate(row.poor, row.households),
            "near_poor_rate": accounting.rate(row.near_poor, row.households),
            "multidimensional_rate": accounting.rate(row.poor + row.near_poor, row.households),
        }
        for row in rows.only("commune_id", "households", "poor", "near_poor", "commune__code", "commune__name")
    ]
    ranking.sort(key=lambda r: (-(r["poor_rate"] or 0), r["code"]))
    return ranking


def computed_at(area: Area, year: int) -> datetime.datetime | None:
    rows = CommuneYearFigures.objects.filter(year=year)
    rows = rows.filter(commune=area) if area.level == Level.COMMUNE else rows.filter(subtree(area, "commune__path"))
    return rows.aggregate(at=Min("computed_at"))["at"]


def _split(counts: Mapping[str, int], prefix: str) -> dict[str, dict[str, int]]:
    """{"eth.01.poor": 3} → {"01": {"poor": 3}} for the keys under a prefix."""
    nested: dict[str, dict[str, int]] = defaultdict(dict)
    for key, value in counts.items():
        if key.startswith(prefix + "."):
            name, _, measure = key[len(prefix) + 1 :].rpartition(".")
            nested[name][measure] = value
    return nested


def _breakdown_row(name: str, label: str, values: Mapping[str, int]) -> dict[str, Any]:
    households = values.get("households", 0)
    return {
        "key": name,
        "label": label,
        "households": households,
        "poor": values.get("poor", 0),
        "near_poor": values.get("near_poor", 0),
        "poor_rate": accounting.rate(values.get("poor", 0), households),
        "near_poor_rate": accounting.rate(values.get("near_poor", 0), households),
    }


NO_CAUSE_LABEL = "chưa ghi nguyên nhân"


def cause_rows(counts: Mapping[str, int]) -> list[dict[str, Any]]:
    """The causes of poverty of the poor and near-poor households (Part B §4.2), in the report's order, each with
    its count and share among the poor and among the near-poor, then the households whose survey ticked none. A
    household may tick several causes, so the counts add up to more than the households. Empty when the figures
    hold no cause at all (none listed, or computed before causes were recorded: a missing key is a zero)."""
    seen = {key.split(".", 2)[2] for key in counts if key.startswith("cause.")}
    if not seen:
        return []
    codes = [*rules.POVERTY_CAUSES, *sorted(seen - set(rules.POVERTY_CAUSES) - {accounting.NO_CAUSE})]
    poor, near_poor = counts.get("poor", 0), counts.get("near_poor", 0)
    return [
        {
            "cause": code,
            "label": NO_CAUSE_LABEL if code == accounting.NO_CAUSE else rules.POVERTY_CAUSES.get(code, code),
            "poor": counts.get(f"cause.poor.{code}", 0),
            "poor_share": accounting.rate(counts.get(f"cause.poor.{code}", 0), poor),
            "near_poor": counts.get(f"cause.near_poor.{code}", 0),
            "near_poor_share": accounting.rate(counts.get(f"cause.near_poor.{code}", 0), near_poor),
        }
        for code in [*codes, accounting.NO_CAUSE]
    ]


def present_figures(
    counts: Mapping[str, int], previous: Mapping[str, int] | None, targets: Sequence[accounting.Target] = ()
) -> dict[str, Any]:
    """The figures of one area and year as the API and the dashboard show them."""
    households, poor, near_poor = counts.get("households", 0), counts.get("poor", 0), counts.get("near_poor", 0)

    def change(measure: str) -> float | None:
        now = accounting.measure_rate(counts, measure)
        before = accounting.measure_rate(previous, measure) if previous else None
        return round(now - before, 2) if now is not None and before is not None else None

    ethnic_names = dict(Ethnicity.objects.values_list("code", "name"))
    groups = _split(counts, "group")
    ethnicities = _split(counts, "eth")
    movements = [accounting.movement(counts, status) for status in ("poor", "near_poor")]
    cohort = accounting.cohort(counts)
    indicators = sorted({key.split(".")[2] for key in counts if key.startswith("dep.")})
    return {
        "households": households,
        "poor": poor,
        "near_poor": near_poor,
        "poor_rate": accounting.rate(poor, households),
        "near_poor_rate": accounting.rate(near_poor, households),
        "multidimensional_rate": accounting.rate(poor + near_poor, households),
        "minority_poor_rate": accounting.measure_rate(counts, "minority_poor"),
        "change": {m: change(m) for m in ("poor", "near_poor", "multidimensional", "minority_poor")},
        "groups": [
            _breakdown_row(name, accounting.GROUP_LABELS[name], groups.get(name, {})) for name in accounting.GROUPS
        ],
        "ethnicities": sorted(
            (_breakdown_row(code, ethnic_names.get(code, code), values) for code, values in ethnicities.items()),
            key=lambda r: (-r["households"], r["key"]),
        ),
        "deprivations": sorted(
            (
                {
                    "indicator": code,
                    "label": rules.INDICATOR_NAMES.get(code, code),
                    "poor": counts.get(f"dep.poor.{code}", 0),
                    "poor_share": accounting.rate(counts.get(f"dep.poor.{code}", 0), poor),
                    "near_poor": counts.get(f"dep.near_poor.{code}", 0),
                    "near_poor_share": accounting.rate(counts.get(f"dep.near_poor.{code}", 0), near_poor),
                    "children": counts.get(f"child_dep.{code}", 0),
                }
                for code in indicators
            ),
            key=lambda r: (-r["poor"], r["indicator"]),
        ),
        "causes": cause_rows(counts),
        "children": {"poor": counts.get("children.poor", 0), "near_poor": counts.get("children.near_poor", 0)},
        "movement": [
            {
                "status": m.status,
                "start": m.start,
                "decreases": [
                    {"key": k, "label": accounting.MOVEMENT_LABELS[k], "count": v} for k, v in m.decreases.items()
                ],
                "increases": [
                    {"key": k, "label": accounting.MOVEMENT_LABELS[k], "count": v} for k, v in m.increases.items()
                ],
                "end": m.end,
                "balances": m.balances,
            }
            for m in movements
        ],
        "exit_cohort": {
            "escaped": cohort.escaped,
            "later": [
                {"after_years": k, "followed": f, "relapsed": r, "relapse_rate": accounting.rate(r, f)}
                for k, (f, r) in enumerate(zip(cohort.followed, cohort.relapsed, strict=True), start=1)
                if f
            ],
        },
        "targets": [
            {
                "measure": check.target.measure,
                "kind": check.target.kind,
                "value": check.target.value,
                "actual": check.actual,
                "on_track": check.on_track,
                "text": check.text,
            }
            for check in (accounting.check_target(t, counts, previous) for t in targets)
        ],
    }
