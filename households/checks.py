"""System checks of the registry's settings (registered in `HouseholdsConfig.ready`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def access_log_enabled(app_configs, **kwargs):
    """`check --deploy` warns when the access log of personal data is off in production (DEBUG off): the switch
    exists to measure the log's cost, not to run without it."""
    if settings.ACCESS_LOG_ENABLED or settings.DEBUG:
        return []
    return [
        Warning(
            "ACCESS_LOG_ENABLED is off: reading households' personal data leaves no trace in the access log.",
            hint="Unset ACCESS_LOG_ENABLED (it is on by default) or set it to 1.",
            id="households.W001",
        )
    ]
