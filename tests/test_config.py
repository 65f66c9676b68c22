"""Plumbing: health check, the schema's doors, settings readers."""

import io
import os

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from config import env
from households.models import User
from tests.api_errors import field_errors

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def operator(client, admin_user):
    """A browser signed in as a program admin: the one who reads the health report."""
    client.force_login(admin_user)
    return client


@pytest.mark.django_db
def test_healthz_reports_database_and_eager_broker(operator, settings):
    settings.CELERY_BROKER_URL = None
    response = operator.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True, "vendor": "postgresql"}
    assert body["broker"]["mode"] == "eager"


@pytest.mark.django_db
def test_healthz_reaches_a_real_redis_broker(operator, settings):
    settings.CELERY_BROKER_URL = REDIS_URL
    response = operator.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["broker"] == {"ok": True, "mode": "broker"}


@pytest.mark.django_db
def test_healthz_fails_when_the_broker_is_down(operator, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = operator.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False
    assert response.json()["status"] == "fail"


@pytest.mark.django_db
@pytest.mark.parametrize("who", [None, "officer_a", "province_staff", "outsider"])
@pytest.mark.parametrize(
    "broker,status,body", [(None, 200, {"status": "ok"}), ("redis://127.0.0.1:1/0", 503, {"status": "fail"})]
)
def test_healthz_says_only_ok_or_fail_to_anyone_else(who, broker, status, body, client, persona, settings):
    """No component, vendor, mode or error text (a host, a port) for a monitor or an account that does not run
    the system; the status code is the same as the operator's."""
    settings.CELERY_BROKER_URL = broker
    if who:
        client.force_login(persona(who))
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (status, body)
    assert b"127.0.0.1" not in response.content and b"redis" not in response.content


@pytest.mark.django_db
def test_healthz_reports_to_a_superuser(client, settings):
    settings.CELERY_BROKER_URL = None
    client.force_login(User.objects.create_superuser(username="sieuquantri", password="pw-sieuquantri"))
    assert set(client.get("/healthz").json()) == {"database", "broker", "status"}


# --- the OpenAPI schema and its documentation --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_schema_and_the_docs_need_a_sign_in_by_default(client, officer_a, settings):
    assert settings.API_DOCS_PUBLIC is False  # the default (.env.example: API_DOCS_PUBLIC=0)
    schema = client.get("/api/schema/")
    assert schema.status_code == 401 and b"/api/v1/households/" not in schema.content
    docs = client.get("/api/docs/")
    assert (docs.status_code, docs["Location"]) == (302, "/admin/login/?next=/api/docs/")
    client.force_login(officer_a)
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200


@pytest.mark.django_db
def test_api_docs_public_opens_the_schema_and_the_docs(client, settings):
    settings.API_DOCS_PUBLIC = True
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/households/" in schema.content
    assert client.get("/api/docs/").status_code == 200


def test_manage_py_spectacular_still_writes_the_schema(settings):
    """CI builds the schema from the command, which reads no request: the setting does not concern it."""
    settings.API_DOCS_PUBLIC = False
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    assert "/api/v1/households/{id}/members/:" in out.getvalue()


def test_root_redirects_to_the_admin(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/admin/"


@pytest.mark.parametrize(
    "raw,value", [("1", True), ("true", True), ("On", True), ("0", False), ("no", False), ("", False)]
)
def test_env_bool(monkeypatch, raw, value):
    monkeypatch.setenv("X_FLAG", raw)
    assert env.env_bool("X_FLAG") is value


def test_env_readers_fail_loudly(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env.env_bool("X_FLAG")
    monkeypatch.setenv("X_INT", "ten")
    with pytest.raises(ImproperlyConfigured, match="X_INT"):
        env.env_int("X_INT", 1)


@pytest.mark.django_db
def test_admin_is_vietnamese_whatever_the_browser_asks(client, admin_user):
    client.force_login(admin_user)
    page = client.get("/admin/households/household/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "Danh sách hộ gia đình" in page.text  # Django's "Select %s to change", in the project's words
    client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    english = client.get("/admin/households/household/", HTTP_ACCEPT_LANGUAGE="vi")
    assert "Select hộ gia đình to change" in english.text


@pytest.mark.django_db
def test_the_api_gives_drf_s_own_errors_in_vietnamese(api, officer_a, household_a):
    client = api(officer_a)
    bad_page = client.get("/api/v1/households/?page=x", HTTP_ACCEPT_LANGUAGE="en")
    assert (bad_page.status_code, bad_page.json()["code"]) == (404, "not_found")
    assert field_errors(bad_page) == {"page": ["Không có trang “x”: số trang là một số nguyên từ 1."]}
    bad_number = client.post(
        "/api/v1/classify/",
        {"standard": "VN-2022", "area_type": "rural", "income_per_capita": "nhiều", "deprivations": None},
        format="json",
    )
    assert bad_number.status_code == 400
    assert field_errors(bad_number)["income_per_capita"] == ["Phải là một số nguyên hợp lệ."]
    assert field_errors(bad_number)["deprivations"] == ["Trường này không được để trống (null)."]
    anonymous = api(None).get("/api/v1/households/")
    assert anonymous.json()["code"] == "not_authenticated"
    assert anonymous.json()["message"].startswith("Chưa đăng nhập: hãy gửi kèm header Authorization: Token")
