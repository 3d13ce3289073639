from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "citizencloud.identity"
    label = "identity"
    verbose_name = "Identity"

    def ready(self) -> None:
        from citizencloud.identity import demo  # noqa: F401  (registers the demo seeder)
