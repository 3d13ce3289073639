from django.urls import path

from citizencloud.privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.centre, name="centre"),
    path("consents/grant", views.grant, name="grant"),
    path("consents/<uuid:consent_id>/", views.receipt, name="receipt"),
    path("consents/<uuid:consent_id>/revoke", views.revoke, name="revoke"),
    path("data-access/", views.data_access, name="data-access"),
    path("export", views.export, name="export"),
    path("correct/", views.correct, name="correct"),
    path("erase/", views.erase, name="erase"),
]
