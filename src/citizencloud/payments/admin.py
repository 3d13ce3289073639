from django.contrib import admin

from citizencloud.payments.models import (
    Bill,
    Biller,
    BillerAccount,
    Payment,
    Reconciliation,
    Refund,
)


@admin.register(Biller)
class BillerAdmin(admin.ModelAdmin[Biller]):
    list_display = ("code", "name", "kind", "department_code", "active")
    exclude = ("api_secret",)


@admin.register(Bill)
class BillAdmin(admin.ModelAdmin[Bill]):
    list_display = ("biller", "reference", "account_number", "amount_fen", "status", "due_date")
    list_filter = ("status", "biller")


@admin.register(BillerAccount)
class BillerAccountAdmin(admin.ModelAdmin[BillerAccount]):
    list_display = ("biller", "account_number", "status", "created_at")


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin[Payment]):
    list_display = ("public_id", "amount_fen", "refunded_fen", "state", "created_at")
    list_filter = ("state",)
    readonly_fields = [f.name for f in Payment._meta.fields]


@admin.register(Refund)
class RefundAdmin(admin.ModelAdmin[Refund]):
    list_display = ("public_id", "amount_fen", "status", "created_at")


@admin.register(Reconciliation)
class ReconciliationAdmin(admin.ModelAdmin[Reconciliation]):
    list_display = ("day", "status", "settled_count", "finished_at")
