"""The sign-in and throttle settings: defaults, read from the environment, refused when wrong (the process does not
start), and the cache the throttles count in. Settings are read once at start-up: a fresh Python each."""

from django.core.cache.backends.redis import RedisCache
from django.utils.module_loading import import_string
from knox.auth import TokenAuthentication

from tests.test_config_security import production_env, run, settings_in

NAMES = (
    "LOGIN_FAILURE_LIMIT",
    "LOGIN_IP_FAILURE_LIMIT",
    "LOGIN_LOCKOUT_MINUTES",
    "AXES_FAILURE_LIMIT",
    "TRUSTED_PROXY_COUNT",
    "API_TOKEN_TTL_HOURS",
    "API_MACHINE_TOKEN_TTL_HOURS",
    "API_TOKEN_LIMIT_PER_USER",
    "CACHES",
    "REST_FRAMEWORK",
)
NOT_SET = ("CACHE_URL", "REDIS_URL", *NAMES, "API_THROTTLE_ANON", "API_THROTTLE_USER", "API_THROTTLE_LOGIN")


def env(**overrides: str) -> dict[str, str]:
    return {k: v for k, v in production_env().items() if k not in NOT_SET} | overrides


def test_the_defaults():
    found = settings_in(env(), *NAMES)
    assert (found["LOGIN_FAILURE_LIMIT"], found["LOGIN_IP_FAILURE_LIMIT"], found["LOGIN_LOCKOUT_MINUTES"]) == (
        5,
        20,
        15,
    )
    assert found["AXES_FAILURE_LIMIT"] == 5
    assert (found["API_TOKEN_TTL_HOURS"], found["API_MACHINE_TOKEN_TTL_HOURS"], found["API_TOKEN_LIMIT_PER_USER"]) == (
        24,
        720,
        10,
    )
    rest = found["REST_FRAMEWORK"]
    assert rest["DEFAULT_THROTTLE_RATES"] == {"anon": "30/min", "user": "5000/hour", "login": "10/min"}
    assert rest["DEFAULT_THROTTLE_CLASSES"] == [
        "config.throttles.AnonRateThrottle",
        "config.throttles.UserRateThrottle",
    ]
    # knox's expiring tokens, remembered in the shared cache (config.token_cache)
    assert rest["DEFAULT_AUTHENTICATION_CLASSES"][0] == "config.token_cache.CachedTokenAuthentication"
    assert issubclass(import_string(rest["DEFAULT_AUTHENTICATION_CLASSES"][0]), TokenAuthentication)
    # Behind the TLS proxy (the README's production settings) the address it appends is the client's.
    assert found["TRUSTED_PROXY_COUNT"] == 1 and rest["NUM_PROXIES"] == 1
    # Without a Redis named, each process keeps its own counts (the embedded default).
    assert found["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_the_environment_sets_them():
    found = settings_in(
        env(
            LOGIN_FAILURE_LIMIT="3",
            LOGIN_IP_FAILURE_LIMIT="50",
            LOGIN_LOCKOUT_MINUTES="60",
            API_THROTTLE_ANON="5/min",
            API_THROTTLE_USER="100/day",
            API_THROTTLE_LOGIN="3/minute",
            API_TOKEN_TTL_HOURS="8",
            REDIS_URL="redis://127.0.0.1:6379/9",
            BEHIND_TLS_PROXY="0",
        ),
        *NAMES,
    )
    assert (found["LOGIN_FAILURE_LIMIT"], found["AXES_FAILURE_LIMIT"], found["LOGIN_IP_FAILURE_LIMIT"]) == (3, 3, 50)
    assert found["LOGIN_LOCKOUT_MINUTES"] == 60 and found["API_TOKEN_TTL_HOURS"] == 8
    rates = found["REST_FRAMEWORK"]["DEFAULT_THROTTLE_RATES"]
    assert rates == {"anon": "5/min", "user": "100/day", "login": "3/minute"}
    assert found["TRUSTED_PROXY_COUNT"] == 0 and found["REST_FRAMEWORK"]["NUM_PROXIES"] == 0  # X-Forwarded-For ignored
    cache = found["CACHES"]["default"]
    assert cache["BACKEND"] == "config.cache.RedisCache"  # Django's Redis backend, its client kept per pool
    assert issubclass(import_string(cache["BACKEND"]), RedisCache)
    assert cache["LOCATION"] == "redis://127.0.0.1:6379/9"
    cache = settings_in(env(CACHE_URL="redis://cache:6379/1", REDIS_URL="redis://x:6379/0"), "CACHES")["CACHES"]
    assert cache["default"]["LOCATION"] == "redis://cache:6379/1"


def test_wrong_values_stop_the_process():
    for name, value in (
        ("API_THROTTLE_ANON", "fast"),
        ("API_THROTTLE_USER", "0/min"),
        ("LOGIN_FAILURE_LIMIT", "0"),
        ("LOGIN_LOCKOUT_MINUTES", "ten"),
        ("API_TOKEN_TTL_HOURS", "-1"),
        ("TRUSTED_PROXY_COUNT", "-1"),
    ):
        result = run(["-c", "from config import settings"], env(**{name: value}))
        assert result.returncode != 0 and "ImproperlyConfigured" in result.stderr and name in result.stderr, name


def test_check_deploy_is_clean_with_the_sign_in_protection_and_a_shared_cache():
    environ = env(CACHE_URL="redis://127.0.0.1:6379/1")
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], environ)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
