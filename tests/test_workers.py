"""The test workers' Redis databases (tests/workers.py): each pytest-xdist worker on its own, so that the cache,
throttles and Celery queues of two workers never meet."""

import os

import pytest
from django.conf import settings

from tests.workers import moved


def test_a_worker_moves_a_redis_url_to_the_database_of_its_number():
    assert moved("redis://127.0.0.1:6379/11", 2) == "redis://127.0.0.1:6379/13"
    assert moved("redis://127.0.0.1:6379", 1) == "redis://127.0.0.1:6379/1"
    assert (
        moved("rediss://:secret@cache:6380/3?ssl_cert_reqs=none", 1)
        == "rediss://:secret@cache:6380/4?ssl_cert_reqs=none"
    )
    assert moved("redis://127.0.0.1:6379/0", 0) == "redis://127.0.0.1:6379/0"
    assert moved("amqp://guest@rabbit//", 1) == "amqp://guest@rabbit//"  # not Redis: left as it is


def test_a_database_that_is_not_a_number_stops_the_run():
    with pytest.raises(pytest.UsageError, match="must be a number"):
        moved("redis://127.0.0.1:6379/cache", 1)


def test_the_settings_were_read_after_the_move():
    """The cache this process uses is the one its worker's environment names: the plugin ran before the settings."""
    assert settings.CACHE_URL == (os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL") or None)
