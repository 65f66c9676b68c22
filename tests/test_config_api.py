"""The API base (`config.api`): scope -> input serializer -> service -> output serializer, and the shared input
fields; then the answers of the endpoints built on it to ids that are bad, not numbers, too large or outside the
user's scope (a 404 before the input is read, or a 400 naming the field)."""

from types import SimpleNamespace

import pytest
from django.http import Http404
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError

from config.api import BIGINT, UseCaseMixin, choice_field, id_field, integer_field, parse_input, text_field
from config.errors import NOT_FOUND_MESSAGE
from households.models import Household
from programs.models import ReviewCase
from tests.api_errors import field_errors
from tests.programs.review_helpers import case_of, insure, make_poor, open_review

pytestmark = pytest.mark.django_db

API = "/api/v1/"
HUGE = 10**30
NOT_FOUND_BODY = {"code": "not_found", "message": NOT_FOUND_MESSAGE, "fields": {}}  # the body of the request untold


# --- the shared input fields ---------------------------------------------------------------------------------


class Form(serializers.Serializer):
    number = integer_field(required=False)
    amount = integer_field(bigint=True, required=False)
    row = id_field("id của dòng", source="row_id", required=False)
    kind = choice_field([("add", "Thêm"), ("exit", "Thoát")], required=False)
    note = text_field(max_length=3, required=False)


@pytest.mark.parametrize(
    "body,errors",
    [
        ({"number": "một"}, {"number": ["Phải là một số nguyên."]}),
        ({"number": 1.5}, {"number": ["Phải là một số nguyên."]}),
        ({"number": "1" * 1001}, {"number": ["Số quá lớn."]}),
        ({"amount": HUGE}, {"amount": [f"Phải nhỏ hơn hoặc bằng {BIGINT}."]}),
        ({"amount": -HUGE}, {"amount": [f"Phải lớn hơn hoặc bằng {-BIGINT}."]}),
        ({"row": 0}, {"row": ["Phải lớn hơn hoặc bằng 1."]}),
        ({"row": "x"}, {"row": ["Phải là một số nguyên."]}),
        ({"kind": "join"}, {"kind": ["“join” không hợp lệ: chỉ nhận add, exit."]}),
        ({"note": "dài quá"}, {"note": ["Tối đa 3 ký tự."]}),
        (
            {"row": 0, "kind": "x"},
            {"row": ["Phải lớn hơn hoặc bằng 1."], "kind": ["“x” không hợp lệ: chỉ nhận add, exit."]},
        ),
    ],
)
def test_bad_input_is_refused_naming_each_field(body, errors):
    with pytest.raises(ValidationError) as refused:
        parse_input(Form, body)
    assert refused.value.detail == errors


def test_good_input_is_named_like_the_service_arguments():
    parsed = parse_input(Form, {"row": "7", "number": HUGE, "amount": BIGINT, "kind": "exit", "note": "abc"})
    assert parsed == {"row_id": 7, "number": HUGE, "amount": BIGINT, "kind": "exit", "note": "abc"}


def test_an_id_field_keeps_to_bigint_only_when_asked():
    assert id_field("id").max_value is None
    assert (id_field("id", bigint=True).min_value, id_field("id", bigint=True).max_value) == (1, BIGINT)
    assert integer_field(bigint=True, min_value=0).min_value == 0  # narrower bounds win


# --- the steps of a use case -----------------------------------------------------------------------------------


class Input(serializers.Serializer):
    name = text_field(max_length=20)
    row = id_field("id", source="row_id")


class HouseholdActions(UseCaseMixin):
    """A use case on a household, as a view over `Household.objects.visible_to(user)`."""

    id_argument = "household_id"

    def __init__(self, user, data=None):
        self.request = SimpleNamespace(user=user, data=data or {})

    def get_queryset(self):
        return Household.objects.visible_to(self.request.user)

    def get_serializer(self, household):
        return SimpleNamespace(data={"id": household.pk, "code": household.code})


@pytest.fixture
def calls():
    made = []

    def service(**kwargs):
        made.append(kwargs)

    service.made = made
    return service


def test_an_id_in_scope_is_its_number_and_any_other_is_a_404(officer_a, household_a, household_b):
    view = HouseholdActions(officer_a)
    assert view.visible_id(str(household_a.pk)) == household_a.pk
    for pk in (household_b.pk, "abc", "1.5", None, "", HUGE, -1):
        with pytest.raises(Http404):
            view.visible_id(pk)


def test_a_use_case_reads_the_scope_then_the_input_then_calls_the_service_and_reads_back(
    officer_a, household_a, household_b, calls
):
    with pytest.raises(Http404):  # outside the scope: a 404 before the input is read
        HouseholdActions(officer_a, {"name": "x" * 99}).act(household_b.pk, Input, calls)
    with pytest.raises(ValidationError) as refused:
        HouseholdActions(officer_a, {"name": "x" * 99, "row": "một"}).act(household_a.pk, Input, calls)
    assert set(refused.value.detail) == {"name", "row"}
    assert calls.made == []

    view = HouseholdActions(officer_a, {"name": "Ghi chú", "row": "5"})
    response = view.act(str(household_a.pk), Input, calls, status.HTTP_201_CREATED)
    assert calls.made == [{"actor": officer_a, "household_id": household_a.pk, "name": "Ghi chú", "row_id": 5}]
    assert (response.status_code, response.data) == (201, {"id": household_a.pk, "code": household_a.code})


