"""The API's throttles counted in Redis by one script (config.throttles.RedisWindowMixin): the same sliding window
and the same answer as DRF's own (its `num_requests` in `duration`, a refused request not counted, `Retry-After`
from the oldest request counted), one round trip per request."""

from unittest import mock

import pytest
from django.core.cache import cache, caches
from rest_framework.test import APIRequestFactory

from config.cache import RedisCache
from config.throttles import UserRateThrottle

pytestmark = pytest.mark.skipif(not isinstance(caches["default"], RedisCache), reason="counted in Redis only")


class User:
    is_authenticated = True
    pk = 424242


def throttle_at(now: float, rate: str = "3/min") -> UserRateThrottle:
    with mock.patch("rest_framework.settings.api_settings.DEFAULT_THROTTLE_RATES", {"user": rate}):
        throttle = UserRateThrottle()
    throttle.timer = lambda: now
    return throttle


def ask(now: float, rate: str = "3/min") -> tuple[bool, float | None]:
    request = APIRequestFactory().get("/api/v1/")
    request.user = User()
    throttle = throttle_at(now, rate)
    allowed = throttle.allow_request(request, None)
    return allowed, None if allowed else throttle.wait()


def test_the_window_counts_the_last_duration_and_refuses_beyond_the_rate():
    assert [ask(1000.0 + i)[0] for i in range(3)] == [True, True, True]
    allowed, wait = ask(1010.0)
    assert not allowed and wait == pytest.approx(60 - (1010 - 1000))  # DRF's: the oldest leaves the window then
    assert not ask(1059.0)[0]  # a refused request is not counted, the first still is
    assert ask(1060.5)[0]  # the first request (at 1000) has left the window: one more
    assert not ask(1060.6)[0]  # those at 1001, 1002 and 1060.5 fill it
    assert ask(1062.0)[0]  # those at 1001 and 1002 have left it


def test_each_caller_has_a_window_of_its_own_kept_under_the_cache_prefix():
    assert ask(2000.0, "1/min")[0]
    assert not ask(2001.0, "1/min")[0]
    keys = [key.decode() for key in caches["default"]._cache.get_client().scan_iter(cache.make_key("throttle_*"))]
    assert keys == [cache.make_key("throttle_user_424242:window")]


def test_a_count_left_by_drf_under_the_same_name_is_no_error():
    cache.set("throttle_user_424242", [1.0, 2.0], 60)  # DRF's list, as an earlier release left it
    assert ask(3000.0, "1/min")[0] and not ask(3001.0, "1/min")[0]
