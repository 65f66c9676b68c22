"""Demo data: one periodic review of a province, surveyed and classified, with the recognised statuses.

For every household of the province without an assessment for the review (year, "periodic", month 0),
`programs.demo` draws a survey; the classification comes from the real rule path (`services.member_facts`,
`services.dwelling_facts`, `services.evaluate` with the standard of `selectors.standard_on`), stored exactly as
`record_assessment` stores it. Poor and near-poor households get a status change on the commune chair's
decision, and the household's caches are updated as `record_status_change` does. One transaction; COPY on
PostgreSQL, `bulk_create`/`bulk_update` on SQLite. On PostgreSQL the drawing and classifying, the Python part,
runs in `--workers` forked processes (the CPU count by default), chunk by chunk, while this process writes each
finished chunk (assessments, status changes, caches) in the households' order: the rows are the same for any
number of workers. The workers read their chunk's members themselves, each on a connection of its own in the
snapshot of this transaction, so that the reading overlaps the drawing instead of coming before it (when the
transaction has written already, as in a test, the members are read here first: other sessions would not see
those rows). Idempotent: households already assessed in the review are skipped, so a second run writes
nothing.
"""

import gc
import json
import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Iterator
from itertools import groupby
from operator import itemgetter
from typing import Any, NamedTuple

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from config.bulk import (
    EMPTY_ARRAY,
    EMPTY_OBJECT,
    JsonText,
    Stopwatch,
    copy_blocks,
    copy_rows,
    copy_text,
    exported_snapshot,
    foreign_keys_validated_after,
    model_columns,
    reading_in,
    reserve_ids,
    vacuum_analyze,
)
from config.formats import number, percent, seconds
from households.models import Area, Household, Member, User
from households.rules import Level, Role
from households.services import log_action
from programs import demo, rules
from programs.models import Assessment, Category, PovertyStandard, ReviewKind, StatusChange
from programs.standards import derivations, selectors, services

SURVEYOR = "canbo_xa_a"
CHAIR = "chutich_xa_a"
SQLITE_BATCH = 2_000
MEMBER_CHUNK = 20_000
# Households per task of the worker processes that draw, classify and format the surveys (PostgreSQL, --workers > 1):
# big enough that a task's overhead (its bytes sent back through a pipe) is small, small enough to keep both busy.
WORKER_CHUNK = 10_000

ASSESSMENT_COLUMNS, JSON_COLUMNS = model_columns(Assessment)
STATUS_COLUMNS = (
    "id",
    "household_id",
    "from_status",
    "to_status",
    "event",
    "effective_date",
    "decision_number",
    "assessment_id",
    "recorded_by_id",
    "recorded_at",
    "reason",
)


class RegistryMember(NamedTuple):
    """A member row with the attributes `services.member_facts` reads."""

    pk: int
    full_name: str
    date_of_birth: Any
    health_insurance_number: str
    health_insurance_valid_until: Any
    schooling: str
    education_level: str
    receives_disability_allowance: bool


MEMBER_FIELDS = (
    "household_id",
    "id",
    "full_name",
    "date_of_birth",
    "health_insurance_number",
    "health_insurance_valid_until",
    "schooling",
    "education_level",
    "receives_disability_allowance",
)


