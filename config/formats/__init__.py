"""Counts, money and decimals as Vietnamese offices write them: "12.345 hộ", "1.200.000 đ", "12,5%" (STYLE 33).

The one place the admin, the documents, the messages and the commands' output format a number. It is Django's own number
formatting with the separators of `config/formats/vi/formats.py` (the format module of `FORMAT_MODULE_PATH`),
asked for Vietnamese explicitly: an amount reads the same on a page shown in English, as it always has. The
classification's reasons, which are pure rules, spell the same format out (`programs.rules.money`).
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils import numberformat
from django.utils.formats import get_format

LANGUAGE = "vi"


def number(value: int) -> str:
    """12345678 -> '12.345.678' (thousands grouped by '.')."""
    return _formatted(value, None)


def decimal(value: Decimal | float | int, places: int | None = None) -> str:
    """A number with a decimal comma: 12.5 -> '12,5', 1234.5 -> '1.234,5'; with `places`, that many decimals
    (13.66 -> '13,7' with 1); without, as many as the value has (Decimal('12.50') -> '12,5', 5 -> '5')."""
    exact = Decimal(str(value))
    if places is None:
        exponent = exact.normalize().as_tuple().exponent
        places = max(0, -exponent) if isinstance(exponent, int) else 0
    return _formatted(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP), places)


def percent(value: Decimal | float | int, places: int = 1) -> str:
    """A percentage: 13.66 -> '13,7%'."""
    return f"{decimal(value, places)}%"


def seconds(value: float) -> str:
    """A duration of a command's run: 0.34 -> '0,3 giây'."""
    return f"{decimal(value, 1)} giây"


def _formatted(value: Decimal | int, places: int | None) -> str:
    return numberformat.format(
        value,
        get_format("DECIMAL_SEPARATOR", LANGUAGE),
        decimal_pos=places,
        grouping=get_format("NUMBER_GROUPING", LANGUAGE),
        thousand_sep=get_format("THOUSAND_SEPARATOR", LANGUAGE),
        force_grouping=True,
    )


def money(amount: int) -> str:
    """An amount in VND: 1200000 -> '1.200.000 đ'."""
    return f"{number(amount)} đ"
