"""Each pytest-xdist worker gets its own Redis database, as pytest-django gives it its own test database.

Loaded with `-p tests.workers` (pyproject.toml's addopts), so that it runs before pytest-django reads the settings:
a worker (`PYTEST_XDIST_WORKER` = gw0, gw1, …) moves every Redis URL of the environment (`REDIS_URL`, `CACHE_URL`,
`CELERY_BROKER_URL`, `CELERY_RESULT_BACKEND`) from its database n to n + the worker's number. The token cache, the
throttles' windows, the Idempotency-Key records, Celery's queues and results of two workers then never meet, and a
test that empties the cache empties only its own worker's. A database Redis does not have (16 by default: 0-15)
stops the run with what to change, rather than letting two workers share one. Without xdist nothing changes.
"""

import os
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis

REDIS_VARIABLES = ("REDIS_URL", "CACHE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND")


def worker_number() -> int | None:
    """gw0 -> 0; None outside a pytest-xdist worker."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker.removeprefix("gw")) if worker.startswith("gw") else None


def moved(url: str, offset: int) -> str:
    """The same Redis URL on the database `offset` places further (`redis://h:6379/11`, 2 -> `redis://h:6379/13`)."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        return url
    path = parts.path.strip("/")
    if path and not path.isdigit():
        raise pytest.UsageError(f"{url}: the Redis database must be a number (redis://host:port/N)")
    return urlunsplit(parts._replace(path=f"/{int(path or 0) + offset}"))


def check_reachable(name: str, url: str) -> None:
    try:
        redis.Redis.from_url(url, socket_connect_timeout=5).ping()
    except redis.ResponseError as error:  # "DB index is out of range"
        raise pytest.UsageError(
            f"{name}={url}: {error}. Each test worker uses its own Redis database (the base one plus the worker's "
            "number): start from a lower database or run fewer workers (make test TEST_WORKERS=…)."
        ) from error
    except redis.ConnectionError:
        pass  # the tests that need Redis say so themselves, as without workers


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    number = worker_number()
    if not number:  # not a worker, or the first one: it keeps the databases it was given
        return
    for name in REDIS_VARIABLES:
        if os.environ.get(name):
            os.environ[name] = moved(os.environ[name], number)
            check_reachable(name, os.environ[name])
