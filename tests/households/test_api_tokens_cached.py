"""An API token is checked against the database once and then remembered with its account and scope
(config.token_cache): a request with it runs no query for them, and the next request after the token is revoked or
expires, the account is closed, or its area, role or area's place changes is refused or re-scoped."""

import datetime

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.db.models.signals import post_migrate
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from config import token_cache
from households import services
from households.models import Area
from households.services import sign_in

URL = "/api/v1/households/"
ACCESS_LOG = "/api/v1/access-log/"
AUTH_TABLES = ('FROM "knox_authtoken"', 'FROM "households_user"', 'FROM "households_area"')  # their reads


def client_with_token(user) -> APIClient:
    _, key = sign_in.issue_api_token(actor=None, user_id=user.pk)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def auth_queries(client, url=URL) -> tuple[int, list[str]]:
    """The status of a GET and the queries it ran about tokens, accounts and areas."""
    with CaptureQueriesContext(connection) as captured:
        status = client.get(url).status_code
    return status, [q["sql"] for q in captured.captured_queries if any(t in q["sql"] for t in AUTH_TABLES)]


def ids(client) -> set[int]:
    response = client.get(URL)
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["results"]}


@pytest.fixture
def remembered(settings):
    settings.API_TOKEN_CACHE_SECONDS = 60
    assert token_cache.enabled(), "the tests run with the shared cache (REDIS_URL)"


@pytest.mark.django_db
def test_a_remembered_token_costs_no_query(remembered, officer_a, household_a):
    client = client_with_token(officer_a)
    status, first = auth_queries(client)
    assert status == 200 and first  # checked against the database once
    status, then = auth_queries(client)
    assert (status, then) == (200, [])
    assert ids(client) == {household_a.pk}


@pytest.mark.django_db
def test_without_the_cache_every_request_is_checked(settings, officer_a, household_a):
    settings.API_TOKEN_CACHE_SECONDS = 0
    client = client_with_token(officer_a)
    auth_queries(client)
    status, then = auth_queries(client)
    assert status == 200 and then


@pytest.mark.django_db
def test_a_token_revoked_by_its_sign_out_is_refused_at_the_next_request(remembered, officer_a, household_a):
    client = client_with_token(officer_a)
    assert ids(client) == {household_a.pk}
    assert client.post("/api/v1/auth/logout/").json() == {"revoked": 1}
    assert client.get(URL).status_code == 401


@pytest.mark.django_db
def test_a_token_revoked_by_an_admin_is_refused_at_the_next_request(remembered, officer_a, admin_user, household_a):
    client = client_with_token(officer_a)
    assert ids(client) == {household_a.pk}
    sign_in.revoke_api_tokens(actor=admin_user, user_id=officer_a.pk)
    assert client.get(URL).status_code == 401


@pytest.mark.django_db
def test_an_expired_token_is_refused_at_the_next_request(remembered, officer_a, household_a, monkeypatch):
    client = client_with_token(officer_a)
    assert ids(client) == {household_a.pk}
    later = timezone.now() + datetime.timedelta(hours=25)  # API_TOKEN_TTL_HOURS: 24
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert client.get(URL).status_code == 401


@pytest.mark.django_db
def test_a_closed_account_is_refused_at_the_next_request(remembered, officer_a, admin_user, household_a):
    client = client_with_token(officer_a)
    assert ids(client) == {household_a.pk}
    officer_a.is_active = False
    officer_a.save()  # by any door: here without the service, which would revoke the tokens as well
    assert client.get(URL).status_code == 401


@pytest.mark.django_db
def test_an_account_moved_to_another_area_is_rescoped_at_the_next_request(
    remembered, officer_a, admin_user, household_a, household_b, commune_b
):
    client = client_with_token(officer_a)
    assert ids(client) == {household_a.pk}
    services.change_officer(actor=admin_user, user_id=officer_a.pk, data={"area": commune_b})
    assert ids(client) == {household_b.pk}


@pytest.mark.django_db
def test_an_account_given_another_role_has_its_rights_at_the_next_request(
    remembered, province_staff, district, admin_user
):
    client = client_with_token(province_staff)
    assert client.get(ACCESS_LOG).status_code == 200  # province staff read the access log
    services.change_officer(
        actor=admin_user, user_id=province_staff.pk, data={"role": "district_staff", "area": district}
    )
    assert client.get(ACCESS_LOG).status_code == 403


