"""Production settings: a weak SECRET_KEY stops the process with DEBUG off, BEHIND_TLS_PROXY=1 turns on HTTPS
redirect, HSTS and Secure cookies, and `manage.py check --deploy` with the README's production settings prints no
warning. Settings are read once at start-up, so these start a fresh Python with the environment set."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from config import env

ROOT = Path(__file__).resolve().parent.parent
# The variables settings read that a test sets itself: the rest of the environment (PATH, the database) is kept.
READ_BY_SETTINGS = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "BEHIND_TLS_PROXY",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "CELERY_BROKER_URL",
    "SECOND_FACTOR_REQUIRED",
    "SECOND_FACTOR_ROLES",
    "CACHE_URL",
    "REDIS_URL",
)


def production_env(**overrides: str) -> dict[str, str]:
    """The production settings the README shows ("Chạy thật / Production"), with a real random key."""
    base = {k: v for k, v in os.environ.items() if k not in READ_BY_SETTINGS}
    base |= {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "giamngheo.example.gov.vn",
        "CSRF_TRUSTED_ORIGINS": "https://giamngheo.example.gov.vn",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/giamngheo"),
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        "BEHIND_TLS_PROXY": "1",
        "SECOND_FACTOR_REQUIRED": "1",
        "CACHE_URL": "redis://127.0.0.1:6379/1",
    }
    return base | overrides


def run(args: list[str], environ: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, *args], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120
    )


def settings_in(environ: dict[str, str], *names: str) -> dict:
    code = f"import json; from config import settings as s; print(json.dumps({{n: getattr(s, n) for n in {names!r}}}))"
    result = run(["-c", code], environ)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_deploy_with_the_readme_production_settings_prints_no_warning():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stderr


def test_without_the_tls_proxy_flag_check_deploy_asks_for_https():
    result = run(["manage.py", "check", "--deploy"], production_env(BEHIND_TLS_PROXY="0"))
    for warning in ("security.W004", "security.W008"):  # HSTS, SSL redirect
        assert warning in result.stderr


def test_without_the_second_factor_check_deploy_asks_for_it():
    result = run(["manage.py", "check", "--deploy"], production_env(SECOND_FACTOR_REQUIRED="0"))
    assert "households.W001" in result.stderr and "SECOND_FACTOR_REQUIRED=1" in result.stderr


def test_without_a_shared_cache_check_deploy_warns_that_each_worker_counts_on_its_own():
    environ = production_env()
    del environ["CACHE_URL"]
    result = run(["manage.py", "check", "--deploy"], environ)
    assert "households.W003" in result.stderr and "CACHE_URL" in result.stderr
    with_redis = run(["manage.py", "check", "--deploy"], environ | {"REDIS_URL": "redis://127.0.0.1:6379/1"})
    assert "households.W003" not in with_redis.stderr


def example_key() -> str:
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.startswith("SECRET_KEY="):
            return line.split("=", 1)[1]
    raise AssertionError(".env.example has no SECRET_KEY")


@pytest.mark.parametrize(
    "key,reason",
    [
        ("x", "example value"),
        ("change-me", "example value"),
        ("test-only-secret-key", "example value"),
        (secrets.token_urlsafe(30), "at least 50"),
        ("django-insecure-" + secrets.token_urlsafe(50), "startproject"),
        ("ab" * 40, "fewer than 5 distinct"),
    ],
    # named, not shown: the random keys differ from one pytest-xdist worker's collection to another's
    ids=["x", "change-me", "test-only-secret-key", "random-40", "django-insecure-random", "abab"],
)
def test_a_weak_secret_key_is_named_for_what_is_wrong(key, reason):
    problem = env.secret_key_problem(key)
    assert problem is not None and reason in problem


def test_a_real_key_passes():
    assert env.secret_key_problem(secrets.token_urlsafe(50)) is None


@pytest.mark.parametrize(
    "key", ["x", "change-me", "example", secrets.token_urlsafe(36)], ids=["x", "change-me", "example", "random-48"]
)
def test_debug_off_refuses_to_start_on_a_weak_secret_key(key):
    key = example_key() if key == "example" else key
    result = run(["-c", "import config.settings"], production_env(SECRET_KEY=key))
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is too weak for DEBUG off" in result.stderr
    assert "secrets.token_urlsafe(50)" in result.stderr  # how to make a good one


def test_debug_off_refuses_to_start_without_a_secret_key():
    environ = production_env()
    del environ["SECRET_KEY"]
    result = run(["-c", "import config.settings"], environ)
    assert result.returncode != 0 and "SECRET_KEY is required when DEBUG is off" in result.stderr


def test_development_with_debug_on_takes_any_key():
    assert settings_in(production_env(DEBUG="1", SECRET_KEY="x"), "SECRET_KEY") == {"SECRET_KEY": "x"}


TLS = (
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SAMESITE",
)


def test_behind_a_tls_proxy_https_is_enforced():
    values = settings_in(production_env(), *TLS)
    assert values == {
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SAMESITE": "Lax",
    }
    assert settings_in(production_env(SECURE_HSTS_SECONDS="600"), "SECURE_HSTS_SECONDS") == {"SECURE_HSTS_SECONDS": 600}


def test_without_the_flag_nothing_redirects_and_development_cookies_stay_plain():
    values = settings_in(production_env(BEHIND_TLS_PROXY="0", DEBUG="1"), *TLS)
    assert values["SECURE_PROXY_SSL_HEADER"] is None and values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert values["SESSION_COOKIE_SECURE"] is False and values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.fixture
def tls_proxy(settings):
    """The values BEHIND_TLS_PROXY=1 sets (the test above proves it), in this process."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True


def test_behind_the_proxy_plain_http_is_redirected_and_https_gets_hsts(tls_proxy, db):
    client = Client()  # a new client: SecurityMiddleware reads the settings when it is built
    plain = client.get("/admin/login/", headers={"x-forwarded-proto": "http"})
    assert plain.status_code == 301 and plain["Location"] == "https://testserver/admin/login/"
    secure = client.get("/admin/login/", headers={"x-forwarded-proto": "https"})
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert secure["X-Content-Type-Options"] == "nosniff" and secure["X-Frame-Options"] == "DENY"


def test_the_login_cookies_are_secure_httponly_and_same_site(tls_proxy, admin_user):
    client = Client()
    headers = {"x-forwarded-proto": "https"}
    page = client.get("/admin/login/", headers=headers)
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax" and not csrf["httponly"]  # Swagger UI sends it back
    response = client.post(
        "/admin/login/",
        {"username": admin_user.username, "password": "pw-quantri", "csrfmiddlewaretoken": csrf.value},
        headers=headers,
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
