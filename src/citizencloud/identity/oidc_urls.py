"""OIDC provider endpoints, in django-oauth-toolkit's namespace so its discovery document finds
them: discovery and JWKS at the site root (the issuer is the site), the rest under /o/."""

from django.urls import path, re_path
from oauth2_provider import views as dot

from citizencloud.identity.oidc_views import ConsentView
from citizencloud.kernel.middleware import writes_on_safe_methods

app_name = "oauth2_provider"

urlpatterns = [
    re_path(
        r"^\.well-known/openid-configuration$",
        dot.ConnectDiscoveryInfoView.as_view(),
        name="oidc-connect-discovery-info",
    ),
    path(".well-known/jwks.json", dot.JwksInfoView.as_view(), name="jwks-info"),
    # Refusing a third party without consent is audited (a write), even on GET.
    path("o/authorize/", writes_on_safe_methods(ConsentView.as_view()), name="authorize"),
    path("o/token/", dot.TokenView.as_view(), name="token"),
    path("o/revoke_token/", dot.RevokeTokenView.as_view(), name="revoke-token"),
    # Releasing claims records who received them (an event, i.e. a write), even on GET.
    path("o/userinfo/", writes_on_safe_methods(dot.UserInfoView.as_view()), name="user-info"),
]
