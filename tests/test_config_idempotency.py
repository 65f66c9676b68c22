"""`Idempotency-Key` on the API's POSTs (config/idempotency.py), as a script retrying after a lost answer sees it."""

import datetime
import io

import pytest
from django.core.cache import cache
from django.test import Client
from django.test.client import encode_multipart
from knox.models import AuthToken

from config import idempotency
from support import services
from support.models import SupportRecord
from tests.api_errors import field_errors
from tests.conftest import _cache_redis
from tests.programs.test_imports import fill, household, member, template
from tests.support.test_api import RECORDS, set_status

pytestmark = pytest.mark.django_db
KEY = "5f0c6a52-3b8e-4d5e-9c1e-2a7d1f3b9e40"
POOR_SINCE = datetime.date(2022, 6, 1)


@pytest.fixture
def poor_a(household_a, admin_user):
    return set_status(household_a, (POOR_SINCE, "poor"), actor=admin_user)


@pytest.fixture
def poor_b(household_b, admin_user):
    return set_status(household_b, (POOR_SINCE, "poor"), actor=admin_user)


def record_body(household) -> dict:
    return {
        "household": household.pk,
        "type": "livestock_p3",
        "date": "2026-03-01",
        "funding_source": "central",
        "amount": 25_000_000,
        "note": "Hai con bò giống",
    }


def send(client, body: dict, key: str | None = KEY, url: str = RECORDS):
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    return client.post(url, body, format="json", **headers)


def test_a_retry_with_the_same_key_gets_the_first_answer_and_records_once(api, poor_a, officer_a):
    client = api(officer_a)
    first = send(client, record_body(poor_a))
    assert first.status_code == 201, first.content
    assert idempotency.REPLAYED not in first
    again = send(client, record_body(poor_a))
    assert again.status_code == 201
    assert again[idempotency.REPLAYED] == "true"
    assert again.json() == first.json() and again["Content-Type"] == first["Content-Type"]
    assert SupportRecord.objects.count() == 1


def test_the_same_key_with_another_body_is_a_409_and_records_nothing_more(api, poor_a, officer_a):
    client = api(officer_a)
    assert send(client, record_body(poor_a)).status_code == 201
    other = send(client, {**record_body(poor_a), "amount": 30_000_000})
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_key_reused" and other.json()["message"]
    elsewhere = send(client, record_body(poor_a), url=f"{RECORDS}?x=1")  # the query is part of the request
    assert elsewhere.status_code == 409 and elsewhere.json()["code"] == "idempotency_key_reused"
    assert SupportRecord.objects.count() == 1


def test_another_users_same_key_is_another_key(api, poor_a, poor_b, officer_a, officer_b):
    mine = send(api(officer_a), record_body(poor_a))
    theirs = send(api(officer_b), record_body(poor_b))
    assert (mine.status_code, theirs.status_code) == (201, 201), theirs.content
    assert idempotency.REPLAYED not in theirs and theirs.json()["id"] != mine.json()["id"]
    assert SupportRecord.objects.count() == 2


def test_without_a_key_a_post_sent_twice_records_twice(api, poor_a, officer_a):
    client = api(officer_a)
    answers = [send(client, record_body(poor_a), key=None) for _ in range(2)]
    assert [a.status_code for a in answers] == [201, 201]
    assert idempotency.REPLAYED not in answers[1]
    assert SupportRecord.objects.count() == 2


@pytest.mark.parametrize("key", ["", "x" * 256, "khóa-một", "two words", "tab\tkey"])
def test_a_malformed_key_is_a_400_naming_the_header(key, api, poor_a, officer_a):
    response = send(api(officer_a), record_body(poor_a), key=key)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_idempotency_key"
    assert "Idempotency-Key" in field_errors(response)
    assert not SupportRecord.objects.exists()


def test_a_255_character_key_of_visible_ascii_is_accepted(api, poor_a, officer_a):
    key = ("A1!~{}" * 50)[:255]
    assert send(api(officer_a), record_body(poor_a), key=key).status_code == 201


