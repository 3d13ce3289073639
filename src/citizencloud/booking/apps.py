from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "citizencloud.booking"
    label = "booking"
    verbose_name = "Booking"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from citizencloud.booking import demo, schedule  # noqa: F401  (seeder, periodic jobs)
