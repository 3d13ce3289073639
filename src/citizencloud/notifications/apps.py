from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "citizencloud.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # Subscribing happens on import: handlers register themselves with kernel.events.
        from citizencloud.notifications import (  # noqa: F401
            demo,
            handlers,
            rights,
        )
