from django.contrib import admin

from citizencloud.exchange.models import Message, Peer


@admin.register(Peer)
class PeerAdmin(admin.ModelAdmin[Peer]):
    list_display = ("code", "name", "endpoint", "department_code", "rate", "active")
    search_fields = ("code", "name")


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin[Message]):
    list_display = ("created_at", "direction", "peer_code", "path", "outcome", "duration_ms")
    list_filter = ("direction", "outcome")
    readonly_fields = [f.name for f in Message._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
