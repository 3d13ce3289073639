from django.urls import path

from citizencloud.booking import views

app_name = "booking"

urlpatterns = [
    path("", views.find, name="find"),
    path("book/", views.book, name="book"),
    path("my/", views.mine, name="mine"),
    path("my/<str:booking_id>/", views.detail, name="detail"),
    path("my/<str:booking_id>/queue/", views.queue_partial, name="queue"),
    path("my/<str:booking_id>/cancel/", views.cancel, name="cancel"),
    path("my/<str:booking_id>/reschedule/", views.reschedule, name="reschedule"),
    path("kiosk/<str:point>/", views.kiosk, name="kiosk"),
    path("display/<str:point>/", views.display, name="display"),
    path("display/<str:point>/board/", views.display_board, name="display-board"),
    path("staff/", views.staff_home, name="staff"),
    path("staff/resources/<str:code>/", views.staff_schedule, name="staff-schedule"),
    path("staff/points/<str:point>/call/", views.staff_call, name="staff-call"),
]
