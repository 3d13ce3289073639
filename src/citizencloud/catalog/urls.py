from django.urls import path

from citizencloud.catalog import views

app_name = "catalog"

urlpatterns = [
    path("services/", views.search, name="search"),
    path("services/<str:code>/", views.guide, name="guide"),
    path("services/<str:code>/history/", views.history, name="history"),
    path("themes/<slug:theme>/", views.search, name="theme"),
    path("life-events/<slug:code>/", views.life_event, name="life-event"),
    path("departments/<str:code>/", views.department, name="department"),
    path("service-points/<str:code>/", views.service_point, name="service-point"),
    path("regions/", views.regions, name="regions"),
]
