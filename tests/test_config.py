"""Plumbing: health check, settings readers."""

import os

import pytest
from django.core.exceptions import ImproperlyConfigured

from config import env

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.mark.django_db
def test_healthz_reports_database_and_eager_broker(client, settings):
    settings.CELERY_BROKER_URL = None
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True, "vendor": "postgresql"}
    assert body["broker"]["mode"] == "eager"


@pytest.mark.django_db
def test_healthz_reaches_a_real_redis_broker(client, settings):
    settings.CELERY_BROKER_URL = REDIS_URL
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["broker"] == {"ok": True, "mode": "broker"}


@pytest.mark.django_db
def test_healthz_fails_when_the_broker_is_down(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False
    assert response.json()["status"] == "fail"


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
    assert "Chọn hộ gia đình để thay đổi" in page.text
    client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    english = client.get("/admin/households/household/", HTTP_ACCEPT_LANGUAGE="vi")
    assert "Select hộ gia đình to change" in english.text


@pytest.mark.django_db
def test_the_api_gives_drf_s_own_errors_in_vietnamese(api, officer_a, household_a):
    client = api(officer_a)
    bad_page = client.get("/api/v1/households/?page=x", HTTP_ACCEPT_LANGUAGE="en")
    assert (bad_page.status_code, bad_page.json()["detail"]) == (404, "Trang không hợp lệ.")
    bad_number = client.post(
        "/api/v1/classify/",
        {"standard": "VN-2022", "area_type": "rural", "income_per_capita": "nhiều", "deprivations": None},
        format="json",
    )
    assert bad_number.status_code == 400
    assert bad_number.json()["income_per_capita"] == ["Phải là một số nguyên hợp lệ."]
    assert bad_number.json()["deprivations"] == ["Trường này không được để trống (null)."]
    anonymous = api(None).get("/api/v1/households/")
    assert anonymous.json()["detail"] == "Chưa đăng nhập: thiếu thông tin xác thực."
