"""Readers for settings from the environment that fail loudly on bad values."""

import os
import re

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# Keys the repository itself shows (.env.example, the Makefile's old test key, the benches, the DEBUG fallback) and
# the usual placeholders: never a production key, whatever their length.
KNOWN_EXAMPLE_KEYS = frozenset(
    {
        "change-me",
        "changeme",
        "secret",
        "x",
        "test-only-secret-key",
        "bench-only",
        "insecure-development-key-only-for-debug",
    }
)
MIN_SECRET_KEY_LENGTH = 50
_GENERATE = "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"


def secret_key_problem(key: str) -> str | None:
    """Why `key` is not fit for production, or None. Django's own check --deploy (security.W009) asks the same
    length and at least 5 distinct characters."""
    if key.strip().lower() in KNOWN_EXAMPLE_KEYS:
        return "it is an example value shipped with the code"
    if key.startswith("django-insecure-"):
        return "it is a development key made by startproject"
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return f"it has {len(key)} characters, at least {MIN_SECRET_KEY_LENGTH} are needed"
    if len(set(key)) < 5:
        return "it has fewer than 5 distinct characters"
    return None


def env_secret_key(debug: bool) -> str:
    """SECRET_KEY from the environment. With DEBUG off it must be a real key: refused (the process does not start)
    when missing, short, or an example value."""
    key = os.environ.get("SECRET_KEY", "")
    if debug:
        return key or "insecure-development-key-only-for-debug"
    if not key:
        raise ImproperlyConfigured(f"SECRET_KEY is required when DEBUG is off. {_GENERATE}")
    problem = secret_key_problem(key)
    if problem:
        raise ImproperlyConfigured(f"SECRET_KEY is too weak for DEBUG off: {problem}. {_GENERATE}")
    return key


_RATE = re.compile(r"^[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)$")


def env_rate(name: str, default: str) -> str:
    """A request rate as DRF's throttles read it ("30/min", "5000/hour"); anything else stops the process."""
    raw = os.environ.get(name)
    value = default if raw is None or raw.strip() == "" else raw.strip()
    if not _RATE.match(value):
        raise ImproperlyConfigured(f"{name} must be a rate such as 30/min or 5000/hour, got {value!r}")
    return value


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """One of a few words (LOG_FORMAT=json|text); anything else stops the process."""
    raw = os.environ.get(name)
    value = default if raw is None or raw.strip() == "" else raw.strip().lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
    return value


def env_secret(name: str, default: str = "") -> str:
    """A secret from NAME, or from the file named by NAME_FILE (a Docker or systemd secret, a file readable by the
    service's account only), without its final newline. Both set, or a file that cannot be read, stop the process."""
    direct = os.environ.get(name)
    path = os.environ.get(f"{name}_FILE")
    if path and direct is not None:
        raise ImproperlyConfigured(f"Set {name} or {name}_FILE, not both")
    if not path:
        return default if direct is None else direct
    try:
        with open(path, encoding="utf-8") as secret:
            return secret.read().rstrip("\r\n")
    except OSError as exc:
        raise ImproperlyConfigured(f"{name}_FILE={path!r} cannot be read: {exc.strerror}") from exc
