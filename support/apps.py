from django.apps import AppConfig


class SupportConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "support"
    verbose_name = "Hỗ trợ hộ gia đình"

    def ready(self) -> None:
        from config import lookups  # noqa: F401  (registers JSONField `has_item`)