class Command(BaseCommand):
    help = (
        "Tạo dữ liệu demo cho một kỳ rà soát định kỳ: phiếu khảo sát, phân loại hộ (theo đúng quy tắc) và "
        "công nhận hộ nghèo, cận nghèo cho mọi hộ của tỉnh chưa có phiếu của kỳ đó (chạy seed_demo trước)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--province", default="15", help="Mã tỉnh/thành phố (mặc định 15, Lào Cai).")
        parser.add_argument("--year", type=int, default=2025, help="Năm rà soát (mặc định 2025).")
        parser.add_argument("--seed", type=int, default=2026, help="Hạt giống ngẫu nhiên (mặc định 2026).")
        parser.add_argument(
            "--workers",
            type=int,
            default=os.cpu_count() or 1,
            help="Số tiến trình sinh và phân loại phiếu song song (PostgreSQL; mặc định số lõi CPU, 1 = tuần tự). "
            "Cùng hạt giống cho cùng dữ liệu, với bất kỳ số tiến trình nào.",
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        self.stopwatch = Stopwatch()
        self.verbosity = options["verbosity"]
        year, seed = options["year"], options["seed"]
        if options["workers"] < 1:
            raise CommandError("--workers phải từ 1 trở lên.")
        self.workers = options["workers"]
        code = options["province"].strip()
        if code.isdigit():
            code = f"{int(code):02d}"
        province = Area.objects.filter(level=Level.PROVINCE, code=code).first()
        if province is None:
            known = ", ".join(Area.objects.filter(level=Level.PROVINCE).values_list("code", flat=True))
            raise CommandError(f"Không có tỉnh/thành phố mã “{code}”. Các mã hợp lệ: {known or '(chưa có)'}.")
        today = timezone.localdate()
        decided = demo.decision_date(year)
        if year < 2016 or decided > today:
            raise CommandError(
                f"Không tạo được kỳ rà soát {year}: ngày khảo sát và ngày quyết định công nhận "
                f"({decided:%d/%m/%Y}) phải từ 2016 đến hôm nay ({today:%d/%m/%Y})."
            )
        standards = {day: selectors.standard_on(day) for day in demo.survey_days(year)}
        missing = [day for day, standard in standards.items() if standard is None]
        if missing:
            raise CommandError(f"Không có chuẩn nghèo áp dụng ngày {missing[0]:%d/%m/%Y}.")
        surveyor = self._user(SURVEYOR)
        if surveyor is None:
            raise CommandError(
                f"Không có người khảo sát: cần tài khoản “{SURVEYOR}” (chạy seed_demo) hoặc một quản trị chương trình."
            )
        chair = self._user(CHAIR, fallback=False) or surveyor
        self.stopwatch.lap("chuẩn bị")

        with transaction.atomic():
            postgres = connection.vendor == "postgresql"
            if postgres:
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit = off")
                    # A concurrent run (or survey) waits here, then finds the assessments and skips them.
                    cursor.execute(
                        f"LOCK TABLE {Assessment._meta.db_table}, {StatusChange._meta.db_table} "
                        "IN SHARE ROW EXCLUSIVE MODE"
                    )
            result = self._seed(
                province, year=year, seed=seed, standards=standards, surveyor=surveyor, chair=chair, postgres=postgres
            )
        self.stopwatch.lap("commit")
        if result is not None:
            # After the commit (VACUUM cannot run in a transaction): statistics, and the visibility map that the
            # updated households' pages lost, so that counts over them stay index-only scans.
            vacuum_analyze(Assessment, StatusChange, Household)
            self.stopwatch.lap("VACUUM (ANALYZE)")

        elapsed = time.monotonic() - started
        if result is None:
            self.stdout.write(
                f"Mọi hộ của {province.name} đã có phiếu rà soát định kỳ {year}: không ghi gì thêm. "
                f"Xong trong {seconds(elapsed)}."
            )
        else:
            categories, changes, escapes, skipped = result
            total = sum(categories.values()) or 1  # 0 only when no household had members
            shares = ", ".join(
                f"{number(categories[c.value])} {c.label.lower()} ({percent(100 * categories[c.value] / total)})"
                for c in Category
            )
            note = f"; bỏ qua {number(skipped)} hộ chưa có thành viên" if skipped else ""
            self.stdout.write(
                self.style.SUCCESS(
                    f"Rà soát định kỳ {year} ở {province.name}: {number(categories.total())} phiếu — {shares}; "
                    f"{number(changes)} hộ được công nhận nghèo, cận nghèo, {number(escapes)} hộ thoát khỏi danh sách"
                    f"{note}; trong {seconds(elapsed)}."
                )
            )
        if self.verbosity >= 2:
            self.stdout.write(f"Thời gian từng bước: {self.stopwatch}")

    @staticmethod
    def _user(username: str, *, fallback: bool = True) -> User | None:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None and fallback:
            user = (
                User.objects.filter(Q(role=Role.PROGRAM_ADMIN) | Q(is_superuser=True), is_active=True)
                .order_by("id")
                .first()
            )
        return user

    # --- reading ------------------------------------------------------------------------------------

    def _seed(self, province, *, year, seed, standards, surveyor, chair, postgres):
        assessed = Assessment.objects.filter(review_year=year, review_kind=ReviewKind.PERIODIC, review_month=0)
        # NOT EXISTS (an anti-join), not NOT IN: the planner cannot hash a NOT IN over 300,000 ids in work_mem.
        pending = Household.objects.filter(province=province).exclude(Exists(assessed.filter(household=OuterRef("pk"))))
        households = list(
            pending.annotate(has_members=Exists(Member.objects.filter(household=OuterRef("pk"))))
            .order_by("id")
            .values_list(
                "id", "code", "commune__code", "area_type", "is_ethnic_minority", "status", "ever_poor", "has_members"
            )
        )
        if not households:
            return None
        surveyable = [h[:-1] for h in households if h[-1]]
        skipped = len(households) - len(surveyable)
        self.stopwatch.lap(f"đọc {number(len(households))} hộ")
        if not surveyable:
            return Counter(), 0, 0, skipped  # no household with members: nothing written
        parallel = postgres and self.workers > 1 and len(surveyable) > WORKER_CHUNK
        snapshot = exported_snapshot() if parallel else None
        # Each household's member rows as read (household_id first); `_Generation.rows` makes them RegistryMembers, in
        # the workers when there are some. None: the workers read them, in `snapshot`.
        members: dict[int, list[tuple]] | None = None
        if snapshot is None:
            members = {}
            queryset = (
                Member.objects.filter(household__province=province)
                .exclude(Exists(assessed.filter(household=OuterRef("household_id"))))
                .order_by("household_id", "id")
                .values_list(*MEMBER_FIELDS)
            )
            for household_id, group in groupby(_member_rows(queryset, postgres), itemgetter(0)):
                members[household_id] = list(group)
        listed_before = set(
            StatusChange.objects.filter(household__province=province, to_status__in=rules.LISTED)
            .values_list("household_id", flat=True)
            .distinct()
        )
        if members is not None:
            self.stopwatch.lap(f"đọc {number(sum(len(g) for g in members.values()))} thành viên")
        standard_ids = dict(PovertyStandard.objects.values_list("code", "id"))
        now = timezone.now()
        first_assessment = self._reserve(Assessment, len(surveyable), postgres)
        generation = _Generation(
            year=year,
            seed=seed,
            standards=standards,
            standard_ids=standard_ids,
            surveyor_id=surveyor.pk,
            now=now,
        )
        recognition = _Recognition(year=year, seed=seed, chair_id=chair.pk, now=now, listed_before=listed_before)
        # Both tables' foreign keys checked once after the COPY, set-based (config.bulk), not row by row at commit.
        with foreign_keys_validated_after(Assessment, StatusChange):
            if parallel:
                self._write_in_parallel(generation, recognition, surveyable, members, snapshot, first_assessment)
            else:
                assert members is not None
                assessments = generation.rows(surveyable, members, first_assessment)
                if postgres:
                    self._copy(Assessment._meta.db_table, ASSESSMENT_COLUMNS, assessments, json_columns=JSON_COLUMNS)
                else:
                    self._bulk_create(Assessment, ASSESSMENT_COLUMNS, assessments)
                self._label_generation(generation)
                changes, caches = recognition.of(generation.results)
                self._write_changes(changes, postgres)
        self.stopwatch.lap("kiểm tra khóa ngoại")
        if not parallel:
            if postgres:
                self._update_caches_postgres(caches, now)
            else:
                self._update_caches_orm(caches, now)

        log_action(
            actor=None,
            action="programs.demo.reviews_seeded",
            obj=province,
            changes={"assessments": (0, len(surveyable)), "status_changes": (0, recognition.changes)},
            reason="Dữ liệu demo (seed_reviews)",
        )
        categories = Counter(r[-1] for r in generation.results)
        return categories, recognition.changes - recognition.escapes, recognition.escapes, skipped

    # --- writing ------------------------------------------------------------------------------------

    @staticmethod
    def _reserve(model, size: int, postgres: bool) -> int:
        return reserve_ids(model, size)

    def _copy(self, table: str, columns, rows, *, json_columns=()) -> None:
        count = copy_rows(table, columns, rows, json_columns)
        self.stopwatch.lap(f"COPY {table} ({number(count)})")

    def _label_generation(self, generation) -> None:
        label, *rest = self.stopwatch.laps[-1]
        self.stopwatch.laps[-1] = (f"{label} (trong đó sinh và phân loại {seconds(generation.evaluating)})", *rest)

    def _write_changes(self, changes: list[list[Any]], postgres: bool, *, lap: bool = True) -> None:
        if changes:
            first_change = self._reserve(StatusChange, len(changes), postgres)
            for offset, change in enumerate(changes):
                change[0] = first_change + offset
        if postgres:
            count = copy_rows(StatusChange._meta.db_table, STATUS_COLUMNS, changes)
            if lap:
                self.stopwatch.lap(f"COPY {StatusChange._meta.db_table} ({number(count)})")
        else:
            self._bulk_create(StatusChange, STATUS_COLUMNS, changes)

    def _write_in_parallel(self, generation, recognition, households, members, snapshot, first_id: int) -> None:
        """The surveys drawn, classified and formatted for COPY by `self.workers` forked processes, a chunk of
        households each, while this process writes the chunks in their order: the assessments (COPY), then the
        chunk's status changes and household caches, so that PostgreSQL's work overlaps the workers' instead of
        following it. The same rows, ids and order as one process writes (each household draws from its own
        generator; the ids are reserved in the same order), in a fraction of the time on several cores. The
        workers inherit the households read here (copy-on-write) and never touch this process's database
        connection, which stays inside its transaction: each reads its chunk's members on a connection of its own
        in `snapshot` (exported by this transaction: the rows it sees), or, without a snapshot, inherits the
        `members` read here."""
        global _SHARED
        tasks = [
            (start, min(start + WORKER_CHUNK, len(households)), first_id + start)
            for start in range(0, len(households), WORKER_CHUNK)
        ]
        _SHARED = (generation, households, members, snapshot)
        gc.freeze()  # the collector of each worker would otherwise write to (and so copy) every inherited page
        try:
            # Forked before this process starts any thread (the COPY's writer, the pool's own handlers start after).
            with multiprocessing.get_context("fork").Pool(self.workers) as pool:
                for block, results, evaluating in pool.imap(_generate_chunk, tasks):
                    copy_blocks(Assessment._meta.db_table, ASSESSMENT_COLUMNS, [block])
                    generation.results.extend(results)
                    generation.evaluating += evaluating
                    changes, caches = recognition.of(results)
                    self._write_changes(changes, True, lap=False)
                    self._update_caches_postgres(caches, generation.now, lap=False)
        finally:
            _SHARED = None
            gc.unfreeze()
        tables = f"{Assessment._meta.db_table}, {StatusChange._meta.db_table}, UPDATE {Household._meta.db_table}"
        reading = "" if members is not None else ", thành viên đọc trong từng tiến trình"
        self.stopwatch.lap(
            f"COPY {tables} ({number(len(generation.results))}, {number(recognition.changes)}; "
            f"{self.workers} tiến trình{reading})"
        )
        self._label_generation(generation)

    def _bulk_create(self, model, columns, rows) -> None:
        batch = []
        for row in rows:
            values = (json.loads(v) if v.__class__ is JsonText else v for v in row)  # JSON text back to values
            batch.append(model(**dict(zip(columns, values, strict=True))))
            if len(batch) >= SQLITE_BATCH:
                model.objects.bulk_create(batch)
                batch = []
        if batch:
            model.objects.bulk_create(batch)
        self.stopwatch.lap(f"bulk_create {model._meta.db_table}")

    def _update_caches_postgres(self, caches, now, *, lap: bool = True) -> None:
        """The household caches of record_status_change, for all changed households in one UPDATE."""
        if not caches:
            return
        table = Household._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE seed_reviews_status "
                "(id bigint, status varchar(10), since date, ever_poor boolean, left_lists_on date) ON COMMIT DROP"
            )
            columns = "id, status, since, ever_poor, left_lists_on"
            with cursor.copy(f"COPY seed_reviews_status ({columns}) FROM STDIN") as copy:
                for row in caches:
                    copy.write_row(row)
            cursor.execute(
                f"UPDATE {table} h SET status = t.status, status_since = t.since, ever_poor = t.ever_poor, "
                "left_lists_on = coalesce(t.left_lists_on, h.left_lists_on), version = h.version + 1, "
                "updated_at = %s FROM seed_reviews_status t WHERE h.id = t.id",
                [now],
            )
            cursor.execute("DROP TABLE seed_reviews_status")
        if lap:
            self.stopwatch.lap(f"UPDATE {table} ({number(len(caches))})")

    def _update_caches_orm(self, caches, now) -> None:
        for start in range(0, len(caches), SQLITE_BATCH):
            chunk = {row[0]: row for row in caches[start : start + SQLITE_BATCH]}
            households = list(Household.objects.filter(pk__in=chunk))
            for household in households:
                _, household.status, household.status_since, household.ever_poor, left = chunk[household.pk]
                household.left_lists_on = left or household.left_lists_on
                household.version += 1
                household.updated_at = now
            Household.objects.bulk_update(
                households,
                ["status", "status_since", "ever_poor", "left_lists_on", "version", "updated_at"],
                batch_size=SQLITE_BATCH,
            )
        self.stopwatch.lap("bulk_update households_household")


