from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "citizencloud.privacy"
    label = "privacy"
    verbose_name = "Privacy"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from citizencloud.exchange import guards
        from citizencloud.identity import hooks
        from citizencloud.privacy import (
            consents,
            demo,  # noqa: F401  (registers the demo bank)
            handlers,  # noqa: F401  (subscribes to events)
        )

        # The ConsentRequired check in the OIDC path (identity cannot import privacy).
        hooks.register_authorization_guard(consents.oidc_guard)
        # ... and in the exchange path: a third party that is an exchange peer.
        guards.register(consents.exchange_guard)
