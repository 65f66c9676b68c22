"""DRF's throttles with their rates read from the settings at each request (`REST_FRAMEWORK`'s
`DEFAULT_THROTTLE_RATES`, from the environment: `API_THROTTLE_ANON`, `API_THROTTLE_USER`, `API_THROTTLE_LOGIN`).
DRF's own classes copy the rates once, when they are imported; these read them where they are set. The counts live
in the shared cache (`CACHES`), so every worker of the server counts the same requests. A refused request is a 429
with `Retry-After` and a Vietnamese message (`config.errors`)."""

from rest_framework import throttling
from rest_framework.settings import api_settings


class SettingsRateMixin:
    scope: str

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonRateThrottle(SettingsRateMixin, throttling.AnonRateThrottle):
    """Callers without a session or token, counted per address (`anon`)."""


class UserRateThrottle(SettingsRateMixin, throttling.UserRateThrottle):
    """Signed-in callers (a session or a token), counted per account (`user`)."""


class LoginRateThrottle(SettingsRateMixin, throttling.SimpleRateThrottle):
    """The API's sign-in, counted per address whoever the caller claims to be (`login`)."""

    scope = "login"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
