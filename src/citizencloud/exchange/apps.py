from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "citizencloud.exchange"
    label = "exchange"
    verbose_name = "Data exchange"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from citizencloud.exchange import demo, inbound, schedule  # noqa: F401  (registries)
