"""Read paths of the registry, always starting from the user's scope."""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone

from config.errors import DomainError
from households import rules
from households.models import AccessRecord, Area, AuditEntry, Household, Member, Relation, User


def households_for(user: User) -> QuerySet[Household]:
    return Household.objects.visible_to(user).select_related("commune", "village", "head", "head__ethnicity")


def households_listed(user: User) -> QuerySet[Household]:
    """The households of the user's list, with nothing joined: the list reads the columns it shows as values."""
    return Household.objects.visible_to(user)


def search_households(queryset: QuerySet[Household], text: str) -> QuerySet[Household]:
    """Households whose code or any member's name contains `text`, ignoring case and diacritics.

    A whole household code is looked up by its unique index; anything else by the trigram index on
    `search_text` (folded code and member names).
    """
    folded = rules.fold_text(text)
    if not folded:
        return queryset
    if rules.looks_like_household_code(folded):
        return queryset.filter(code=folded)
    return queryset.filter(search_text__contains=folded)


def members_matching(households: Iterable[Household], text: str) -> dict[int, list[Member]]:
    """For a search's households, the members other than the head whose name holds `text` (ignoring case and
    diacritics): the ones the search found the household by. One query for all of them."""
    folded = rules.fold_text(text)
    by_household: dict[int, list[Member]] = {}
    if not folded or rules.looks_like_household_code(folded):
        return by_household
    members = Member.objects.filter(household__in=[h.pk for h in households]).exclude(relation=Relation.HEAD)
    for member in members.order_by("household_id", "id"):
        if folded in rules.fold_text(member.full_name):
            by_household.setdefault(member.household_id, []).append(member)
    return by_household


def areas_for(user: User) -> QuerySet[Area]:
    return Area.objects.visible_to(user)


def search_areas(queryset: QuerySet[Area], text: str) -> QuerySet[Area]:
    folded = rules.fold_text(text)
    if not folded:
        return queryset
    return queryset.filter(name_search__contains=folded)


def audit_for(user: User) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.visible_to(user).select_related("actor", "content_type", "household")


def access_log_for(user: User) -> QuerySet[AccessRecord]:
    """The access log of the areas in the user's charge (the right to read it is the caller's check)."""
    return AccessRecord.objects.visible_to(user).select_related("actor", "area")


def access_log_about(queryset: QuerySet[AccessRecord], household: Household) -> QuerySet[AccessRecord]:
    """The records that showed a household: it was among the households shown, or its whole area was exported."""
    holding = Area.objects.holding(household.commune)
    return queryset.filter(Q(household_ids__contains=[household.pk]) | Q(area__in=holding))


def access_log_between(
    queryset: QuerySet[AccessRecord], since: datetime.date | None, until: datetime.date | None
) -> QuerySet[AccessRecord]:
    """The records from the start of day `since` to the end of day `until` (local days, either may be open; a day
    at the calendar's very ends, e.g. 9999-12-31, leaves its side open rather than overflowing)."""

    def start(day: datetime.date) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))

    if since is not None and since > _FIRST_DAY:
        queryset = queryset.filter(at__gte=start(since))
    if until is not None and until < _LAST_DAY:
        queryset = queryset.filter(at__lt=start(until + datetime.timedelta(days=1)))
    return queryset


# The days whose bounds stay inside Python's datetimes in every time zone (UTC±14 of the calendar's ends).
_FIRST_DAY = datetime.date.min + datetime.timedelta(days=1)
_LAST_DAY = datetime.date.max - datetime.timedelta(days=1)


def household_of(user: User, text: str) -> Household | None:
    """The household in the user's scope named by its code or its id, or None."""
    text = text.strip()
    households = Household.objects.visible_to(user).select_related("commune")
    if rules.looks_like_household_code(text):
        return households.filter(code=text).first()
    if text.isascii() and text.isdigit() and len(text) <= 18:
        return households.filter(pk=int(text)).first()
    return None


def household_codes(user: User, ids: Iterable[int]) -> dict[int, str]:
    """The codes of those households that lie in the user's scope (one query), by id."""
    wanted = set(ids)
    if not wanted:
        return {}
    return dict(Household.objects.visible_to(user).filter(pk__in=wanted).values_list("pk", "code"))


def visible_area(user: User, area_id: int | Decimal, field: str = "area") -> Area:
    """An area the user may name in a filter; an unknown id is a 400 naming `field`."""
    if area_id != int(area_id) or not 0 < area_id < 2**63:
        raise DomainError("invalid", "id địa bàn phải là một số nguyên dương.", field)
    area = Area.objects.visible_to(user).filter(pk=int(area_id)).first()
    if area is None:
        raise DomainError("unknown_area", f"Không có địa bàn với id {area_id}.", field)
    return area


def scoped_area(user: User, area_id: int | Decimal, field: str = "area") -> Area:
    """An area the user may report on or plan for: hers or one within it (any area with country scope); one outside
    is refused naming `field` (areas above hers are visible, for context, but not hers to read or set)."""
    area = visible_area(user, area_id, field)
    if not user.is_in_charge_of(area):
        raise DomainError("out_of_scope", f"“{area.name}” nằm ngoài địa bàn bạn phụ trách.", field)
    return area
