"""Batch reclassification of households' latest assessments under another standard, and the what-if report.

A use case spanning a province: bulk reads and writes, no query per household. Each household's latest
current assessment is re-run from its stored facts (member snapshot, dwelling, answers, confirmations)
through the same rule path as a new survey (`services.evaluate`). Writing creates a new assessment under
the new standard that supersedes the old one (never overwritten) and one audit entry per household;
statuses do not change (only a recognition decision changes them).
"""

import datetime
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from config.bulk import copy_rows, model_columns, next_ids
from config.errors import DomainError
from households.models import Area, AuditEntry, Household, User
from programs import rules
from programs.models import Assessment, PovertyStandard
from programs.standards import compiled, derivations, selectors, services
from programs.standards.services import parts
from programs.standards.services.reclassify_report import Report
from programs.standards.services.reclassify_report import commune_names as commune_names

CHUNK = 5_000
# The columns a reclassified assessment copies from the one it supersedes.
COPIED = (
    "household_id",
    "review_year",
    "review_kind",
    "review_month",
    "survey_date",
    "area_type",
    "quick_answers",
    "income_per_capita",
    "point_a",
    "dwelling",
    "member_facts",
    "answers",
    "confirmed",
    "causes",
    "surveyor_id",
    "surveyor_name",
)
# What the batch reads of each latest assessment: what it copies, and what the report and the audit entry need.
FIELDS = ("id", "household__commune_id", "category", "standard__code", *COPIED)


def households_in(actor: User | None, area: Area | None) -> QuerySet[Household]:
    """Households of `area` that `actor` may see; no actor (a command run by hand on the server): all."""
    households = Household.objects.all() if actor is None else Household.objects.visible_to(actor)
    return households if area is None else households.in_area(area)


