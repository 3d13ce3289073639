from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "citizencloud.applications"
    label = "applications"
    verbose_name = "Applications"

    def ready(self) -> None:
        from citizencloud.applications import (  # noqa: F401  (registers the seeder and the job)
            demo,
            rights,
            schedule,
        )