def test_parse_reads_the_body_or_the_data_given(officer_a):
    view = HouseholdActions(officer_a, {"name": "thân", "row": 1})
    assert view.parse(Input) == {"name": "thân", "row_id": 1}
    assert view.parse(Input, {"name": "tham số", "row": 2}) == {"name": "tham số", "row_id": 2}


# --- through the endpoints -----------------------------------------------------------------------------------


@pytest.fixture
def case_a(household_a, admin_user) -> ReviewCase:
    insure(household_a)
    make_poor(household_a, admin_user)
    open_review(household_a.commune)
    return case_of(household_a)


def test_a_move_on_a_case_or_campaign_outside_the_scope_is_a_404_whatever_the_body(api, case_a, officer_b):
    client = api(officer_b)
    for path in (
        f"review-cases/{case_a.pk}/survey/",
        f"review-cases/{case_a.pk}/meeting/",
        f"review-campaigns/{case_a.campaign_id}/report/",
    ):
        response = client.post(f"{API}{path}", {"version": "một", "steps": 1}, format="json")
        assert (response.status_code, response.json()) == (404, NOT_FOUND_BODY), path


def test_an_object_id_too_large_or_not_a_number_is_a_404_not_a_500(api, province_staff, case_a):
    client = api(province_staff)
    for path in (f"review-campaigns/{HUGE}/", f"households/{HUGE}/", "households/abc/", f"households/{HUGE}/members/"):
        assert client.get(f"{API}{path}").status_code == 404, path
    for path in (
        f"review-cases/{HUGE}/survey/",
        f"review-campaigns/{HUGE}/calendar/",
        f"support-records/{HUGE}/approve/",
        f"loans/{HUGE}/repayments/",
        f"support-follow-ups/{HUGE}/record/",
    ):
        response = client.post(f"{API}{path}", {"version": 1}, format="json")
        assert (response.status_code, response.json()) == (404, NOT_FOUND_BODY), path


@pytest.mark.parametrize(
    "body,field,message",
    [
        ({"version": "một"}, "version", "Phải là một số nguyên."),
        ({"version": 0}, "version", "Phải lớn hơn hoặc bằng 1."),
        ({"assessment": "x"}, "assessment", "Phải là một số nguyên."),
        ({"assessment": 0}, "assessment", "Phải lớn hơn hoặc bằng 1."),
    ],
)
def test_a_bad_id_in_the_body_of_a_move_is_a_400_naming_the_field_not_the_service_argument(
    body, field, message, api, case_a, officer_a
):
    response = api(officer_a).post(f"{API}review-cases/{case_a.pk}/survey/", {"version": 1, "assessment": 1, **body})
    assert response.status_code == 400, response.content
    assert field_errors(response)[field] == [message]
    assert "expected_version" not in field_errors(response) and "assessment_id" not in field_errors(response)
    assert ReviewCase.objects.get(pk=case_a.pk).version == case_a.version


def test_a_household_outside_the_scope_in_a_body_is_refused_as_before(api, officer_a, household_b):
    review = {"household": household_b.pk, "request_kind": "add", "channel": "in_person", "filed_on": "2026-10-05"}
    assert api(officer_a).post(f"{API}review-cases/", review, format="json").status_code == 404
    support = {"household": HUGE, "type": "x", "date": "2026-03-01", "funding_source": "central"}
    response = api(officer_a).post(f"{API}support-records/", support, format="json")
    assert (response.status_code, field_errors(response)["household"]) == (400, [f"Phải nhỏ hơn hoặc bằng {BIGINT}."])


# --- the views that keep one right for every method ------------------------------------------------------------

WHAT_IF = f"{API}stats/what-if/?standard=VN-2027"
REFRESH = f"{API}stats/refresh/"
FIGURES = f"{API}stats/figures/?area=1&year=2024"


@pytest.mark.parametrize(
    "url,method,expected",
    [
        (WHAT_IF, "head", 200),
        (WHAT_IF, "options", 200),
        (WHAT_IF, "post", 405),
        (WHAT_IF, "delete", 405),
        (REFRESH, "get", 405),
        (REFRESH, "options", 200),
        (REFRESH, "put", 405),
        (FIGURES, "head", 403),  # the figures' rights are per method: GET only
        (FIGURES, "options", 403),
        (FIGURES, "post", 405),  # a method the view lacks: a 405 for whoever holds one of its rights (issue 12)
    ],
)
def test_the_stats_views_answer_other_methods_as_before(url, method, expected, api, admin_user, outsider):
    """The what-if and refresh views check their one right whatever the method (their `get_permissions`): its
    holder gets HEAD and OPTIONS answered and a 405 for a method they lack, anyone else a 403. Every view answers
    a method it lacks with a 405 to whoever holds one of its rights (tests/test_config_methods.py)."""
    assert getattr(api(admin_user), method)(url).status_code == expected
    assert getattr(api(outsider), method)(url).status_code == 403
