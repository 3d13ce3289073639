from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "citizencloud.org"
    label = "org"
    verbose_name = "Organisation"

    def ready(self) -> None:
        from citizencloud.org import demo  # noqa: F401  (registers the demo seeder)
