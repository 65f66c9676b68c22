"""Read paths of the registry, always starting from the user's scope."""

from decimal import Decimal

from django.db.models import QuerySet

from config.errors import DomainError
from households import rules
from households.models import Area, AuditEntry, Household, User


def households_for(user: User) -> QuerySet[Household]:
    return Household.objects.visible_to(user).select_related("commune", "village", "head", "head__ethnicity")


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


def areas_for(user: User) -> QuerySet[Area]:
    return Area.objects.visible_to(user)


def search_areas(queryset: QuerySet[Area], text: str) -> QuerySet[Area]:
    folded = rules.fold_text(text)
    if not folded:
        return queryset
    return queryset.filter(name_search__contains=folded)


def audit_for(user: User) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.visible_to(user).select_related("actor", "content_type", "household")


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
