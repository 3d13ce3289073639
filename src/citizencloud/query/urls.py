from django.urls import path

from citizencloud.query import views

app_name = "query"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
