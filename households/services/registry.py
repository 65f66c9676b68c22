"""The writers of the registry: households and their members. One function per use case, one transaction, one
audit entry per row written.

Inputs are plain Python values already parsed by a form or a serializer; the checks that need the database or
span several fields live in `checks`, so the admin, the API and the batch jobs refuse the same things with the
same messages.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, models, transaction

from config.bulk import insert_new
from config.errors import DomainError, NotFound, StaleVersion
from households import rules
from households.models import Area, AuditEntry, Household, Member, Relation, User
from households.rules import Level
from households.services.audit import audit_entry, diff_fields, log_action
from households.services.checks import (
    check_heads,
    check_household_location,
    check_member,
    check_national_ids_distinct,
    national_id_holders,
)

HOUSEHOLD_FIELDS = (
    "commune",
    "village",
    "address",
    "area_type",
    "is_ethnic_minority",
    "has_revolutionary_contributor",
    "has_social_protection_member",
    "no_labour_capacity",
    "is_female_headed",
)
MEMBER_FIELDS = (
    "full_name",
    "date_of_birth",
    "sex",
    "ethnicity",
    "relation",
    "national_id",
    "has_disability",
    "receives_disability_allowance",
    "health_insurance_number",
    "health_insurance_valid_until",
    "schooling",
    "education_level",
    "work_status",
    "occupation",
)


# --- households ------------------------------------------------------------------------------------


def _normalise_member(data: Mapping[str, Any]) -> dict[str, Any]:
    clean = {name: data[name] for name in MEMBER_FIELDS if name in data}
    if "full_name" in clean:
        clean["full_name"] = " ".join(clean["full_name"].split())
    if "national_id" in clean:
        clean["national_id"] = (clean["national_id"] or "").strip() or None
    for text in ("health_insurance_number", "work_status", "occupation"):
        if text in clean and clean[text] is None:
            clean[text] = ""
    return clean


def _refresh_cache(household: Household) -> None:
    """Recompute the head and the search text from the members (caches written by services only)."""
    members = list(household.members.order_by("id").values_list("id", "full_name", "relation"))
    household.head_id = next((pk for pk, _, relation in members if relation == Relation.HEAD), None)
    household.search_text = _search_text(household.code, [name for _, name, _ in members])


def _search_text(code: str, names: Iterable[str]) -> str:
    return " ".join([rules.fold_text(code)] + [rules.fold_text(name) for name in names])


def _issue_code(commune: Area) -> str:
    return _issue_codes(commune, 1)[0]


def _issue_codes(commune: Area, count: int) -> list[str]:
    locked = Area.objects.select_for_update().get(pk=commune.pk)
    first = locked.household_seq + 1
    locked.household_seq += count
    locked.save(update_fields=["household_seq"])
    return [f"{locked.code}-{seq:06d}" for seq in range(first, locked.household_seq + 1)]


def _ancestor_of_level(area: Area, level: str) -> Area | None:
    node: Area | None = area
    while node is not None and node.level != level:
        node = node.parent
    return node


def _save_member(member: Member) -> None:
    member.search_name = rules.fold_text(member.full_name)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as exc:
        if "national_id" in str(exc):
            raise DomainError(
                "duplicate_national_id", "Số CCCD đã được dùng cho thành viên khác.", "national_id"
            ) from exc
        if "one_head" in str(exc):
            raise DomainError("two_heads", "Hộ phải có đúng một chủ hộ.", "relation") from exc
        raise


def _create_member(*, actor: User | None, household: Household, data: Mapping[str, Any], reason: str) -> Member:
    """A new member of the household, saved and audited (every value, from nothing)."""
    member = Member(household=household, **data)
    _save_member(member)
    log_action(
        actor=actor,
        action="households.member.created",
        obj=member,
        changes={name: (None, value) for name, value in data.items()},
        reason=reason,
        household=household,
    )
    return member


@transaction.atomic
def create_household(
    *,
    actor: User,
    data: Mapping[str, Any],
    members: list[Mapping[str, Any]],
    reason: str = "",
) -> Household:
    """Register a household with its members; the system issues its code. Exactly one member is the head."""
    values, cleaned, problems = _registration(actor, data, members)
    if problems:
        raise problems[0]
    commune = values["commune"]
    household = Household(
        **values,
        code=_issue_code(commune),
        province=_ancestor_of_level(commune, Level.PROVINCE),
        district=_ancestor_of_level(commune, Level.DISTRICT),
    )
    household.save()
    log_action(
        actor=actor,
        action="households.household.created",
        obj=household,
        changes={name: (None, getattr(household, name)) for name in values},
        reason=reason,
        household=household,
    )
    for member_data in cleaned:
        _create_member(actor=actor, household=household, data=member_data, reason=reason)
    _refresh_cache(household)
    household.save(update_fields=["head", "search_text"])
    return household


def _registration(
    actor: User,
    data: Mapping[str, Any],
    members: list[Mapping[str, Any]],
    clashes: Mapping[str, Member] | None = None,
) -> tuple[dict[str, Any], list[dict[str, Any]], list[DomainError]]:
    """The checks of a new household: its values, its cleaned members and every problem found, in the order
    `create_household` raises them (location, each member, one head, national IDs distinct)."""
    commune = data.get("commune")
    try:
        check_household_location(actor=actor, commune=commune, village=data.get("village"))
    except DomainError as exc:
        return {}, [], [exc]
    assert commune is not None
    problems: list[DomainError] = []
    cleaned = [_normalise_member(m) for m in members]
    for index, candidate in enumerate(cleaned):
        try:
            check_member(candidate, actor=actor, clashes=clashes)
        except DomainError as exc:
            problems.append(
                DomainError(exc.code, f"Thành viên thứ {index + 1}: {exc.message}", f"members[{index}].{exc.field}")
            )
    try:
        check_heads(m.get("relation", "") for m in cleaned)
        check_national_ids_distinct(cleaned)
    except DomainError as exc:
        problems.append(exc)
    values = {name: data[name] for name in HOUSEHOLD_FIELDS if name in data}
    if not values.get("area_type"):
        values["area_type"] = commune.area_type or rules.area_type_for_division(commune.division_type)
    return values, cleaned, problems


@transaction.atomic
def create_households(
    *, actor: User, items: Sequence[tuple[Mapping[str, Any], list[Mapping[str, Any]]]], reason: str = ""
) -> list[Household | list[DomainError]]:
    """Register many households at once (the Excel import): each (data, members) gets the checks of
    `create_household`, with every problem found rather than the first, and a national ID used twice in the
    batch is refused like one already registered. The valid ones are written in bulk, with their codes,
    caches and audit entries as `create_household` writes them; a household with problems is not written
    and its errors stand in its place. Call it in a transaction to roll back when all or nothing is wanted."""
    clashes = national_id_holders(_normalise_member(m).get("national_id") for _, members in items for m in members)
    results: list[Household | list[DomainError]] = []
    valid: list[tuple[Household, dict[str, Any], list[dict[str, Any]]]] = []
    batch_ids: dict[str, int] = {}
    for position, (data, members) in enumerate(items):
        values, cleaned, problems = _registration(actor, data, members, clashes)
        for index, candidate in enumerate(cleaned):
            national_id = candidate.get("national_id")
            other = batch_ids.setdefault(national_id, position) if national_id else position
            if other != position:
                message = (
                    f"Thành viên thứ {index + 1}: Số CCCD {rules.masked_national_id(str(national_id))} đã được dùng "
                    "cho thành viên của hộ khác trong cùng lô."
                )
                problems.append(DomainError("duplicate_national_id", message, f"members[{index}].national_id"))
        if problems:
            results.append(problems)
            continue
        household = Household(**values)
        results.append(household)
        valid.append((household, values, cleaned))
    by_commune: dict[int, list[Household]] = {}
    for household, _, _ in valid:
        by_commune.setdefault(household.commune_id, []).append(household)
    for group in by_commune.values():
        commune = group[0].commune
        province, district = _ancestor_of_level(commune, Level.PROVINCE), _ancestor_of_level(commune, Level.DISTRICT)
        assert province is not None  # every commune lies in a province (households_area_parent_by_level)
        for household, code in zip(group, _issue_codes(commune, len(group)), strict=True):
            household.code, household.province, household.district = code, province, district
    for household, _, cleaned in valid:
        household.search_text = _search_text(household.code, [m["full_name"] for m in cleaned])
    insert_new(Household, [household for household, _, _ in valid])
    rows = [Member(household=h, search_name=rules.fold_text(m["full_name"]), **m) for h, _, ms in valid for m in ms]
    try:
        with transaction.atomic():
            insert_new(Member, rows)
    except IntegrityError as exc:  # a national ID registered by someone else a moment ago
        raise DomainError("duplicate_national_id", "Số CCCD vừa được dùng cho thành viên khác; hãy thử lại.") from exc
    heads = Member.objects.filter(household_id=models.OuterRef("pk"), relation=Relation.HEAD).values("pk")[:1]
    Household.objects.filter(pk__in=[h.pk for h, _, _ in valid]).update(head_id=models.Subquery(heads))
    for row in rows:
        if row.relation == Relation.HEAD:
            row.household.head_id = row.pk
    entries = []
    members_of: dict[int, list[Member]] = {}
    for row in rows:
        members_of.setdefault(row.household_id, []).append(row)
    for household, values, cleaned in valid:
        changes = {name: (None, getattr(household, name)) for name in values}
        entries.append(
            audit_entry(
                actor=actor,
                action="households.household.created",
                obj=household,
                changes=changes,
                reason=reason,
                household=household,
            )
        )
        for member, member_data in zip(members_of[household.pk], cleaned, strict=True):
            changes = {name: (None, value) for name, value in member_data.items()}
            entries.append(
                audit_entry(
                    actor=actor,
                    action="households.member.created",
                    obj=member,
                    changes=changes,
                    reason=reason,
                    household=household,
                )
            )
    insert_new(AuditEntry, entries)
    return results


def _lock_household(actor: User, household_id: int, expected_version: int | None) -> Household:
    household: Household | None = (
        Household.objects.visible_to(actor)
        .select_for_update()
        .select_related("commune")
        .filter(pk=household_id)
        .first()
    )
    if household is None:
        raise NotFound("Không tìm thấy hộ.")
    if expected_version is not None and household.version != expected_version:
        raise StaleVersion(
            f"Hộ {household.code} đã được người khác sửa (phiên bản {household.version}, bạn đang sửa phiên bản "
            f"{expected_version}). Hãy tải lại và nhập lại thay đổi."
        )
    return household


@transaction.atomic
def update_household(
    *,
    actor: User,
    household_id: int,
    expected_version: int,
    data: Mapping[str, Any],
    reason: str = "",
) -> Household:
    """Change a household's own fields. A stale `expected_version` is refused (optimistic locking)."""
    household = _lock_household(actor, household_id, expected_version)
    values = {name: data[name] for name in HOUSEHOLD_FIELDS if name in data}
    commune = values.get("commune", household.commune)
    village = values.get("village", household.village)
    if "commune" in values and village is not None and village.parent_id != commune.pk and "village" not in values:
        village = values["village"] = None
    check_household_location(actor=actor, commune=commune, village=village)
    if "commune" in values and values["commune"] != household.commune and not values.get("area_type"):
        values["area_type"] = commune.area_type or rules.area_type_for_division(commune.division_type)
    changes = diff_fields(household, values)
    if not changes:
        return household
    for name, (_, new) in changes.items():
        setattr(household, name, new)
    if "commune" in changes:
        province = _ancestor_of_level(commune, Level.PROVINCE)
        assert province is not None  # every commune lies in a province (households_area_parent_by_level)
        district = _ancestor_of_level(commune, Level.DISTRICT)
        changes.update(diff_fields(household, {"province": province, "district": district}))
        household.province = province
        household.district = district
    household.version += 1
    household.save()
    log_action(
        actor=actor,
        action="households.household.changed",
        obj=household,
        changes=changes,
        reason=reason,
        household=household,
    )
    return household