def test_a_refusal_is_replayed_as_the_same_refusal(api, household_a, officer_a, admin_user):
    client = api(officer_a)
    refused = send(client, record_body(household_a))  # not a poor household: not eligible
    assert refused.status_code == 400 and refused.json()["code"] == "not_eligible"
    set_status(household_a, (POOR_SINCE, "poor"), actor=admin_user)  # now it would be eligible...
    again = send(client, record_body(household_a))
    assert again.status_code == 400 and again[idempotency.REPLAYED] == "true"  # ...but the key's answer stands
    assert again.json() == refused.json()
    assert not SupportRecord.objects.exists()
    assert send(client, record_body(household_a), key=f"{KEY}-2").status_code == 201  # a new key: a new request


def test_a_move_replayed_answers_its_first_result_not_a_stale_version(api, poor_a, officer_a, chair_a):
    record = send(api(officer_a), record_body(poor_a), key=None).json()
    client = api(chair_a)
    url = f"{RECORDS}{record['id']}/approve/"
    first = send(client, {"version": 1, "approved_on": "2026-03-05"}, url=url)
    assert first.status_code == 200 and first.json()["version"] == 2, first.content
    again = send(client, {"version": 1, "approved_on": "2026-03-05"}, url=url)
    assert (again.status_code, again[idempotency.REPLAYED]) == (200, "true")
    assert again.json() == first.json()
    fresh = send(client, {"version": 1, "approved_on": "2026-03-05"}, url=url, key=None)
    assert fresh.status_code == 409  # without the key the move runs again, and finds its version stale


def test_the_same_key_while_the_first_request_runs_is_a_409_in_progress(api, poor_a, officer_a, monkeypatch):
    record_support = services.record_support
    during = []

    def slow_record_support(**kwargs):
        during.append(send(api(officer_a), record_body(poor_a)))  # the retry arrives while the first still runs
        return record_support(**kwargs)

    monkeypatch.setattr(services, "record_support", slow_record_support)
    first = send(api(officer_a), record_body(poor_a))
    assert first.status_code == 201, first.content
    (retry,) = during
    assert retry.status_code == 409 and retry.json()["code"] == "idempotency_in_progress"
    assert retry["Retry-After"] == "1"
    monkeypatch.setattr(services, "record_support", record_support)
    after = send(api(officer_a), record_body(poor_a))
    assert after.status_code == 201 and after[idempotency.REPLAYED] == "true"
    assert SupportRecord.objects.count() == 1


def test_a_server_error_is_not_kept_so_a_retry_runs_again(api, poor_a, officer_a, monkeypatch):
    record_support = services.record_support

    def failing(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "record_support", failing)
    client = api(officer_a)
    client.raise_request_exception = False
    assert send(client, record_body(poor_a)).status_code == 500
    monkeypatch.setattr(services, "record_support", record_support)
    retry = send(client, record_body(poor_a))
    assert retry.status_code == 201 and idempotency.REPLAYED not in retry
    assert SupportRecord.objects.count() == 1


def test_an_answer_too_large_to_keep_is_sent_but_not_kept(api, poor_a, officer_a, monkeypatch):
    monkeypatch.setattr(idempotency, "MAX_STORED_BYTES", 100)
    client = api(officer_a)
    answers = [send(client, record_body(poor_a)) for _ in range(2)]
    assert [a.status_code for a in answers] == [201, 201] and idempotency.REPLAYED not in answers[1]
    assert SupportRecord.objects.count() == 2


def test_an_upload_retried_with_another_multipart_boundary_is_replayed(api, commune_a, village_a, officer_a):
    workbook = fill(template(commune_a, officer_a), households=[household(1)], members=[member(1, "Lò Văn Sính")])
    client = api(officer_a)

    def upload(boundary: str, key: str | None = KEY):
        body = encode_multipart(boundary, {"commune": commune_a.pk, "file": io.BytesIO(workbook)})
        headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
        content_type = f"multipart/form-data; boundary={boundary}"
        return client.post("/api/v1/imports/", body, content_type=content_type, **headers)

    first = upload("a1b2c3d4e5")
    assert first.status_code == 201, first.content
    again = upload("f6e5d4c3b2a1")  # each request of a client draws its own boundary
    assert (again.status_code, again[idempotency.REPLAYED]) == (201, "true") and again.json() == first.json()
    unkeyed = upload("0a0b0c", key=None)  # the import's own idempotency: the same file again writes nothing
    assert unkeyed.status_code == 200 and unkeyed.json()["duplicate"] is True


