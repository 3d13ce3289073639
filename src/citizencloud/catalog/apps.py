from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "citizencloud.catalog"
    label = "catalog"
    verbose_name = "Catalog"

    def ready(self) -> None:
        from citizencloud.catalog import demo  # noqa: F401  (registers the demo seeder)
