from django.urls import path

from citizencloud.payments import views

app_name = "payments"

urlpatterns = [
    path("", views.bills, name="bills"),
    path("accounts/", views.accounts, name="accounts"),
    path("bills/<uuid:bill_id>/pay", views.pay, name="pay"),
    path("payments/", views.history, name="history"),
    path("payments/<uuid:payment_id>/", views.detail, name="detail"),
    path("payments/<uuid:payment_id>/return", views.returned, name="return"),
    path("payments/<uuid:payment_id>/receipt.pdf", views.receipt, name="receipt"),
    path("finance/", views.finance, name="finance"),
    path("finance/refunds", views.refund, name="refund"),
    path("finance/refunds/<uuid:refund_id>/approve", views.approve, name="approve"),
]
