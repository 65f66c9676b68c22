"""Shared by the support tests."""

from support.models import InterventionType

SOME_AMOUNT = 1_000_000


def amount_for(code: str) -> int | None:
    """None (the type's default) where the type has a default amount; else an amount, which must then be given."""
    default = InterventionType.objects.filter(code=code).values_list("default_amount", flat=True).first()
    return None if default else SOME_AMOUNT
