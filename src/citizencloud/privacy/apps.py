from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "citizencloud.privacy"
    label = "privacy"
    verbose_name = "Privacy"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from citizencloud.privacy import handlers  # noqa: F401  (subscribes to events)
