"""DRF's throttles with their rates read from the settings at each request (`REST_FRAMEWORK`'s
`DEFAULT_THROTTLE_RATES`, from the environment: `API_THROTTLE_ANON`, `API_THROTTLE_USER`, `API_THROTTLE_LOGIN`).
DRF's own classes copy the rates once, when they are imported; these read them where they are set. The counts live
in the shared cache (`CACHES`), so every worker of the server counts the same requests. A refused request is a 429
with `Retry-After` and a Vietnamese message (`config.errors`).

In Redis (the shared cache of production), each caller's window is a sorted set of its requests' moments, pruned,
counted and added to by one script: one round trip per request instead of DRF's two (read the history, write it
back), nothing unpickled or pickled (DRF keeps the whole list of moments in one value: up to the rate's count, 5,000
floats an hour), and no request lost between two workers' read and write. The window and the answer are DRF's:
the requests of the last `duration` seconds are counted, a request beyond `num_requests` is refused (and not
counted) and told to wait as DRF's `wait` says. Another cache (a process's memory): DRF's own code.
"""

import uuid
from typing import Any

from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from rest_framework import throttling
from rest_framework.settings import api_settings

from config.cache import RedisCache

# KEYS[1]: the caller's window; ARGV: now, duration, num_requests, this request's member. Answers whether the
# request is allowed, the requests counted (this one included when allowed) and the oldest one's moment (a string:
# Redis would truncate a number).
_WINDOW = """
local now, duration, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - duration)
local count = redis.call('ZCARD', KEYS[1])
local allowed = 0
if count < limit then
    redis.call('ZADD', KEYS[1], now, ARGV[4])
    redis.call('EXPIRE', KEYS[1], math.ceil(duration))
    count = count + 1
    allowed = 1
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {allowed, count, oldest[2] or ARGV[1]}
"""
_script: Any = None
# The sorted set's key: the cache key of DRF's list of moments plus this (a key of DRF's own, a string, written by
# a process of an earlier release while a new one starts, is another key: not a WRONGTYPE error).
WINDOW_SUFFIX = ":window"


def _window_script(client: Any) -> Any:
    global _script
    if _script is None:
        _script = client.register_script(_WINDOW)
    return _script


class SettingsRateMixin:
    scope: str

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class RedisWindowMixin:
    """DRF's sliding window, kept in a Redis sorted set by one script (see the module); DRF's code elsewhere."""

    _counted: tuple[int, float] | None = None

    def allow_request(self, request: Any, view: Any) -> bool:
        throttle: Any = self
        backend = caches[DEFAULT_CACHE_ALIAS]
        if throttle.rate is None or throttle.cache is not cache or not isinstance(backend, RedisCache):
            return super().allow_request(request, view)  # type: ignore[misc]
        throttle.key = throttle.get_cache_key(request, view)
        if throttle.key is None:
            return True
        throttle.now = throttle.timer()
        client = backend._cache.get_client(write=True)
        allowed, count, oldest = _window_script(client)(
            keys=[backend.make_key(f"{throttle.key}{WINDOW_SUFFIX}")],
            args=[repr(throttle.now), throttle.duration, throttle.num_requests, f"{throttle.now!r}:{uuid.uuid4().hex}"],
            client=client,
        )
        self._counted = (int(count), float(oldest))
        return bool(allowed) or bool(throttle.throttle_failure())

    def wait(self) -> float | None:
        if self._counted is None:
            return super().wait()  # type: ignore[misc]
        throttle: Any = self
        count, oldest = self._counted
        remaining = throttle.duration - (throttle.now - oldest) if count else throttle.duration
        available = throttle.num_requests - count + 1
        if available <= 0:
            return None
        return remaining / float(available)


class AnonRateThrottle(RedisWindowMixin, SettingsRateMixin, throttling.AnonRateThrottle):
    """Callers without a session or token, counted per address (`anon`)."""


class UserRateThrottle(RedisWindowMixin, SettingsRateMixin, throttling.UserRateThrottle):
    """Signed-in callers (a session or a token), counted per account (`user`)."""


class LoginRateThrottle(RedisWindowMixin, SettingsRateMixin, throttling.SimpleRateThrottle):
    """The API's sign-in, counted per address whoever the caller claims to be (`login`)."""

    scope = "login"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