def _chunk_members(snapshot: str, household_ids: list[int]) -> dict[int, list[tuple]]:
    """In a worker: the member rows of these households, as `_member_rows` reads them (same columns, types and
    order), on a connection of the worker's own in the command's snapshot (never on the inherited one)."""
    columns = ", ".join(Member._meta.get_field(name).column for name in MEMBER_FIELDS)
    statement = f"SELECT {columns} FROM {Member._meta.db_table} WHERE household_id = ANY(%s) ORDER BY household_id, id"
    with reading_in(snapshot) as reader:
        rows = reader.execute(statement, [household_ids])
        return {household_id: list(group) for household_id, group in groupby(rows, itemgetter(0))}


def _member_rows(queryset, postgres: bool) -> Iterator[tuple]:
    """The rows of a values_list queryset in chunks; on PostgreSQL from psycopg's own server-side cursor, without
    Django's per-row work (a third of the Python time for 1.2 million members; the values are the same types)."""
    if not postgres:
        yield from queryset.iterator(chunk_size=MEMBER_CHUNK)
        return
    sql, params = queryset.query.sql_with_params()
    connection.ensure_connection()
    with connection.connection.cursor(name="seed_reviews_members") as cursor:
        cursor.itersize = MEMBER_CHUNK
        cursor.execute(sql, params)
        yield from cursor


