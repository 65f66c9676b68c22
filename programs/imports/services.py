"""The Excel round-trip of a commune's households, members and survey results (DESIGN: Excel import of a commune).

`template(commune, user)` writes the workbook an officer downloads: the commune's households ("Hộ"), their
members ("Thành viên") and one blank survey row per household ("Phiếu khảo sát"), with an instructions
sheet and the lists the cells pick from ("Danh mục"). The download holds personal data: it is audited.

`import_workbook(...)` takes the filled workbook back. Every row is read and checked: the cells' own format
here (a date is a date, a choice is in its list, a village of the commune), then the rules through the services
themselves, run in one transaction: `households.services.create_households` and
`programs.standards.services.record_assessments` (the checks of `create_household` and `record_assessment`, with the
lookups done once per file and the rows written in bulk: 5,000 households with their members and surveys in
well under 20 s, bench/import_excel.py), `update_household` and `change_members` for households already
registered, and the registry's `check_member` / `check_heads` so that every wrong row is named, not only the
first. Each problem is kept with its sheet, row, column and a message in Vietnamese. If there is any, the
transaction is rolled back and only a refused `ImportBatch` with the errors is stored; otherwise everything
commits together. The audit entries are the services' own. The SHA-256 of the file's rows (`content_digest`: the
same file saved again by Excel is the same) makes a second upload of a committed file do nothing (the earlier
batch is returned with `duplicate = True`).
"""

import datetime
import hashlib
import io
import logging
import pickle
import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from config.errors import DomainError
from households import services as registry
from households.models import Area, AreaType, Household, Member, Relation, User
from households.rules import ASSESSMENT_RECORD, HOUSEHOLD_CREATE, Level, masked_national_id
from programs import rules
from programs.imports.layout import (
    DWELLING_KEYS,
    HOUSEHOLD,
    HOUSEHOLD_COLUMNS,
    MEMBER,
    REF,
    SHEETS,
    SURVEY,
    FileRefused,
    read_workbook,
)
from programs.imports.rows import (
    HOUSEHOLD_FIELD_COLUMNS,
    MEMBER_HEADERS,
    SURVEY_FIELD_COLUMNS,
    Errors,
    HouseholdRow,
    Plan,
    SurveyRow,
    read_plan,
)
from programs.imports.template import render_template
from programs.models import ImportBatch, ImportStatus, ReviewCampaign, ReviewKind
from programs.rules import INDICATOR_NAMES
from programs.standards import selectors, services

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REASON = "Nhập từ Excel"


# --- who may ------------------------------------------------------------------------------------------------

# The events an operator follows (config/logs.py): counts and ids, never a name.
events = logging.getLogger("giamngheo.events")


def check_access(user: User, commune: Area | None) -> Area:
    """The commune is a commune within the user's area, and she may register households and record surveys."""
    if not (user.has_right(HOUSEHOLD_CREATE) and user.has_right(ASSESSMENT_RECORD)):
        raise DomainError("no_right", "Tài khoản không có quyền nhập hộ và phiếu khảo sát từ Excel.", "commune")
    if commune is None or commune.level != Level.COMMUNE:
        raise DomainError("not_a_commune", "Phải chọn một xã/phường/đặc khu.", "commune")
    if not user.is_in_charge_of(commune):
        raise DomainError("out_of_scope", f"“{commune.name}” nằm ngoài địa bàn bạn phụ trách.", "commune")
    return commune


def _commune(user: User, commune_id: int) -> Area:
    commune = Area.objects.filter(pk=commune_id, level=Level.COMMUNE).first() if 0 < commune_id < 2**63 else None
    if commune is None:
        raise DomainError("unknown_area", f"Không có xã/phường với id {commune_id}.", "commune")
    return check_access(user, commune)


# --- the template ---------------------------------------------------------------------------------------------


TEMPLATE_RESOURCE = "Mẫu Excel nhập hộ của xã (các hộ và thành viên)"  # as the access log names the download


def template_filename(commune: Area) -> str:
    return f"nhap-ho-{commune.code}-{timezone.localdate():%Y%m%d}.xlsx"