@pytest.mark.django_db
def test_an_area_moved_rescopes_the_accounts_within_it(remembered, district_staff, household_a, district, province):
    client = client_with_token(district_staff)
    assert ids(client) == {household_a.pk}
    Area.objects.filter(pk=district.pk).update(path="/nowhere/")  # unseen by the cache: a bulk write
    assert ids(client) == {household_a.pk}  # still the remembered area (until API_TOKEN_CACHE_SECONDS)
    moved = Area.objects.get(pk=district.pk)
    moved.level = "commune"
    moved.save()  # a save: forgotten, the account reads its area as it now is
    status, queries = auth_queries(client)
    assert status == 200 and queries


@pytest.mark.django_db
def test_saves_that_authorise_nothing_keep_the_cache(remembered, officer_a, commune_a, household_a, make_household):
    client = client_with_token(officer_a)
    auth_queries(client)
    officer_a.last_login = timezone.now()
    officer_a.save(update_fields=["last_login"])
    make_household(commune_a, "Lò Văn Páo")  # moves the commune's household sequence
    status, queries = auth_queries(client)
    assert (status, queries) == (200, [])


@pytest.mark.django_db
def test_a_change_is_forgotten_again_after_its_commit(remembered, officer_a, django_capture_on_commit_callbacks):
    """A request that read the account before the change committed cannot keep it: the generation moves on at the
    change and once more after its commit."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        before = _generation()
        officer_a.first_name = "Lan"
        officer_a.save()
        during = _generation()
    assert before < during < _generation() and len(callbacks) == 1


def _generation() -> int:
    return cache.get(token_cache.GENERATION_KEY, 0)


@pytest.mark.django_db
def test_the_remembered_account_keeps_no_password_and_writes_none_back(remembered, officer_a, household_a):
    client = client_with_token(officer_a)
    client.get(URL)
    password = type(officer_a).objects.get(pk=officer_a.pk).password
    entry = cache.get(token_cache._entry_key(AuthToken.objects.get(user=officer_a).digest))
    assert "password" not in entry["user"] and entry["area"]["id"] == officer_a.area_id
    user, _ = token_cache._restore(entry)
    user.first_name = "Lan"
    user.save()  # the password is deferred: not written back
    officer_a.refresh_from_db()
    assert (officer_a.first_name, officer_a.password) == ("Lan", password)


@pytest.mark.django_db
def test_a_lost_generation_does_not_bring_back_a_revoked_token(remembered, officer_a, household_a):
    """The generation's key evicted or flushed, then the token revoked: the generation does not start again at a
    number an old entry holds, so the entry is not used."""
    cache.set(token_cache.GENERATION_KEY, 1, timeout=None)  # the number a generation made again from nothing had
    client = client_with_token(officer_a)
    assert ids(client) == {household_a.pk}
    cache.delete(token_cache.GENERATION_KEY)
    AuthToken.objects.filter(user=officer_a).delete()
    assert client.get(URL).status_code == 401


@pytest.mark.django_db
def test_with_no_generation_a_token_is_checked_and_not_remembered(remembered, officer_a, household_a):
    client = client_with_token(officer_a)
    cache.delete(token_cache.GENERATION_KEY)
    status, first = auth_queries(client)
    assert status == 200 and first
    status, then = auth_queries(client)  # a generation now: remembered from here on
    assert status == 200 and then
    assert auth_queries(client) == (200, [])


@pytest.mark.django_db
def test_a_change_is_saved_when_the_shared_cache_is_down(remembered, officer_a, monkeypatch, caplog):
    def down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(cache, "incr", down)
    officer_a.is_active = False
    officer_a.save()
    officer_a.refresh_from_db()
    assert officer_a.is_active is False
    assert "could not be told to forget" in caplog.text


@pytest.mark.django_db
def test_a_migration_forgets_the_remembered_tokens(remembered, officer_a, household_a):
    """A data migration's `update()` or SQL sends no save signal: the end of the migration forgets (post_migrate,
    sent as `migrate` sends it for each app)."""
    client = client_with_token(officer_a)
    assert ids(client) == {household_a.pk}
    type(officer_a).objects.filter(pk=officer_a.pk).update(is_active=False)  # what a data migration might do
    app = apps.get_app_config("households")
    post_migrate.send(sender=app, app_config=app, verbosity=0, interactive=False, using="default", apps=apps, plan=[])
    assert client.get(URL).status_code == 401
