from django.apps import AppConfig


class HouseholdsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "households"
    verbose_name = "Hộ gia đình và địa bàn"

    def ready(self) -> None:
        from households import checks  # noqa: F401  # registers the system checks