def template(commune: Area, user: User, *, today: datetime.date | None = None) -> bytes:
    """The workbook to fill in, prefilled with the commune's households and members; the download is audited.

    The survey sheet asks for the indicators of the standard its surveys will use: the one of the commune's
    periodic review of the year if it is open, else the one in force `today`."""
    check_access(user, commune)
    today = today or timezone.localdate()
    households = list(
        Household.objects.visible_to(user)
        .filter(commune=commune)
        .select_related("village", "head")
        .prefetch_related("members")
        .order_by("code", "id")
    )
    campaign = ReviewCampaign.objects.filter(area=commune, year=today.year, kind=ReviewKind.PERIODIC, month=0)
    code = campaign.values_list("standard__code", flat=True).first()
    standard = selectors.standard_rule(code) if code else selectors.standard_on(today)
    indicators = standard.indicators if standard else tuple(INDICATOR_NAMES)
    villages = list(
        Area.objects.filter(parent=commune, level=Level.VILLAGE).order_by("name").values_list("name", flat=True)
    )
    about = f"Phiếu khảo sát theo chuẩn {standard.code}: {standard.name}." if standard else ""
    content = render_template(commune, households, villages, indicators, about)
    registry.log_action(
        actor=user,
        action="programs.import.template_downloaded",
        obj=commune,
        changes={
            "households": (None, len(households)),
            "members": (None, sum(len(h.members.all()) for h in households)),
        },
        reason="Tải mẫu Excel nhập hộ và phiếu khảo sát (có dữ liệu cá nhân)",
    )
    return content


# --- writing, through the services ----------------------------------------------------------------------------

_MEMBER_PREFIX = re.compile(r"^Thành viên thứ [0-9]+: ")


def _same(instance: models.Model, name: str, value: Any) -> bool:
    model_field = instance._meta.get_field(name)  # a field of the row (HOUSEHOLD_FIELDS, MEMBER_FIELDS)
    stored: object
    wanted: object
    if isinstance(model_field, models.Field) and model_field.is_relation:
        stored, wanted = getattr(instance, model_field.attname), (value.pk if value is not None else None)
    else:
        stored, wanted = getattr(instance, name), value
    return stored == wanted


def _member_problems(
    actor: User, entry: HouseholdRow, errors: Errors, clashes: Mapping[str, Member] | None = None
) -> int:
    """Each member row through the registry's own check, so that every wrong row is named, not only the first."""
    found = 0
    for member in entry.members:
        if not member.ok:
            continue
        try:
            registry.check_member(member.data, actor=actor, member_id=member.member_id, clashes=clashes)
        except DomainError as exc:
            errors.add(MEMBER, member.row, MEMBER_HEADERS.get(exc.field or "", ""), exc.message)
            found += 1
    return found


def _heads_problem(entry: HouseholdRow, errors: Errors) -> None:
    if any("relation" not in m.data for m in entry.members) or (entry.code and not entry.members):
        return  # a relation not read (its own error says so); a household registered keeps its members if none
    listed = {m.member_id for m in entry.members}
    relations = [m.data.get("relation", "") for m in entry.members]
    if entry.existing is not None:
        relations += [m.relation for m in entry.existing.members.all() if m.pk not in listed]
    try:
        registry.check_heads(relations)
    except DomainError as exc:
        _locate(entry, exc, errors)


def _locate(entry: HouseholdRow, exc: DomainError, errors: Errors) -> None:
    """Where a household service's error belongs: the member row and column it names, else the household row."""
    field_name = exc.field or ""
    if field_name.startswith("members[") and "]." in field_name:
        index, _, name = field_name[len("members[") :].partition("].")
        if index.isdigit() and int(index) < len(entry.members):
            message = _MEMBER_PREFIX.sub("", exc.message)  # the row says which member
            errors.add(MEMBER, entry.members[int(index)].row, MEMBER_HEADERS.get(name, ""), message)
            return
    if field_name == "members" and not entry.members and exc.code == "no_head":
        message = f"Hộ chưa có thành viên nào: ghi từng người ở trang “{MEMBER}”, cột “{REF.header}” là {entry.number}."
        errors.add(HOUSEHOLD, entry.row, HOUSEHOLD_COLUMNS[0].header, message)
        return
    if field_name == "members" and entry.members:
        for row, column in _rows_concerned(entry, exc.code):
            errors.add(MEMBER, row, column, exc.message)
        return
    errors.add(HOUSEHOLD, entry.row, HOUSEHOLD_FIELD_COLUMNS.get(field_name, ""), exc.message)