class _Recognition:
    """The status changes of `record_status_change` for surveyed households (recognised as poor or near-poor, or
    listed and surveyed off the lists: escapes), with the household caches they set; counted as they are made."""

    def __init__(self, *, year, seed, chair_id, now, listed_before):
        self.year, self.seed, self.chair_id, self.now = year, seed, chair_id, now
        self.listed_before = listed_before
        self.decided = demo.decision_date(year)
        self.reason = f"Công nhận theo kết quả rà soát định kỳ năm {year} (dữ liệu demo seed_reviews)"
        self.decisions: dict[str, str] = {}
        self.changes = self.escapes = 0

    def of(self, results) -> tuple[list[list[Any]], list[tuple]]:
        """The status change rows (id to fill) and cache rows of `_Generation.results`."""
        decided, changes, caches = self.decided, [], []
        for household_id, _code, commune_code, status, ever_poor, assessment_id, category in results:
            to_status = rules.status_of(category)
            if to_status == status or (to_status not in rules.LISTED and status not in rules.LISTED):
                continue  # no change, or between two statuses off the lists (nothing to recognise)
            event = rules.status_event(
                status, to_status, listed_before=status in rules.LISTED or household_id in self.listed_before
            )
            decision = self.decisions.get(commune_code)
            if decision is None:
                decision = self.decisions[commune_code] = demo.decision_number(commune_code, self.year, self.seed)
            changes.append(
                [None, household_id, status, to_status, event, decided, decision, assessment_id]
                + [self.chair_id, self.now, self.reason]
            )
            left = decided if status in rules.LISTED and to_status not in rules.LISTED else None  # an escape
            caches.append((household_id, to_status, decided, ever_poor or to_status == "poor", left))
            self.escapes += left is not None
        self.changes += len(changes)
        return changes, caches


