from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "citizencloud.campaigns"
    label = "campaigns"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from citizencloud.campaigns import demo  # noqa: F401  (registers the seeder)
