from django.apps import AppConfig


class QueryConfig(AppConfig):
    name = "citizencloud.query"
    label = "query"
    verbose_name = "Query own records"
    default_auto_field = "django.db.models.BigAutoField"