def _rows_concerned(entry: HouseholdRow, code: str) -> list[tuple[int, str]]:
    """The member rows (and column) a household-wide error of its members is about: the heads when there are
    two, the later rows of a national ID written twice, else the household's first member row."""
    if code == "two_heads":
        heads = [m.row for m in entry.members if m.data.get("relation") == Relation.HEAD]
        if heads:
            return [(row, MEMBER_HEADERS["relation"]) for row in heads]
    if code == "duplicate_national_id":
        seen: set[str] = set()
        again = []
        for m in entry.members:
            national_id = m.data.get("national_id")
            if national_id in seen:
                again.append((m.row, MEMBER_HEADERS["national_id"]))
            elif national_id:
                seen.add(national_id)
        return again or [(entry.members[0].row, MEMBER_HEADERS["national_id"])]
    return [(entry.members[0].row, MEMBER_HEADERS["relation"])]


def _update_household(actor: User, entry: HouseholdRow, counts: Counter[str]) -> None:
    """An existing household: its changed fields and members through the services (nothing if unchanged)."""
    household = entry.household = entry.existing
    assert household is not None
    changes = {name: value for name, value in entry.data.items() if not _same(household, name, value)}
    current = {m.pk: m for m in household.members.all()}
    creates: list[Mapping[str, Any]] = [m.data for m in entry.members if m.member_id is None]
    updates: dict[int, Mapping[str, Any]] = {
        m.member_id: m.data
        for m in entry.members
        if m.member_id is not None and not all(_same(current[m.member_id], k, v) for k, v in m.data.items())
    }
    if not (changes or creates or updates):
        return
    assert entry.version is not None  # `read_plan` refuses the row of a registered household without its version
    version: int | None = entry.version
    with transaction.atomic():
        if changes:
            registry.update_household(
                actor=actor, household_id=household.pk, expected_version=entry.version, data=changes, reason=REASON
            )
            version = None  # checked just now, and locked until the import commits
            counts["households_updated"] += 1
        if creates or updates:
            registry.change_members(
                actor=actor,
                household_id=household.pk,
                changes=registry.MemberChanges(create=creates, update=updates),
                expected_version=version,
                reason=REASON,
            )
            counts["members_created"] += len(creates)
            counts["members_updated"] += len(updates)


def _survey_arguments(household: Household | None, values: dict[str, Any]) -> dict[str, Any]:
    answers = {key.split(":", 1)[1]: v for key, v in values.items() if key.startswith("answer:") and v is not None}
    return {
        "household_id": household.pk if household is not None else None,
        "survey_date": values["survey_date"],
        "review_year": values["review_year"],
        "review_kind": values.get("review_kind") or ReviewKind.PERIODIC,
        "review_month": values.get("review_month") or 0,
        "income_per_capita": values.get("income_per_capita"),
        "point_a": values.get("point_a"),
        "dwelling": {key: values[key] for key in DWELLING_KEYS if values.get(key) is not None},
        "answers": answers,
        "confirmed": dict(answers) if values.get("keep_answers") else {},
        "causes": list(values.get("causes") or ()),
        "surveyor_name": values.get("surveyor_name") or "",
        "note": values.get("note") or "",
    }


class _SurveyContext:
    """What checking the surveys of refused households needs, fetched once: the standards, the commune's reviews."""

    def __init__(self, commune: Area):
        self.standards = {standard.code: standard for standard in selectors.all_standard_rules()}
        campaigns = ReviewCampaign.objects.filter(area=commune).values_list("year", "kind", "month", "standard__code")
        self.campaigns = {(year, kind, month): code for year, kind, month, code in campaigns}


def _review_problem(survey: SurveyRow, errors: Errors, today: datetime.date, context: _SurveyContext) -> None:
    """The checks of a survey that do not need its household's members, for a household whose rows are refused:
    its date and review, the indicators of its standard, the dwelling, the income or Point A."""
    arguments = _survey_arguments(None, survey.values)
    review = (arguments["review_year"], arguments["review_kind"], arguments["review_month"])
    try:
        services.check_review(arguments["survey_date"], *review, today)
        code = context.campaigns.get(review)
        standard = services.survey_standard(code, arguments["survey_date"], context.standards)
        rules.check_indicators(standard, arguments["answers"], "answers")
        services.dwelling_facts(arguments["dwelling"])
        rules.classify(
            standard,
            area_type=AreaType.RURAL,  # any: the line is not what is checked here
            deprived=(),
            income_per_capita=arguments["income_per_capita"],
            point_a=arguments["point_a"],
        )
    except (DomainError, rules.RuleInputError) as exc:
        errors.add(SURVEY, survey.row, SURVEY_FIELD_COLUMNS.get(exc.field or "", ""), exc.message)


