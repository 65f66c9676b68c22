"""The API's JSON parser (`config.parsers`): a hostile body is a 400 (413 when too large) that says what is wrong,
in the API's error envelope as a malformed body (`parse_error`, the reason in Vietnamese), never a 500 and never a
write; an ordinary body still works."""

import json
import time

import pytest
from rest_framework.exceptions import ParseError

from config.parsers import loads, nesting_depth
from households.models import Household, Member
from tests.api_errors import field_errors

HOUSEHOLDS = "/api/v1/households/"
CLASSIFY = "/api/v1/classify/"
NON_FINITE = "chỉ chấp nhận số hữu hạn"
TOO_DEEP = "Nội dung JSON lồng nhau quá sâu: tối đa 64 cấp mảng hoặc đối tượng."


def parse_error(message: str) -> dict:
    return {"code": "parse_error", "message": message, "fields": {}}


def post(client, url: str, text: str | bytes, content_type: str = "application/json"):
    return client.generic("POST", url, text, content_type=content_type)


def household_body(commune) -> dict:
    head = {"full_name": "Nguyễn Văn Đức", "date_of_birth": "1980-05-17", "sex": "male", "ethnicity": "01"}
    return {"commune": commune.pk, "members": [{**head, "relation": "head"}], "address": "Số 5, thôn Nà Phát"}


# --- the probes of issue 12 ------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url,text,detail",
    [
        (
            HOUSEHOLDS,
            '{"commune": 1e309, "members": []}',
            "Nội dung JSON có số 1e309 vượt quá giới hạn của số thực: chỉ chấp nhận số hữu hạn.",
        ),
        (HOUSEHOLDS, "[" * 10_000 + "]" * 10_000, TOO_DEEP),
        (HOUSEHOLDS, '{"commune": ' * 10_000 + "1" + "}" * 10_000, TOO_DEEP),
        (CLASSIFY, "[" * 100_000 + "]" * 100_000, TOO_DEEP),
    ],
    ids=["1e309", "10,000 arrays deep", "10,000 objects deep", "classify 100,000 deep"],
)
def test_the_probes_of_the_issue_are_a_400_naming_the_problem(url, text, detail, api, officer_a, commune_a):
    response = post(api(officer_a), url, text)
    assert (response.status_code, response.json()) == (400, parse_error(detail))
    assert not Household.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "-1e309", "1.5e99999"])
def test_non_finite_numbers_are_refused(literal, api, officer_a, commune_a):
    response = post(api(officer_a), HOUSEHOLDS, f'{{"commune": {commune_a.pk}, "members": [], "x": {literal}}}')
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error" and response.json()["fields"] == {}
    assert literal in response.json()["message"] and NON_FINITE in response.json()["message"]


@pytest.mark.django_db
def test_a_malformed_body_answers_in_the_same_shape(api, officer_a):
    response = post(api(officer_a), CLASSIFY, '{"standard": ')
    assert response.status_code == 400
    assert response.json() == parse_error("Nội dung JSON không hợp lệ (dòng 1, cột 14).")  # in Vietnamese


@pytest.mark.django_db
def test_a_body_in_a_charset_it_does_not_decode_is_a_400(api, officer_a):
    response = post(api(officer_a), CLASSIFY, "{}".encode("utf-16"), content_type="application/json; charset=utf-8")
    assert response.status_code == 400
    assert response.json() == parse_error("Nội dung JSON không đọc được theo bảng mã utf-8.")


@pytest.mark.django_db
def test_a_body_over_the_upload_limit_is_a_413_unread(api, officer_a, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post(api(officer_a), CLASSIFY, json.dumps({"standard": "x" * 1000}))
    too_large = {"code": "request_too_large", "message": "Nội dung yêu cầu quá lớn: tối đa 1.000 byte.", "fields": {}}
    assert (response.status_code, response.json()) == (413, too_large)


# --- an ordinary body still works ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_ordinary_body_still_creates_a_household(api, officer_a, commune_a, kinh):
    body = household_body(commune_a)
    body["members"][0]["full_name"] = 'Nguyễn Văn "Đức" [{}]\\'  # quotes, brackets and escapes in a string
    response = post(api(officer_a), HOUSEHOLDS, json.dumps(body))
    assert response.status_code == 201, response.content
    assert Member.objects.get(household__commune=commune_a).full_name == 'Nguyễn Văn "Đức" [{}]\\'


@pytest.mark.django_db
def test_a_body_at_the_nesting_limit_is_read_one_deeper_is_not(api, officer_a, settings):
    settings.API_JSON_MAX_DEPTH = 3
    client = api(officer_a)
    at_limit = post(client, CLASSIFY, '{"facts": {"members": [1]}}')
    assert at_limit.status_code == 400 and "facts.members[0]" in field_errors(at_limit)  # parsed: a serializer's 400
    deeper = post(client, CLASSIFY, '{"facts": {"members": [[1]]}}')
    assert deeper.json() == parse_error("Nội dung JSON lồng nhau quá sâu: tối đa 3 cấp mảng hoặc đối tượng.")


# --- the scan and the hooks, without HTTP ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,depth",
    [
        ("1", 0),
        ("[]", 1),
        ('{"a": [1, {"b": []}], "c": {}}', 4),
        ('["[[[[", "]", "{{{"]', 1),  # brackets inside strings do not count
        (r'["\"[[[[", "\\", [["\\\"{"]]]', 3),  # nor do escaped quotes end a string
        ("[]" * 1000, 1),
    ],
)
def test_nesting_depth_counts_arrays_and_objects_outside_strings(text, depth):
    assert nesting_depth(text, limit=64) == depth


def test_the_scan_of_a_hostile_body_is_linear_and_never_recurses(settings):
    """No `RecursionError`, and no slow path: an unterminated string of escaped quotes would make a regular
    expression that matches whole strings backtrack once per quote (quadratic)."""
    hostile = ["[" * 1_000_000 + "]" * 1_000_000, '["' + '\\"' * 1_000_000 + "[" * 100, '"[' * 1_000_000]
    started = time.perf_counter()
    for text in hostile:
        with pytest.raises(ParseError):
            loads(text)
    assert time.perf_counter() - started < 5


def test_finite_numbers_pass_unchanged(settings):
    assert loads('{"a": 1.5e308, "b": -2.5, "c": 1e-400, "d": 12345678901234567890}') == {
        "a": 1.5e308,
        "b": -2.5,
        "c": 0.0,
        "d": 12345678901234567890,
    }
