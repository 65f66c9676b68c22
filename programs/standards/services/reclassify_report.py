"""The report of a reclassification or of its what-if (`reclassify.reclassify`): households, changes per commune
and move, the surveys skipped and why."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from households.models import Area


@dataclass
class CommuneReport:
    households: int = 0
    changed: int = 0
    moves: Counter[tuple[str, str]] = field(default_factory=Counter)


@dataclass
class Report:
    standard: str
    households: int = 0
    changed: int = 0
    filled_answers: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)
    by_commune: dict[int, CommuneReport] = field(default_factory=lambda: defaultdict(CommuneReport))
    written: int = 0

    def as_dict(self, names: dict[int, tuple[str, str]]) -> dict[str, Any]:
        return {
            "standard": self.standard,
            "households": self.households,
            "changed": self.changed,
            "unanswered_counted_as_not_deprived": self.filled_answers,
            "skipped": [{"assessment": pk, "reason": why} for pk, why in self.skipped[:100]],
            "written": self.written,
            "communes": [
                {
                    "commune": commune_id,
                    "code": names.get(commune_id, ("", ""))[0],
                    "name": names.get(commune_id, ("", ""))[1],
                    "households": part.households,
                    "changed": part.changed,
                    "moves": [{"from": a, "to": b, "households": n} for (a, b), n in sorted(part.moves.items())],
                }
                for commune_id, part in sorted(
                    self.by_commune.items(), key=lambda item: names.get(item[0], ("", ""))[0]
                )
            ],
        }


def commune_names(report: Report) -> dict[int, tuple[str, str]]:
    return {
        pk: (code, name)
        for pk, code, name in Area.objects.filter(pk__in=report.by_commune).values_list("pk", "code", "name")
    }