def _national_ids_twice(plan: Plan, failed: list[HouseholdRow], errors: Errors) -> None:
    """A national ID of a refused household's member written twice in the file, in that household or another
    (`create_households` says it for the households it is given, not for those refused before)."""
    rows: dict[str, list[tuple[int, HouseholdRow]]] = {}
    for entry in plan.households:
        for member in entry.members:
            if member.data.get("national_id"):
                rows.setdefault(member.data["national_id"], []).append((member.row, entry))
    for entry in failed:
        for member in entry.members:
            national_id = member.data.get("national_id")
            holders = rows.get(national_id or "", [])
            same = [row for row, owner in holders if owner is entry and row < member.row]
            other = [row for row, owner in holders if owner is not entry]
            shown = masked_national_id(national_id or "")
            if same:
                message = f"Số CCCD {shown} bị nhập hai lần trong cùng hộ (dòng {same[0]})."
                errors.add(MEMBER, member.row, MEMBER_HEADERS["national_id"], message)
            elif other:
                message = f"Số CCCD {shown} trùng với thành viên của hộ khác trong tệp (dòng {other[0]})."
                errors.add(MEMBER, member.row, MEMBER_HEADERS["national_id"], message)


def _write(actor: User, commune: Area, plan: Plan, errors: Errors, today: datetime.date) -> Counter[str]:
    """Every row through its service, in the caller's transaction: new households and the surveys in batches
    (`create_households`, `record_assessments`: the same checks, lookups and writes in bulk), changes to
    existing households one by one. A refused row is noted and the others still checked."""
    counts: Counter[str] = Counter()
    failed = [e for e in plan.households if e.failed]
    clashes = registry.national_id_holders(m.data.get("national_id") for e in failed for m in e.members)
    _national_ids_twice(plan, failed, errors)
    for entry in failed:  # the services are not called for them: their checks still name every wrong row
        _member_problems(actor, entry, errors, clashes)
        _heads_problem(entry, errors)
    new = [e for e in plan.households if e.existing is None and not e.failed]
    items: list[tuple[Mapping[str, Any], list[Mapping[str, Any]]]] = [
        ({**e.data, "commune": commune}, [m.data for m in e.members]) for e in new
    ]
    for entry, created in zip(new, registry.create_households(actor=actor, items=items, reason=REASON), strict=True):
        if isinstance(created, Household):
            entry.household = created
            counts["households_created"] += 1
            counts["members_created"] += len(entry.members)
            continue
        entry.ok = False
        for exc in created:
            _locate(entry, exc, errors)
    for entry in plan.households:
        if entry.existing is None or entry.failed:
            continue
        try:
            _update_household(actor, entry, counts)
        except DomainError as exc:
            entry.ok = False
            named = _member_problems(actor, entry, errors)
            if not (named and (exc.field or "") in MEMBER_HEADERS):
                _locate(entry, exc, errors)
    surveys = []
    context = None
    for survey in plan.surveys:
        target = survey.target
        if isinstance(target, HouseholdRow):
            if target.failed or target.household is None:
                context = context or _SurveyContext(commune)
                _review_problem(survey, errors, today, context)  # the household's rows say the rest
                continue
            target = target.household
        surveys.append((survey, _survey_arguments(target, survey.values)))
    results = services.record_assessments(actor=actor, surveys=[arguments for _, arguments in surveys], today=today)
    for (survey, _), result in zip(surveys, results, strict=True):
        if isinstance(result, DomainError):
            errors.add(SURVEY, survey.row, SURVEY_FIELD_COLUMNS.get(result.field or "", ""), result.message)
        else:
            counts["assessments"] += 1
    return counts


# --- the upload -----------------------------------------------------------------------------------------------


class _Refused(Exception):
    pass


def content_digest(sheets: dict[str, list[tuple[int, dict[str, Any]]]]) -> str:
    """SHA-256 of what the file says, row by row, rather than of its bytes: the same file opened and saved again
    in Excel has other bytes (its timestamps, its shared strings), and would otherwise be imported twice."""
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=5)
    pickler.fast = True  # no memo: equal values give equal bytes, whether or not they are the same objects
    pickler.dump([[record for _, record in sheets[sheet]] for sheet in SHEETS])
    return hashlib.sha256(out.getbuffer()).hexdigest()


