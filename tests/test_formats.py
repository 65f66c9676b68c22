"""Counts and money as users read them (config.formats): Django's number formatting with the Vietnamese separators,
byte for byte what the pages, documents and messages have always shown."""

from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from config.formats import money, number
from programs import rules


def test_amounts_are_grouped_by_dots_with_the_dong_sign():
    assert money(1_200_000) == "1.200.000 đ"
    assert money(40_000_000) == "40.000.000 đ"
    assert money(0) == "0 đ"
    assert number(999) == "999"
    assert number(1_000) == "1.000"
    assert number(12_345_678) == "12.345.678"
    assert number(-1_234_567) == "-1.234.567"
    assert number(10_000_000_000) == "10.000.000.000"


def test_an_amount_reads_the_vietnamese_way_on_a_page_shown_in_english():
    with translation.override("en"):
        assert money(1_200_000) == "1.200.000 đ"
        assert number(1_048_576) == "1.048.576"


@given(st.integers(min_value=-(10**18), max_value=10**18))
def test_it_writes_what_the_thousands_separator_by_hand_wrote(value):
    assert number(value) == f"{value:,}".replace(",", ".")


@given(st.integers(min_value=0, max_value=10**13))
def test_the_classification_reasons_write_money_the_same_way(amount):
    # programs.rules.money is pure (no Django), so it spells the format out: it must agree with the helper.
    assert rules.money(amount) == money(amount)


def test_decimals_percentages_and_durations_use_the_decimal_comma():
    from decimal import Decimal

    from config.formats import decimal, percent, seconds

    assert decimal(Decimal("12.5")) == "12,5" and decimal(Decimal("12.50")) == "12,5" and decimal(5) == "5"
    assert decimal(1234.5) == "1.234,5" and decimal(2.0, 2) == "2,00"
    assert percent(13.66) == "13,7%" and percent(100 * 5 / 60) == "8,3%" and percent(Decimal("0.05")) == "0,1%"
    assert seconds(0.35) == "0,4 giây"
    with translation.override("en"):
        assert percent(13.66) == "13,7%"
