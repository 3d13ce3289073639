from django.apps import AppConfig


class KernelConfig(AppConfig):
    name = "citizencloud.kernel"
    label = "kernel"
    verbose_name = "Kernel"
