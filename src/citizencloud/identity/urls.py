from django.urls import path

from citizencloud.identity import views

app_name = "identity"

urlpatterns = [
    path("", views.account, name="account"),
    path("register/", views.register, name="register"),
    path("register/verify/", views.verify_phone, name="verify-phone"),
    path("login/", views.login, name="login"),
    path("login/mfa/", views.login_mfa, name="login-mfa"),
    path("logout/", views.logout, name="logout"),
    path("password-reset/", views.password_reset, name="password-reset"),
    path("password-reset/confirm/", views.password_reset_confirm, name="password-reset-confirm"),
    path("verify-identity/", views.verify_identity, name="verify-identity"),
    path("devices/", views.devices, name="devices"),
    path("devices/<uuid:session_id>/end/", views.end_device, name="end-device"),
    path("devices/end-all/", views.end_everywhere, name="end-everywhere"),
    path("activity/", views.activity, name="activity"),
    path("activity/<uuid:activity_id>/not-me/", views.not_me, name="not-me"),
    path("mfa/", views.mfa, name="mfa"),
    path("consents/<uuid:consent_id>/revoke/", views.revoke_consent, name="revoke-consent"),
    path("profile/", views.profile, name="profile"),
    path("phone/", views.change_phone, name="change-phone"),
    path("phone/confirm/", views.confirm_phone, name="confirm-phone"),
    path("businesses/", views.businesses, name="businesses"),
    path("businesses/acting-as/", views.act_as, name="act-as"),
    path("businesses/<uuid:business_id>/agents/", views.agents, name="agents"),
]
