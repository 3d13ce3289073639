from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "citizencloud.applications"
    label = "applications"
    verbose_name = "Applications"