def _earlier(commune: Area, *digests: str) -> ImportBatch | None:
    batches = ImportBatch.objects.filter(commune=commune, sha256__in=digests, status=ImportStatus.COMMITTED)
    batch: ImportBatch | None = batches.order_by("uploaded_at", "id").first()
    if batch is not None:
        batch.duplicate = True
    return batch


def duplicate_message(batch: ImportBatch) -> str:
    when = timezone.localtime(batch.uploaded_at)
    return f"Tệp này đã được nhập lúc {when:%H:%M %d/%m/%Y} (lần nhập số {batch.pk}); lần này không ghi gì thêm."


def import_workbook(
    *, actor: User, commune_id: int, file_bytes: bytes, filename: str, today: datetime.date | None = None
) -> ImportBatch:
    """Check every row of the workbook, then write them all in one transaction, or nothing and the errors."""
    today = today or timezone.localdate()
    commune = _commune(actor, int(commune_id))
    filename = (str(filename or "").replace("\\", "/").rsplit("/", 1)[-1] or "tep.xlsx")[:200]
    digest = hashlib.sha256(file_bytes).hexdigest()  # of the bytes, until the rows are read

    def refused(rows: int, report: list[dict[str, Any]]) -> ImportBatch:
        batch = ImportBatch.objects.create(
            commune=commune,
            uploaded_by=actor,
            filename=filename,
            sha256=digest,
            status=ImportStatus.REFUSED,
            rows=rows,
            errors=report,
        )
        batch.duplicate = False
        events.info(
            "import refused in commune %s: %s errors",
            commune.pk,
            len(report),
            extra={"event": "import.refused", "batch": batch.pk, "commune_id": commune.pk, "errors": len(report)},
        )
        return batch

    try:
        sheets = read_workbook(file_bytes)
    except FileRefused as exc:
        return refused(0, exc.errors)
    file_digest, digest = digest, content_digest(sheets)
    earlier = _earlier(commune, digest, file_digest)  # (batches committed before the digest was of the rows)
    if earlier is not None:
        return earlier
    rows = sum(len(found) for found in sheets.values())
    errors = Errors()
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    # first: a second upload of this file running now waits here, then finds it committed
                    batch = ImportBatch.objects.create(
                        commune=commune,
                        uploaded_by=actor,
                        filename=filename,
                        sha256=digest,
                        status=ImportStatus.COMMITTED,
                        rows=rows,
                    )
            except IntegrityError:
                earlier = _earlier(commune, digest)
                if earlier is None:
                    raise
                return earlier
            plan = read_plan(actor, commune, sheets, errors)
            counts = _write(actor, commune, plan, errors, today)
            if errors:
                raise _Refused
            batch.created = {key: counts.get(key, 0) for key in CREATED_KEYS}
            batch.save(update_fields=["created"])
            events.info(
                "import %s applied in commune %s: %s",
                batch.pk,
                commune.pk,
                ", ".join(f"{value} {key}" for key, value in batch.created.items()),
                extra={"event": "import.applied", "batch": batch.pk, "commune_id": commune.pk, "rows": rows}
                | batch.created,
            )
            registry.log_action(
                actor=actor,
                action="programs.import.committed",
                obj=batch,
                changes={key: (None, value) for key, value in batch.created.items()},
                reason=filename,
            )
    except _Refused:
        return refused(rows, errors.report())
    batch.duplicate = False
    return batch


CREATED_KEYS = ("households_created", "households_updated", "members_created", "members_updated", "assessments")
CREATED_LABELS = {
    "households_created": "hộ mới",
    "households_updated": "hộ cập nhật",
    "members_created": "thành viên mới",
    "members_updated": "thành viên cập nhật",
    "assessments": "phiếu khảo sát",
}


def summary(batch: ImportBatch) -> str:
    """One line for the officer: what was written, or how many errors."""
    if batch.status == ImportStatus.REFUSED:
        return f"Không ghi gì: {len(batch.errors)} lỗi, xem bảng lỗi theo dòng."
    parts = [f"{batch.created.get(key, 0)} {label}" for key, label in CREATED_LABELS.items()]
    return "Đã ghi " + ", ".join(parts) + "."
