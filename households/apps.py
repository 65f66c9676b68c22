from axes import apps as axes_apps
from django.apps import AppConfig


class HouseholdsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "households"
    verbose_name = "Hộ gia đình và địa bàn"

    def ready(self) -> None:
        # django-axes tells of a new sign-in lock by its own signal (a library's, not one of our apps'): audited.
        from axes.signals import user_locked_out

        from households import system_checks  # noqa: F401 - registers the checks of the settings it reads
        from households.sign_in import audit_lockout

        user_locked_out.connect(audit_lockout, dispatch_uid="audit_lockout")

        # The API's remembered tokens are forgotten when a token, an account or an area changes, by any door.
        from config import token_cache

        token_cache.connect()


class AxesConfig(axes_apps.AppConfig):
    """django-axes, under a Vietnamese name in the admin (its records: households/admin/sign_in.py)."""

    default = False  # households' own config stays HouseholdsConfig
    verbose_name = "Đăng nhập"