# --- members ---------------------------------------------------------------------------------------


@dataclass
class MemberChanges:
    """A batch of member edits applied as one: what the admin's inline form submits."""

    create: list[Mapping[str, Any]] = field(default_factory=list)
    update: dict[int, Mapping[str, Any]] = field(default_factory=dict)
    delete: list[int] = field(default_factory=list)


@transaction.atomic
def change_members(
    *,
    actor: User,
    household_id: int,
    changes: MemberChanges,
    expected_version: int | None = None,
    reason: str = "",
) -> Household:
    """Add, change and remove members in one go; afterwards the household has exactly one head."""
    household = _lock_household(actor, household_id, expected_version)
    current = {m.pk: m for m in household.members.all()}
    unknown = [pk for pk in [*changes.update, *changes.delete] if pk not in current]
    if unknown:
        raise NotFound("Không tìm thấy thành viên trong hộ này.", "member")

    updates = {pk: _normalise_member(data) for pk, data in changes.update.items()}
    creates = [_normalise_member(data) for data in changes.create]
    final_state = []
    for pk, member in current.items():
        if pk in changes.delete:
            continue
        merged = {name: getattr(member, name) for name in MEMBER_FIELDS}
        merged.update(updates.get(pk, {}))
        check_member(merged, actor=actor, member_id=pk)
        final_state.append(merged)
    for data in creates:
        check_member(data, actor=actor)
        final_state.append(data)
    check_heads(m.get("relation", "") for m in final_state)
    check_national_ids_distinct(final_state)

    # Removals and demotions first, so the database's one-head rule holds after each statement.
    for pk in changes.delete:
        member = current[pk]
        snapshot = {name: (getattr(member, name), None) for name in MEMBER_FIELDS}
        member_pk = member.pk
        member.delete()
        member.pk = member_pk
        log_action(
            actor=actor,
            action="households.member.removed",
            obj=member,
            changes=snapshot,
            reason=reason,
            household=household,
        )
    ordered = sorted(updates.items(), key=lambda item: item[1].get("relation") == Relation.HEAD)
    changed = 0
    for pk, data in ordered:
        member = current[pk]
        diff = diff_fields(member, data)
        if not diff:
            continue
        changed += 1
        for name, (_, new) in diff.items():
            setattr(member, name, new)
        _save_member(member)
        log_action(
            actor=actor,
            action="households.member.changed",
            obj=member,
            changes=diff,
            reason=reason,
            household=household,
        )
    for data in creates:
        _create_member(actor=actor, household=household, data=data, reason=reason)
    if changes.create or changes.delete or changed:
        _refresh_cache(household)
        household.version += 1
        household.save(update_fields=["head", "search_text", "version", "updated_at"])
    return household


