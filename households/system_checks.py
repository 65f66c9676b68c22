"""System checks of the settings the households app reads (`manage.py check`, and `migrate` before it runs):
SECOND_FACTOR_ROLES names real roles; with `--deploy`, the second factor is required (SECOND_FACTOR_REQUIRED=1)."""

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
