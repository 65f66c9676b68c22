"""Batch reclassification of households' latest assessments under another standard, and the what-if report.

A use case spanning a province: bulk reads and writes, no query per household. Each household's latest
current assessment is re-run from its stored facts (member snapshot, dwelling, answers, confirmations)
through the same rule path as a new survey (`services.evaluate`). Writing creates a new assessment under
the new standard that supersedes the old one (never overwritten) and one audit entry per household;
statuses do not change (only a recognition decision changes them).
"""

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from config.bulk import copy_rows, model_columns
from config.errors import DomainError
from households.models import Area, AuditEntry, Household, User
from programs import rules
from programs.models import Assessment, PovertyStandard
from programs.standards import derivations, selectors, services

CHUNK = 5_000
FIELDS = (
    "id",
    "household_id",
    "household__commune_id",
    "review_year",
    "review_kind",
    "review_month",
    "survey_date",
    "area_type",
    "income_per_capita",
    "point_a",
    "dwelling",
    "member_facts",
    "answers",
    "confirmed",
    "category",
    "quick_answers",
    "surveyor_id",
    "surveyor_name",
    "causes",
    "standard__code",
)


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


def households_in(actor: User | None, area: Area | None) -> QuerySet[Household]:
    """Households of `area` that `actor` may see; no actor (a command run by hand on the server): all."""
    households = Household.objects.all() if actor is None else Household.objects.visible_to(actor)
    return households if area is None else households.in_area(area)


def _latest(actor: User | None, area: Area | None) -> Iterator[dict[str, Any]]:
    """The latest current assessment of each household in scope, streamed."""
    rows = (
        Assessment.objects.filter(is_current=True, household__in=households_in(actor, area))
        .order_by("household_id", "-survey_date", "-id")
        .values(*FIELDS)
        .iterator(chunk_size=CHUNK)
    )
    last = None
    for row in rows:
        if row["household_id"] != last:
            last = row["household_id"]
            yield row


def _facts(row: dict[str, Any]) -> tuple[list[derivations.MemberFacts], derivations.DwellingFacts]:
    members = [
        derivations.MemberFacts(
            date_of_birth=datetime.date.fromisoformat(m["date_of_birth"]),
            has_valid_health_insurance=m["has_valid_health_insurance"],
            schooling=m["schooling"],
            education_level=m["education_level"],
            receives_disability_allowance=m["receives_disability_allowance"],
            stunted=m.get("stunted"),
            underweight=m.get("underweight"),
        )
        for m in row["member_facts"]
    ]
    dwelling = row["dwelling"] or {}
    area = dwelling.get("floor_area_m2")
    return members, derivations.DwellingFacts(
        has_house=dwelling.get("has_house"),
        floor_area_m2=Decimal(str(area)) if area is not None else None,
        foundation_frame_durable=dwelling.get("foundation_frame_durable"),
        walls_durable=dwelling.get("walls_durable"),
        roof_durable=dwelling.get("roof_durable"),
    )


def reclassify(
    *, actor: User | None, standard_code: str, area: Area | None = None, dry_run: bool = True, reason: str = ""
) -> Report:
    """Re-run the latest assessment of every household in scope under `standard_code`; write unless `dry_run`."""
    standard = selectors.standard_rule(standard_code)
    report = Report(standard=standard.code)
    pending: list[tuple[dict[str, Any], derivations.Reconciled, rules.Classification, dict[str, bool | None]]] = []

    def flush() -> None:
        if not dry_run and pending:
            written, skipped = _write(actor, standard_code, pending, reason)
            report.written += written
            report.skipped += [(pk, "phiếu đã được thay bằng phiếu mới trong lúc chạy") for pk in skipped]
        pending.clear()

    with transaction.atomic():
        for row in _latest(actor, area):
            report.households += 1
            if row["point_a"] is not None and row["income_per_capita"] is None and standard.point_a_max is None:
                report.skipped.append((row["id"], f"chuẩn {standard.code} không có ngưỡng điểm A"))
                continue
            members, dwelling = _facts(row)
            answers = {k: v for k, v in (row["answers"] or {}).items() if k in standard.indicators}
            confirmed = {k: v for k, v in (row["confirmed"] or {}).items() if k in standard.indicators}
            try:
                derived, reconciled, result = services.evaluate(
                    standard,
                    area_type=row["area_type"],
                    members=members,
                    dwelling=dwelling,
                    survey_date=row["survey_date"],
                    answers=answers,
                    confirmed=confirmed,
                    income_per_capita=row["income_per_capita"],
                    point_a=row["point_a"],
                    missing_as_not_deprived=True,
                )
            except DomainError as exc:
                report.skipped.append((row["id"], exc.message))
                continue
            if any(derived.get(c) is None and answers.get(c) is None for c in standard.indicators):
                report.filled_answers += 1
            part = report.by_commune[row["household__commune_id"]]
            part.households += 1
            new = result.category.value
            if new != row["category"]:
                report.changed += 1
                part.changed += 1
                part.moves[(row["category"], new)] += 1
            pending.append((row, reconciled, result, derived))
            if len(pending) >= CHUNK:
                flush()
        flush()
    return report


ASSESSMENT_COLUMNS, JSON_COLUMNS = model_columns(Assessment)
AUDIT_COLUMNS = (
    "actor_id",
    "at",
    "action",
    "content_type_id",
    "object_id",
    "object_repr",
    "household_id",
    "changes",
    "reason",
)

