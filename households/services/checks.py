"""The checks of a household and its members that need the database or span several fields (scope, uniqueness,
one head per household), shared by the admin's forms, the API's serializers and the writers of `registry`, so
that all of them refuse the same things with the same Vietnamese messages. Nothing here writes."""

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils import timezone

from config.errors import DomainError
from households import rules
from households.models import Area, Ethnicity, Household, Member, Relation, User
from households.rules import Level


def check_household_location(*, actor: User, commune: Area | None, village: Area | None) -> None:
    """The commune is a commune in the actor's scope; the village, if any, lies in that commune."""
    if commune is None:
        raise DomainError("required", "Phải chọn xã/phường của hộ.", "commune")
    if commune.level != Level.COMMUNE:
        raise DomainError("not_a_commune", f"“{commune.name}” không phải là xã/phường/đặc khu.", "commune")
    if not actor.is_in_charge_of(commune):
        raise DomainError("out_of_scope", f"Xã/phường “{commune.name}” nằm ngoài địa bàn bạn phụ trách.", "commune")
    if village is not None and (village.level != Level.VILLAGE or village.parent_id != commune.pk):
        # The village's name only when the actor may see it (villages are not public like communes).
        name = f"“{village.name}” " if actor.is_in_charge_of(village) else f"id {village.pk} "
        raise DomainError("village_not_in_commune", f"Thôn/tổ dân phố {name}không thuộc {commune.name}.", "village")


def check_member(
    data: Mapping[str, Any],
    *,
    actor: User,
    member_id: int | None = None,
    today: datetime.date | None = None,
    clashes: Mapping[str, Member] | None = None,
) -> None:
    """Field checks of one member that need the database or a clear Vietnamese message.

    `clashes`: the members already holding the national IDs of a batch, fetched once by the caller
    (`national_id_holders`) instead of one query per member."""
    name = (data.get("full_name") or "").strip()
    if not name:
        raise DomainError("required", "Họ và tên không được để trống.", "full_name")
    dob = data.get("date_of_birth")
    if dob is None:
        raise DomainError("required", "Phải nhập ngày sinh.", "date_of_birth")
    if dob > (today or timezone.localdate()):
        raise DomainError("future_date", "Ngày sinh không được sau ngày hôm nay.", "date_of_birth")
    if dob.year < 1900:
        raise DomainError("invalid", "Ngày sinh không hợp lệ (trước năm 1900).", "date_of_birth")
    ethnicity = data.get("ethnicity")
    if not isinstance(ethnicity, Ethnicity):
        raise DomainError("unknown_ethnicity", "Dân tộc không có trong danh mục 54 dân tộc.", "ethnicity")
    national_id = data.get("national_id")
    if national_id:
        problem = rules.national_id_problem(national_id)
        if problem:
            raise DomainError("invalid_national_id", problem, "national_id")
        if clashes is None:
            query = Member.objects.filter(national_id=national_id).select_related("household")
            clash = (query if member_id is None else query.exclude(pk=member_id)).first()
        else:
            clash = clashes.get(national_id)
            clash = None if clash is None or clash.pk == member_id else clash
        if clash is not None:
            # Name the other household only when the actor may see it: a CCCD must not reveal where a person lives.
            visible = Household.objects.visible_to(actor).filter(pk=clash.household_id).exists()
            where = f"hộ {clash.household.code}" if visible else "một hộ thuộc địa bàn khác; đề nghị liên hệ cấp trên"
            raise DomainError(
                "duplicate_national_id",
                f"Số CCCD {rules.masked_national_id(national_id)} đã được dùng cho thành viên khác ({where}).",
                "national_id",
            )
    valid_until = data.get("health_insurance_valid_until")
    if valid_until and not data.get("health_insurance_number"):
        raise DomainError("required", "Có hạn thẻ BHYT thì phải có số thẻ BHYT.", "health_insurance_number")
    if data.get("receives_disability_allowance") and not data.get("has_disability"):
        raise DomainError(
            "inconsistent", "Chỉ người khuyết tật mới hưởng trợ cấp khuyết tật.", "receives_disability_allowance"
        )


def national_id_holders(national_ids: Iterable[str | None]) -> dict[str, Member]:
    """The members holding any of these national IDs, by ID (for `check_member(..., clashes=...)`)."""
    wanted = {value for value in national_ids if value}
    found = Member.objects.filter(national_id__in=wanted).select_related("household") if wanted else []
    return {member.national_id: member for member in found if member.national_id}


def check_heads(relations: Iterable[str]) -> None:
    heads = sum(1 for relation in relations if relation == Relation.HEAD)
    if heads == 0:
        raise DomainError("no_head", "Hộ phải có đúng một chủ hộ (chưa có ai là chủ hộ).", "members")
    if heads > 1:
        raise DomainError("two_heads", f"Hộ phải có đúng một chủ hộ (đang có {heads} người là chủ hộ).", "members")


def check_national_ids_distinct(members: Iterable[Mapping[str, Any]]) -> None:
    seen: set[str] = set()
    for data in members:
        national_id = data.get("national_id")
        if national_id and national_id in seen:
            raise DomainError(
                "duplicate_national_id",
                f"Số CCCD {rules.masked_national_id(national_id)} bị nhập hai lần trong cùng hộ.",
                "members",
            )
        if national_id:
            seen.add(national_id)
