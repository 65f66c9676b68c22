"""System checks of the settings the households app reads (`manage.py check`, and `migrate` before it runs):
SECOND_FACTOR_ROLES names real roles; with `--deploy`, the second factor is required (SECOND_FACTOR_REQUIRED=1) and
the access log of personal data is on, and the cache (the throttles' counts) is shared by the workers."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from households import rules


@register(Tags.security)
def check_second_factor_roles(app_configs, **kwargs):
    unknown = rules.unknown_roles(settings.SECOND_FACTOR_ROLES)
    if not unknown:
        return []
    known = ", ".join(role.value for role in rules.Role)
    return [
        Error(
            f"SECOND_FACTOR_ROLES names unknown roles: {', '.join(unknown)}.",
            hint=f"Use the roles' names, comma-separated: {known}.",
            id="households.E001",
        )
    ]


@register(Tags.security, deploy=True)
def check_second_factor_required(app_configs, **kwargs):
    if settings.SECOND_FACTOR_REQUIRED:
        return []
    return [
        Warning(
            "SECOND_FACTOR_REQUIRED is off: program admins and province staff sign in with a password alone.",
            hint="Set SECOND_FACTOR_REQUIRED=1 (the README's production settings).",
            id="households.W001",
        )
    ]


@register(Tags.security, deploy=True)
def check_access_log_enabled(app_configs, **kwargs):
    """The access log of personal data may be off only with DEBUG on: the switch exists to measure its cost
    (bench/access_log.py), not to run without it."""
    if settings.ACCESS_LOG_ENABLED or settings.DEBUG:
        return []
    return [
        Warning(
            "ACCESS_LOG_ENABLED is off: reading households' personal data leaves no trace in the access log.",
            hint="Unset ACCESS_LOG_ENABLED (it is on by default) or set it to 1.",
            id="households.W002",
        )
    ]


@register(Tags.security, deploy=True)
def check_shared_cache(app_configs, **kwargs):
    """The throttles (the API's sign-in among them) count in the cache: a cache of each process's own lets every
    gunicorn worker count on its own, multiplying the limits."""
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.DEBUG or not backend.endswith(("LocMemCache", "DummyCache")):
        return []
    return [
        Warning(
            "The cache is each process's own (no CACHE_URL or REDIS_URL): every worker keeps its own throttle counts.",
            hint="Set CACHE_URL (or REDIS_URL) to a Redis shared by the workers (the README's production settings).",
            id="households.W003",
        )
    ]
