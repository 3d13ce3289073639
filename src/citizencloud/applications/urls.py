from django.urls import path

from citizencloud.applications import views

app_name = "applications"

urlpatterns = [
    path("apply/bundle/<str:code>/", views.apply_bundle, name="apply-bundle"),
    path("apply/<str:code>/", views.apply, name="apply"),
    path("my/applications/", views.mine, name="mine"),
    path("my/bundles/<str:reference>/", views.bundle, name="bundle"),
    path("my/applications/<str:case_id>/", views.case, name="case"),
    path("my/applications/<str:case_id>/supplement/", views.supplement, name="supplement"),
    path("my/applications/<str:case_id>/withdraw/", views.withdraw, name="withdraw"),
    path(
        "my/applications/<str:case_id>/certificate.json",
        views.certificate_json,
        name="certificate-json",
    ),
    path(
        "my/applications/<str:case_id>/certificate.pdf",
        views.certificate_pdf,
        name="certificate-pdf",
    ),
    path("verify/<str:certificate_id>/", views.verify, name="verify"),
    path("staff/cases/", views.queue, name="queue"),
    path("staff/cases/<str:case_id>/", views.staff_case, name="staff-case"),
]