Pending = tuple[dict[str, Any], derivations.Reconciled, rules.Classification, dict[str, bool | None]]


def _new_ids(size: int) -> list[int]:
    """`size` fresh ids from the assessments' sequence, safe beside concurrent inserts (no table lock)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('programs_assessment', 'id')) FROM generate_series(1, %s)", [size]
        )
        return [row[0] for row in cursor.fetchall()]


def _write(actor: User | None, standard_code: str, batch: list[Pending], reason: str) -> tuple[int, list[int]]:
    """Write one chunk: the old assessments stop being current, the new ones are copied in, each is audited.

    An assessment superseded since the batch read it (an officer saved a new survey meanwhile) is left
    alone and returned as skipped: the conditional UPDATE claims only rows still current, waiting for
    an officer's open transaction on the same row and re-reading it after.
    """
    standard_id = PovertyStandard.objects.values_list("pk", flat=True).get(code=standard_code)
    wanted = [row["id"] for row, _, _, _ in batch]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE programs_assessment SET is_current = false WHERE id = ANY(%s) AND is_current RETURNING id",
                [wanted],
            )
            claimed = {row[0] for row in cursor.fetchall()}
    else:
        claimed = set(Assessment.objects.filter(pk__in=wanted, is_current=True).values_list("pk", flat=True))
        Assessment.objects.filter(pk__in=claimed).update(is_current=False)
    skipped = [pk for pk in wanted if pk not in claimed]
    batch = [item for item in batch if item[0]["id"] in claimed]
    old_ids = [row["id"] for row, _, _, _ in batch]
    now = timezone.now()
    if not batch:
        return 0, skipped

    def values(
        row: dict[str, Any],
        reconciled: derivations.Reconciled,
        result: rules.Classification,
        derived: dict[str, bool | None],
    ) -> dict[str, Any]:
        return {
            "household_id": row["household_id"],
            "standard_id": standard_id,
            "review_year": row["review_year"],
            "review_kind": row["review_kind"],
            "review_month": row["review_month"],
            "survey_date": row["survey_date"],
            "area_type": row["area_type"],
            "quick_answers": row["quick_answers"],
            "income_per_capita": row["income_per_capita"],
            "point_a": row["point_a"],
            "dwelling": row["dwelling"],
            "member_facts": row["member_facts"],
            "answers": row["answers"],
            "derived": derived,
            "confirmed": row["confirmed"],
            "disagreements": services.disagreement_rows(reconciled),
            "deprived": list(result.deprived),
            "causes": row["causes"],
            "deprivation_count": result.deprivation_count,
            "point_b": result.point_b,
            "income_line": result.income_line,
            "category": result.category.value,
            "reasons": list(result.reasons),
            "surveyor_id": row["surveyor_id"],
            "surveyor_name": row["surveyor_name"],
            "recorded_at": now,
            "is_current": True,
            "note": reason or f"Phân loại lại theo chuẩn {standard_code} từ phiếu {row['id']}",
        }

    if connection.vendor == "postgresql":
        new_ids = _new_ids(len(batch))
        copy_rows(
            "programs_assessment",
            ASSESSMENT_COLUMNS,
            (
                [new_id, *(fields.get(column) for column in ASSESSMENT_COLUMNS[1:])]
                for new_id, fields in zip(new_ids, (values(*item) for item in batch), strict=True)
            ),
            JSON_COLUMNS,
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE programs_assessment AS a SET superseded_by_id = v.new_id "
                "FROM unnest(%s::bigint[], %s::bigint[]) AS v(old_id, new_id) WHERE a.id = v.old_id",
                [old_ids, new_ids],
            )
    else:
        created = Assessment.objects.bulk_create([Assessment(**values(*item)) for item in batch], batch_size=1_000)
        new_ids = [a.pk for a in created]
        old = [Assessment(pk=old_id, superseded_by_id=new_id) for old_id, new_id in zip(old_ids, new_ids, strict=True)]
        Assessment.objects.bulk_update(old, ["superseded_by"], batch_size=1_000)

    content_type_id = ContentType.objects.get_for_model(Assessment).pk
    audit = (
        [
            actor.pk if actor else None,
            now,
            "programs.assessment.reclassified",
            content_type_id,
            str(new_id),
            f"Phiếu {new_id}",
            row["household_id"],
            {
                "standard": [row["standard__code"], standard_code],
                "category": [row["category"], result.category.value],
                "supersedes": [None, row["id"]],
            },
            reason or "Phân loại lại theo chuẩn khác",
        ]
        for new_id, (row, _, result, _) in zip(new_ids, batch, strict=True)
    )
    if connection.vendor == "postgresql":
        copy_rows("households_auditentry", AUDIT_COLUMNS, audit, (AUDIT_COLUMNS.index("changes"),))
    else:
        AuditEntry.objects.bulk_create(
            [AuditEntry(**dict(zip(AUDIT_COLUMNS, entry, strict=True))) for entry in audit], batch_size=1_000
        )
    return len(new_ids), skipped


def commune_names(report: Report) -> dict[int, tuple[str, str]]:
    return {
        pk: (code, name)
        for pk, code, name in Area.objects.filter(pk__in=report.by_commune).values_list("pk", "code", "name")
    }