def _latest(actor: User | None, area: Area | None, fields: Sequence[str] = FIELDS) -> Iterator[dict[str, Any]]:
    """The latest current assessment of each household in scope, streamed (`fields` of it, with its household)."""
    rows = (
        Assessment.objects.filter(is_current=True, household__in=households_in(actor, area))
        .order_by("household_id", "-survey_date", "-id")
        .values(*fields)
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


@dataclass(frozen=True)
class Outcome:
    """A survey re-run under another standard: what the new assessment stores."""

    derived: dict[str, bool | None]
    reconciled: derivations.Reconciled
    result: rules.Classification
    filled: bool  # an indicator had neither a derived value nor an answer: counted as not deprived


def evaluate_row(standard: rules.Standard, row: dict[str, Any]) -> Outcome | str:
    """The reference path: one stored survey re-run in Python under `standard`; a str says why it is skipped."""
    if row["point_a"] is not None and row["income_per_capita"] is None and standard.point_a_max is None:
        return compiled.NO_POINT_A_THRESHOLD.format(code=standard.code)
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
        return exc.message
    filled = any(derived.get(c) is None and answers.get(c) is None for c in standard.indicators)
    return Outcome(derived, reconciled, result, filled)


def reclassify(
    *,
    actor: User | None,
    standard_code: str,
    area: Area | None = None,
    dry_run: bool = True,
    reason: str = "",
    in_sql: bool | None = None,
) -> Report:
    """Re-run the latest assessment of every household in scope under `standard_code`; write unless `dry_run`.

    On PostgreSQL the standard is compiled into one query (`programs.standards.compiled`) that the database evaluates
    over the surveys (`in_sql`, the default there); elsewhere (SQLite) and with `in_sql=False`, each survey is re-run
    in Python (`evaluate_row`), the reference the compiled query is tested against."""
    standard = selectors.standard_rule(standard_code)
    if in_sql is None:
        in_sql = connection.vendor == "postgresql"
    if in_sql:
        return _reclassify_in_sql(actor, standard, area, dry_run, reason)
    report = Report(standard=standard.code)
    pending: list[Pending] = []

    def flush() -> None:
        if not dry_run and pending:
            written, skipped = _write(actor, standard_code, pending, reason)
            report.written += written
            report.skipped += [(pk, SUPERSEDED) for pk in skipped]
        pending.clear()

    with transaction.atomic():
        for row in _latest(actor, area):
            report.households += 1
            outcome = evaluate_row(standard, row)
            if isinstance(outcome, str):
                report.skipped.append((row["id"], outcome))
                continue
            if outcome.filled:
                report.filled_answers += 1
            _count(report, row["household__commune_id"], row["category"], outcome.result.category.value, 1)
            pending.append((row, outcome.reconciled, outcome.result, outcome.derived))
            if len(pending) >= CHUNK:
                flush()
        flush()
    return report


def _count(report: Report, commune_id: int, old: str, new: str, households: int) -> None:
    part = report.by_commune[commune_id]
    part.households += households
    if new != old:
        report.changed += households
        part.changed += households
        part.moves[(old, new)] += households


SUPERSEDED = "phiếu đã được thay bằng phiếu mới trong lúc chạy"


def _scope_sql(actor: User | None, area: Area | None) -> tuple[str, tuple[Any, ...]]:
    """SQL of the ids of the households in scope (the one door: `households_in`)."""
    sql, params = households_in(actor, area).order_by().values("id").query.sql_with_params()
    return sql, tuple(params)


def _summary_sql(relation: str) -> str:
    """The classified surveys `r` summed up per commune and move, the skipped ones per reason (households in order)."""
    return f"""
        SELECT CASE WHEN r.skip IS NULL THEN r.commune_id END, CASE WHEN r.skip IS NULL THEN r.category END,
            CASE WHEN r.skip IS NULL THEN r.new_category END, r.skip, count(*), count(*) FILTER (WHERE r.filled),
            array_agg(r.household_id) FILTER (WHERE r.skip IS NOT NULL),
            array_agg(r.id) FILTER (WHERE r.skip IS NOT NULL)
        FROM {relation}
        GROUP BY 1, 2, 3, 4"""


def _add_summary(report: Report, rows: list[tuple[Any, ...]]) -> None:
    skipped = []
    for commune_id, old, new, skip, households, filled, household_ids, ids in rows:
        report.households += households
        if skip is not None:
            skipped += [(household_id, pk, skip) for household_id, pk in zip(household_ids, ids, strict=True)]
            continue
        report.filled_answers += filled
        _count(report, commune_id, old, new, households)
    report.skipped += [(pk, skip) for _, pk, skip in sorted(skipped)]


# The latest current assessment of each household in scope (no later current one of the same household), and its
# commune; its parameters from `_part`. An anti-join, not DISTINCT ON: each survey stands alone, so the households can
# be cut in parts (household id modulo the number of parts) evaluated at once.
LATEST = """
    SELECT a.*, h.commune_id
    FROM programs_assessment AS a JOIN households_household AS h ON h.id = a.household_id
    WHERE a.is_current AND a.household_id IN ({scope}) AND a.household_id %% %s = %s
    AND NOT EXISTS (
        SELECT FROM programs_assessment AS b
        WHERE b.household_id = a.household_id AND b.is_current AND b.household_id %% %s = %s
        AND (b.survey_date > a.survey_date OR (b.survey_date = a.survey_date AND b.id > a.id))
    )"""


def _part(scope_params: tuple[Any, ...], count: int, number: int) -> tuple[Any, ...]:
    """The parameters of `LATEST` for part `number` of `count`."""
    return (*scope_params, count, number, count, number)


def _what_if(actor: User | None, standard: rules.Standard, area: Area | None) -> list[tuple[Any, ...]]:
    """The dry run's summary rows (`_summary_sql`), the households classified in parts at once (`parts`)."""
    scope, scope_params = _scope_sql(actor, area)
    query = f"WITH src AS ({LATEST.format(scope=scope)}) {_summary_sql(f'({compiled.classification(standard)}) AS r')}"
    count = parts.parts()

    def part(cursor: Any, number: int) -> list[tuple[Any, ...]]:
        cursor.execute(query, _part(scope_params, count, number))
        return list(cursor.fetchall())

    return [row for rows in parts.run(count, part) for row in rows]


def _reclassify_in_sql(
    actor: User | None, standard: rules.Standard, area: Area | None, dry_run: bool, reason: str
) -> Report:
    report = Report(standard=standard.code)
    if dry_run:
        _add_summary(report, _what_if(actor, standard, area))
        return report
    count = parts.parts()
    summary: list[tuple[Any, ...]] = []
    lost: list[tuple[int, int]] = []
    with transaction.atomic(), connection.cursor() as cursor:
        # The query is one long expression per survey: compiling it to machine code (JIT) costs more than it saves.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '256MB'")  # the joins and sorts of the write's 300,000 rows in memory
        _classify(cursor, actor, standard, area, count)
        report.written += _write_in_sql(cursor, actor, standard, reason, summary, lost)
    _add_summary(report, summary)
    report.skipped += [(pk, SUPERSEDED) for _, pk in sorted(lost)]
    return report


# What the write keeps of each classified survey (the columns it copies are read from the survey itself).
CLASSIFIED = ("id", "household_id", "commune_id", "category", "standard_id", "skip", "filled", *compiled.COLUMNS[:-2])


def _classify(cursor: Any, actor: User | None, standard: rules.Standard, area: Area | None, count: int) -> None:
    """The latest survey of each household in scope classified under `standard`, once, into the temporary table
    `reclassified` (dropped at commit), which the write then joins by id; in `count` parts at once (`parts`)."""
    scope, scope_params = _scope_sql(actor, area)
    query = compiled.classification(standard, f"({LATEST.format(scope=scope)})")
    select = f"SELECT {', '.join(CLASSIFIED)} FROM ({query}) AS r"
    # dropped at the outermost commit: a second reclassification in a caller's transaction finds the first's
    cursor.execute("DROP TABLE IF EXISTS reclassified")
    if count == 1:
        cursor.execute(f"CREATE TEMPORARY TABLE reclassified ON COMMIT DROP AS {select}", _part(scope_params, 1, 0))
    else:
        cursor.execute(
            f"CREATE TEMPORARY TABLE reclassified ON COMMIT DROP AS {select} WITH NO DATA", _part(scope_params, 1, 0)
        )
        parts.copy_into(
            cursor, "reclassified", CLASSIFIED, select, lambda number: _part(scope_params, count, number), count
        )
    cursor.execute("ANALYZE reclassified (id, skip)")  # the planner needs its size and how many are skipped


def _write_in_sql(
    cursor: Any,
    actor: User | None,
    standard: rules.Standard,
    reason: str,
    summary: list[tuple[Any, ...]],
    lost: list[tuple[int, int]],
) -> int:
    """Write the classified surveys (`reclassified`) in one statement; how many were written. Adds their summary
    rows (`_summary_sql`) to `summary`, and to `lost` the (household, assessment) superseded meanwhile.

    The old assessments still current are claimed by one conditional UPDATE that also points them at their new
    assessment (ids drawn from the sequence); one still current when the batch read it but superseded since (an
    officer saved a new survey meanwhile) is left alone and reported. The new assessments and their audit entries
    are copied by INSERT … SELECT from what the UPDATE returns: the columns copied unchanged never leave the
    database, and the old rows are read once (joining them again would scan the table, grown by the UPDATE's new
    row versions, and hash every old row)."""
    standard_id = PovertyStandard.objects.values_list("pk", flat=True).get(code=standard.code)
    content_type_id = ContentType.objects.get_for_model(Assessment).pk
    now = timezone.now()
    computed = {
        "derived": "c.new_derived",
        "disagreements": "c.new_disagreements",
        "deprived": "c.new_deprived",
        "deprivation_count": "c.new_deprivation_count",
        "point_b": "c.new_point_b",
        "income_line": "c.new_income_line",
        "category": "c.new_category",
        "reasons": "c.new_reasons",
        "standard_id": "%(standard_id)s",
        "recorded_at": "%(now)s",
        "is_current": "true",
        "superseded_by_id": "NULL",
        "note": "coalesce(nullif(%(reason)s, ''), %(note)s || c.old_id)",
        "id": "c.new_id",
    }
    columns = [c for c in ASSESSMENT_COLUMNS if c in computed or c in COPIED]
    assert set(columns) == set(ASSESSMENT_COLUMNS), set(ASSESSMENT_COLUMNS) - set(columns)
    values = ", ".join(computed.get(c, f"c.{c}") for c in columns)
    # What the UPDATE returns of each claimed survey: the columns copied (as the row was before the UPDATE, which
    # changes none of them), the classification, and what the audit entry says of the old assessment.
    returned = ", ".join(
        [
            "o.id AS old_id",
            "o.superseded_by_id AS new_id",
            *(f"o.{c}" for c in COPIED),
            *(f"r.{c}" for c in compiled.COLUMNS[:-2]),
            "r.category AS old_category",
            "r.standard_id AS old_standard_id",
        ]
    )
    cursor.execute(
        f"""WITH claimed AS (
            UPDATE programs_assessment AS o
            SET is_current = false, superseded_by_id = nextval(pg_get_serial_sequence('programs_assessment', 'id'))
            FROM reclassified AS r WHERE o.id = r.id AND r.skip IS NULL AND o.is_current
            RETURNING {returned}
        ),
        written AS (
            INSERT INTO programs_assessment ({", ".join(columns)})
            SELECT {values} FROM claimed AS c
            RETURNING id
        ),
        audited AS (
            INSERT INTO households_auditentry ({", ".join(AUDIT_COLUMNS)})
            SELECT %(actor)s, %(now)s, 'programs.assessment.reclassified', %(content_type)s, c.new_id::text,
                'Phiếu ' || c.new_id, c.household_id,
                jsonb_build_object(
                    'standard', jsonb_build_array(s.code, %(code)s::text),
                    'category', jsonb_build_array(c.old_category, c.new_category),
                    'supersedes', jsonb_build_array(NULL, c.old_id)
                ),
                %(audit_reason)s
            FROM claimed AS c JOIN programs_povertystandard AS s ON s.id = c.old_standard_id
            RETURNING 1
        )
        SELECT NULL, NULL, NULL, NULL, NULL, (SELECT count(*) FROM written), (SELECT count(*) FROM audited),
            array_agg(r.household_id), array_agg(r.id)
        FROM reclassified AS r LEFT JOIN claimed AS c ON c.old_id = r.id WHERE r.skip IS NULL AND c.old_id IS NULL""",
        {
            "standard_id": standard_id,
            "now": now,
            "reason": reason,
            "note": f"Phân loại lại theo chuẩn {standard.code} từ phiếu ",
            "actor": actor.pk if actor else None,
            "content_type": content_type_id,
            "code": standard.code,
            "audit_reason": reason or "Phân loại lại theo chuẩn khác",
        },
    )
    *_, written, _, household_ids, ids = cursor.fetchone()
    lost += zip(household_ids or (), ids or (), strict=True)
    cursor.execute(_summary_sql("reclassified AS r"))
    summary += cursor.fetchall()
    return int(written)


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
        new_ids = next_ids(Assessment, len(batch))
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
