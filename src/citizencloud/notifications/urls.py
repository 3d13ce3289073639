from django.urls import path

from citizencloud.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("preferences/", views.preferences, name="preferences"),
    path("<uuid:message_id>/read", views.mark_read, name="read"),
    path("<uuid:message_id>/archive", views.archive, name="archive"),
]