# What the forked workers of `Command._write_in_parallel` read: the generation, the households and their members.
_SHARED: tuple[Any, ...] | None = None


def _generate_chunk(task: tuple[int, int, int]) -> tuple[bytes, list[tuple], float]:
    """In a worker: the households [start, stop) drawn and classified, their assessment rows in COPY's text format
    (ids from `first_id`), with the results the status changes are made from and the seconds it took."""
    start, stop, first_id = task
    assert _SHARED is not None
    generation, households, members, snapshot = _SHARED
    chunk = households[start:stop]
    if members is None:
        members = _chunk_members(snapshot, [household[0] for household in chunk])
    generation.results, generation.evaluating = [], 0.0
    block = copy_text(generation.rows(chunk, members, first_id), JSON_COLUMNS)
    return block, generation.results, generation.evaluating


class _Generation:
    """Draws each household's survey and classifies it through the services' rule path, lazily (for COPY)."""

    def __init__(self, *, year, seed, standards, standard_ids, surveyor_id, now):
        self.year, self.seed, self.now = year, seed, now
        self.standards = standards
        self.standard_ids = standard_ids
        self.surveyor_id = surveyor_id
        self.results: list[tuple] = []
        self.evaluating = 0.0
        self._teams: dict[str, tuple[str, ...]] = {}
        self._answered = {
            s.code: tuple(c for c in s.indicators if c not in derivations.DERIVED_INDICATORS)
            for s in standards.values()
        }
        self._lines = {s.code: {str(k): v for k, v in s.poor_line.items()} for s in standards.values()}

    def rows(self, households, members, first_id: int) -> Iterator[tuple]:
        clock = time.monotonic
        standards, year, seed = self.standards, self.year, self.seed
        # the standard of the first survey day: draw() needs its lines before the date is drawn
        opening = standards[demo.window(year)[0]]
        record = self.results.append
        make = RegistryMember._make
        assessment_id = first_id
        periodic = ReviewKind.PERIODIC.value
        for household_id, code, commune_code, area_type, minority, status, ever_poor in households:
            started = clock()
            group = [make(row[1:]) for row in members.pop(household_id)]
            team = self._teams.get(commune_code)
            if team is None:
                team = self._teams[commune_code] = demo.surveyor_names(commune_code, seed)
            survey = demo.draw(
                demo.Household(code=code, commune_code=commune_code, area_type=area_type, is_ethnic_minority=minority),
                [(m.pk, m.date_of_birth) for m in group],
                year=year,
                seed=seed,
                poor_line=self._lines[opening.code],
                answered_indicators=self._answered[opening.code],
                surveyors=team,
            )
            standard = standards[survey.survey_date]
            day = survey.survey_date
            facts, snapshot = services.member_facts(group, survey.extras, day)
            dwelling = services.dwelling_facts(survey.dwelling)
            derived_all = derivations.derive(facts, dwelling, day)
            answers, confirmed = demo.complete(survey, derived_all, standard.indicators)
            derived, reconciled, result = services.evaluate(
                standard,
                area_type=area_type,
                members=facts,
                dwelling=dwelling,
                survey_date=day,
                answers=answers,
                confirmed=confirmed,
                income_per_capita=survey.income_per_capita,
                point_a=None,
                derived_all=derived_all,
            )
            category = result.category.value
            record((household_id, code, commune_code, status, ever_poor, assessment_id, category))
            row = (
                assessment_id,
                household_id,
                self.standard_ids[standard.code],
                year,
                periodic,
                0,
                day,
                area_type,
                EMPTY_OBJECT,  # the empty JSON values as text, not encoded again for each row (config.bulk.JsonText)
                survey.income_per_capita,
                None,
                survey.dwelling,
                snapshot,
                answers,
                derived,
                confirmed or EMPTY_OBJECT,
                [
                    {"indicator": d.indicator, "derived": d.derived, "answered": d.answered, "text": d.describe()}
                    for d in reconciled.disagreements
                ]
                or EMPTY_ARRAY,
                list(result.deprived) or EMPTY_ARRAY,
                demo.causes(code, year, seed, category) or EMPTY_ARRAY,
                result.deprivation_count,
                result.point_b,
                result.income_line,
                category,
                list(result.reasons),
                self.surveyor_id,
                survey.surveyor_name,
                self.now,
                True,
                None,
                "",
            )
            self.evaluating += clock() - started
            yield row
            assessment_id += 1
