"""Counts and money as Vietnamese offices write them: "12.345 hộ", "1.200.000 đ" (STYLE 33).

The one place the admin, the documents and the messages format a whole number. It is Django's own number
formatting with the separators of `config/formats/vi/formats.py` (the format module of `FORMAT_MODULE_PATH`),
asked for Vietnamese explicitly: an amount reads the same on a page shown in English, as it always has. The
classification's reasons, which are pure rules, spell the same format out (`programs.rules.money`).
"""

from django.utils import numberformat
from django.utils.formats import get_format

LANGUAGE = "vi"


def number(value: int) -> str:
    """12345678 -> '12.345.678' (thousands grouped by '.')."""
    return numberformat.format(
        value,
        get_format("DECIMAL_SEPARATOR", LANGUAGE),
        grouping=get_format("NUMBER_GROUPING", LANGUAGE),
        thousand_sep=get_format("THOUSAND_SEPARATOR", LANGUAGE),
        force_grouping=True,
    )


def money(amount: int) -> str:
    """An amount in VND: 1200000 -> '1.200.000 đ'."""
    return f"{number(amount)} đ"