def test_a_permission_refusal_is_not_kept(api, poor_a, chair_a):
    client = api(chair_a)  # the chair approves, she does not record
    assert send(client, record_body(poor_a)).status_code == 403
    again = send(client, record_body(poor_a))
    assert again.status_code == 403 and idempotency.REPLAYED not in again  # asked again, not replayed


def test_a_token_caller_is_known_before_the_view(client, poor_a, officer_a):
    _, token = AuthToken.objects.create(user=officer_a)
    headers = {"HTTP_AUTHORIZATION": f"Token {token}", "HTTP_IDEMPOTENCY_KEY": KEY}
    answers = [client.post(RECORDS, record_body(poor_a), content_type="application/json", **headers) for _ in range(2)]
    assert [a.status_code for a in answers] == [201, 201], answers[0].content
    assert answers[1][idempotency.REPLAYED] == "true"
    bad_token = {**headers, "HTTP_AUTHORIZATION": "Token nonsense"}
    refused = client.post(RECORDS, record_body(poor_a), content_type="application/json", **bad_token)
    assert refused.status_code == 401  # the view's own answer: no replay without the account
    assert SupportRecord.objects.count() == 1


def test_a_session_must_pass_its_csrf_check_before_a_replay(poor_a, officer_a):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(officer_a)
    refused = browser.post(RECORDS, record_body(poor_a), content_type="application/json", HTTP_IDEMPOTENCY_KEY=KEY)
    assert refused.status_code == 403 and idempotency.REPLAYED not in refused
    assert not SupportRecord.objects.exists()


def test_the_sign_in_is_not_covered(client, officer_a):
    officer_a.set_password("mật khẩu dài 123")
    officer_a.save()
    body = {"username": officer_a.username, "password": "mật khẩu dài 123"}
    tokens = [
        client.post("/api/v1/auth/login/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=KEY)
        for _ in range(2)
    ]
    assert [t.status_code for t in tokens] == [200, 200], tokens[0].content
    assert tokens[0].json()["token"] != tokens[1].json()["token"]  # never kept in the cache, never replayed


@pytest.mark.skipif(_cache_redis() is None, reason="the records' expiry is read from Redis")
def test_a_record_is_kept_for_the_configured_hours(api, poor_a, officer_a, settings):
    settings.IDEMPOTENCY_TTL_HOURS = 2
    assert send(api(officer_a), record_body(poor_a)).status_code == 201
    redis_key = cache.make_key(idempotency.cache_key(officer_a.pk, KEY))
    assert 2 * 3600 - 60 < _cache_redis().ttl(redis_key) <= 2 * 3600


def test_the_schema_offers_the_header_on_every_post_of_the_api(client, admin_user):
    client.force_login(admin_user)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    posts = {path: ops["post"] for path, ops in schema["paths"].items() if "post" in ops}
    covered = {path for path in posts if not path.startswith("/api/v1/auth/")}
    assert "/api/v1/support-records/" in covered and "/api/v1/support-records/{id}/approve/" in covered
    for path in covered:
        (header,) = [p for p in posts[path]["parameters"] if p["in"] == "header" and p["name"] == "Idempotency-Key"]
        assert header["required"] is False and "UUID" in header["description"]
        assert header["schema"]["maxLength"] == 255
        assert "idempotency_key_reused" in posts[path]["responses"]["409"]["description"]
    login = posts["/api/v1/auth/login/"]
    assert not [p for p in login.get("parameters", []) if p["name"] == "Idempotency-Key"]
    households = schema["paths"]["/api/v1/households/"]["get"]
    assert not [p for p in households.get("parameters", []) if p["name"] == "Idempotency-Key"]
    created = posts["/api/v1/support-records/"]["responses"]["201"]
    assert created["headers"]["Idempotent-Replayed"]["schema"]["enum"] == ["true"]
