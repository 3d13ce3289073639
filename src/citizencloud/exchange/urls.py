from django.urls import path

from citizencloud.exchange import views

app_name = "exchange"

urlpatterns = [
    path("keys", views.keys, name="keys"),
    path("<slug:service>", views.receive, name="receive"),
]