def add_member(
    *, actor: User, household_id: int, expected_version: int, data: Mapping[str, Any], reason: str = ""
) -> Member:
    household = change_members(
        actor=actor,
        household_id=household_id,
        changes=MemberChanges(create=[data]),
        expected_version=expected_version,
        reason=reason,
    )
    return household.members.select_related("household").order_by("-id").first()  # type: ignore[return-value]


def update_member(
    *,
    actor: User,
    household_id: int,
    member_id: int,
    expected_version: int,
    data: Mapping[str, Any],
    previous_head_relation: str = Relation.OTHER,
    reason: str = "",
) -> Member:
    """Change one member. Making a member the head demotes the current head to `previous_head_relation`."""
    updates: dict[int, Mapping[str, Any]] = {member_id: data}
    if data.get("relation") == Relation.HEAD:
        if previous_head_relation == Relation.HEAD or previous_head_relation not in Relation.values:
            raise DomainError("invalid", "Quan hệ mới của chủ hộ cũ không hợp lệ.", "previous_head_relation")
        head = Member.objects.filter(household_id=household_id, relation=Relation.HEAD).exclude(pk=member_id).first()
        if head is not None:
            updates[head.pk] = {"relation": previous_head_relation}
    change_members(
        actor=actor,
        household_id=household_id,
        changes=MemberChanges(update=updates),
        expected_version=expected_version,
        reason=reason,
    )
    member: Member = Member.objects.select_related("household").get(pk=member_id)
    return member


def remove_member(
    *, actor: User, household_id: int, member_id: int, expected_version: int, reason: str = ""
) -> Household:
    return change_members(
        actor=actor,
        household_id=household_id,
        changes=MemberChanges(delete=[member_id]),
        expected_version=expected_version,
        reason=reason,
    )
