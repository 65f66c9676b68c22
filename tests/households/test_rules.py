"""Pure rules of the registry: folding, identifiers, scopes."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from households import rules

VIETNAMESE = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"


@pytest.mark.parametrize(
    "text,folded",
    [
        ("Nguyễn Văn Đức", "nguyen van duc"),
        ("ĐẶNG THỊ THU HƯỜNG", "dang thi thu huong"),
        ("  Lò   Văn  Páo ", "lo van pao"),
        ("Phường Hoàn Kiếm", "phuong hoan kiem"),
        ("Hà Nhì", "ha nhi"),
        ("", ""),
    ],
)
def test_fold_text(text, folded):
    assert rules.fold_text(text) == folded


@given(st.text(alphabet=VIETNAMESE + VIETNAMESE.upper() + " 0123456789-"))
def test_folded_vietnamese_is_plain_lowercase_ascii(text):
    folded = rules.fold_text(text)
    assert folded.isascii()
    assert folded == folded.lower()
    assert rules.fold_text(folded) == folded


@given(st.text())
def test_folding_is_idempotent_and_leaves_no_combining_marks(text):
    folded = rules.fold_text(text)
    assert rules.fold_text(folded) == folded
    assert not any(unicodedata.category(ch) == "Mn" for ch in unicodedata.normalize("NFD", folded))


@given(st.text(alphabet=VIETNAMESE, min_size=1), st.text(alphabet=VIETNAMESE, min_size=1))
def test_a_folded_part_is_found_in_the_folded_whole(left, right):
    assert rules.fold_text(right) in rules.fold_text(left + right)


@pytest.mark.parametrize("value", ["001090012345", "079200000001"])
def test_valid_national_ids(value):
    assert rules.national_id_problem(value) is None


@pytest.mark.parametrize(
    "value", ["", "12345678901", "1234567890123", "00109001234A", " 001090012345", "００1090012345"]
)
def test_invalid_national_ids(value):
    assert rules.national_id_problem(value) == "Số CCCD phải gồm đúng 12 chữ số."


@pytest.mark.parametrize(
    "role,level,ok",
    [
        ("commune_officer", "commune", True),
        ("commune_chair", "commune", True),
        ("district_staff", "district", True),
        ("province_staff", "province", True),
        ("program_admin", None, True),
        ("commune_officer", "province", False),
        ("commune_officer", "village", False),
        ("commune_officer", None, False),
        ("province_staff", "commune", False),
        ("program_admin", "province", False),
    ],
)
def test_scope_levels(role, level, ok):
    assert (rules.scope_level_problem(role, level) is None) is ok


def test_area_type_for_division():
    assert rules.area_type_for_division("phường") == "urban"
    assert rules.area_type_for_division("xã") == "rural"
    assert rules.area_type_for_division("đặc khu") == "rural"


@pytest.mark.parametrize(
    "text,is_code", [("00070-000123", True), ("00070-00012", False), ("00070", False), ("nguyen van duc", False)]
)
def test_household_code_shape(text, is_code):
    assert rules.looks_like_household_code(text) is is_code
