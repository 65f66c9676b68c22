"""A refused move of a review case names only the moves the workflow allows from the case's state now, the same ones
the API's `allowed_moves` lists, in Vietnamese; in the API's 400, on the admin's pages and in a bulk action's
message, without ".;" or ".." joins (issue 13, point 6)."""

import re
from html import unescape

import pytest
from django.test import Client

from programs.models import ReviewCase
from programs.review import rules
from tests.api_errors import field_errors
from tests.programs.review_helpers import (
    DEPRIVED_THREE,
    case_of,
    insure,
    make_poor,
    open_review,
    walk_to_posted,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/review-cases/"
ADMIN = "/admin/programs/reviewcase/"
POOR_INCOME = 500_000


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text_of(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def named_moves(message: str) -> set[str]:
    """The moves a refusal offers: the labels in its "(được phép: …)"."""
    offered = re.search(r"\(được phép: ([^)]*)\)", message)
    return set(offered[1].split(", ")) if offered else set()


def allowed_labels(api_case: dict) -> set[str]:
    return {rules.MOVE_LABELS[rules.Move(move)] for move in api_case["allowed_moves"]}


@pytest.fixture
def poor_a(household_a, admin_user):
    insure(household_a)
    return make_poor(household_a, admin_user)


@pytest.fixture
def listed_case(poor_a) -> ReviewCase:
    open_review(poor_a.commune)
    return case_of(poor_a)


def test_a_case_waiting_for_its_survey_offers_only_the_survey(api, listed_case, officer_a):
    client = api(officer_a)
    case = client.get(f"{API}{listed_case.pk}/").json()
    assert case["allowed_moves"] == ["survey"]
    body = {"version": case["version"], "meeting_date": "2026-10-20", "attendees": 40, "agreeing": 31}
    refused = client.post(f"{API}{listed_case.pk}/meeting/", body, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "forbidden_move"
    message = field_errors(refused)["state"][0]
    assert message == "Không thể ghi kết quả họp thôn khi hồ sơ chờ khảo sát (được phép: ghi kết quả khảo sát)."
    assert named_moves(message) == allowed_labels(case)


def test_a_posted_case_without_a_complaint_is_not_offered_to_resolve_one(api, listed_case, poor_a, officer_a):
    posted = walk_to_posted(officer_a, poor_a, income=POOR_INCOME, answers=DEPRIVED_THREE)
    client = api(officer_a)
    case = client.get(f"{API}{posted.pk}/").json()
    refused = client.post(f"{API}{posted.pk}/report/", {"version": case["version"], "reported_on": "2026-11-03"})
    assert refused.status_code == 400
    message = field_errors(refused)["state"][0]
    assert "giải quyết khiếu nại" not in message
    assert named_moves(message) == allowed_labels(case) == {"ghi kết quả khảo sát", "ghi nhận khiếu nại", "công nhận"}


def test_the_admin_names_the_allowed_moves_of_a_move_it_cannot_open(listed_case, officer_a):
    page = client_for(officer_a).get(f"{ADMIN}{listed_case.pk}/move/post/", follow=True)
    text = text_of(page)
    assert "Không thể niêm yết công khai khi hồ sơ chờ khảo sát (được phép: ghi kết quả khảo sát)." in text
    assert "giải quyết khiếu nại" not in text


def test_a_bulk_refusal_lists_each_case_in_one_clean_sentence(
    listed_case, poor_a, make_household, admin_user, officer_a
):
    second = make_poor(make_household(poor_a.commune, "Lò Văn Pao"), admin_user)
    open_review(poor_a.commune)  # the second household's case, also waiting for its survey
    ids = [str(case_of(h).pk) for h in (poor_a, second)]
    data = {"action": "bulk_post", "_selected_action": ids, "posting_start": "26/10/2026", "_submit": "1"}
    response = client_for(officer_a).post(ADMIN, data)
    assert response.status_code == 200
    [message] = response.context["form"].non_field_errors()
    reason = "Không thể niêm yết công khai khi hồ sơ chờ khảo sát (được phép: ghi kết quả khảo sát)"
    cases = sorted((case_of(h) for h in (poor_a, second)), key=lambda c: c.household.code)
    each = "; ".join(f"{c.reference} ({c.household.code}): {reason}" for c in cases)
    assert message == f"Chưa hồ sơ nào được cập nhật: 2 hồ sơ không hợp lệ — {each}."
    assert ".;" not in message and ".." not in message
    assert message in text_of(response)
    assert [case_of(h).state for h in (poor_a, second)] == ["listed", "listed"]
