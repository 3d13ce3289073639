from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "citizencloud.payments"
    label = "payments"
    verbose_name = "Payments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from citizencloud.payments import (  # noqa: F401  (seeder, periodic jobs, privacy rights)
            demo,
            rights,
            schedule,
        )
