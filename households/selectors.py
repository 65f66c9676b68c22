"""Read paths of the registry, always starting from the user's scope."""

from django.db.models import QuerySet

from households import rules
from households.models import Area, AuditEntry, Household, Member, User


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


def members_for(user: User) -> QuerySet[Member]:
    return Member.objects.visible_to(user).select_related("ethnicity", "household")


def areas_for(user: User) -> QuerySet[Area]:
    return Area.objects.visible_to(user)


def search_areas(queryset: QuerySet[Area], text: str) -> QuerySet[Area]:
    folded = rules.fold_text(text)
    if not folded:
        return queryset
    return queryset.filter(name_search__contains=folded)


def audit_for(user: User) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.visible_to(user).select_related("actor", "content_type", "household")
