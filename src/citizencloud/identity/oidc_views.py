"""The authorization endpoint's consent screen: the claims an app asks for in plain words, the
ID number only under its own scope and its own tick box; remembered consent skips the screen."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.http import HttpResponse
from oauth2_provider.exceptions import OAuthToolkitError
from oauth2_provider.views import AuthorizationView
from oauthlib.oauth2.rfc6749 import errors as oauth_errors

from citizencloud.identity import hooks, web
from citizencloud.identity.services import consent
from citizencloud.kernel.errors import DomainError

ID_NUMBER_SCOPE = "id_number"


class ConsentView(AuthorizationView):  # type: ignore[misc]
    template_name = "identity/oidc_consent.html"

    def _refuse_weak_pkce(self, application: Any) -> HttpResponse | None:
        # DOT refuses "plain" only once the grant is made; refuse before asking the person.
        if self.oauth2_data.get("code_challenge_method") != "S256":
            error = oauth_errors.InvalidRequestError(
                description="PKCE with code_challenge_method=S256 is required.",
                state=self.oauth2_data.get("state"),
            )
            response: HttpResponse = self.error_response(
                OAuthToolkitError(error=error, redirect_uri=self.oauth2_data["redirect_uri"]),
                application,
            )
            return response
        return None

    def _refuse_without_consent(
        self, application: Any, scopes: list[str], data: dict[str, Any]
    ) -> HttpResponse | None:
        # Registered guards (privacy's ConsentRequired) decide before anything is released.
        try:
            hooks.check_authorization(
                user=self.request.user, application=application, scopes=scopes
            )
        except DomainError as refused:
            error = oauth_errors.ConsentRequired(
                description=refused.message, state=data.get("state")
            )
            response: HttpResponse = self.error_response(
                OAuthToolkitError(error=error, redirect_uri=data["redirect_uri"]),
                application,
            )
            return response
        return None

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        application = context.get("application")
        if application is None or context.get("error"):  # an error page, not a consent screen
            page: HttpResponse = super().render_to_response(context, **kwargs)
            return page
        refused = self._refuse_weak_pkce(application)
        if refused is not None:
            return refused
        scopes = list(self.oauth2_data.get("scopes", []))
        refused = self._refuse_without_consent(application, scopes, self.oauth2_data)
        if refused is not None:
            return refused
        if consent.covers(user=self.request.user, application=application, scopes=scopes):
            credentials = {
                key: self.oauth2_data[key]
                for key in (
                    "client_id",
                    "redirect_uri",
                    "response_type",
                    "state",
                    "code_challenge",
                    "code_challenge_method",
                    "nonce",
                )
                if self.oauth2_data.get(key)
            }
            try:
                uri, _headers, _body, _status = self.create_authorization_response(
                    request=self.request,
                    scopes=" ".join(scopes),
                    credentials=credentials,
                    allow=True,
                )
            except OAuthToolkitError as error:
                return self.error_response(error, application)  # type: ignore[no-any-return]
            return self.redirect(uri, application)  # type: ignore[no-any-return]
        context["asks_id_number"] = ID_NUMBER_SCOPE in scopes
        response: HttpResponse = super().render_to_response(context, **kwargs)
        # Allowing redirects to the app: CSP form-action covers a form's redirect target too.
        target = urlsplit(str(self.oauth2_data.get("redirect_uri", "")))
        if target.scheme in ("http", "https") and target.netloc:
            response._csp_update = {  # type: ignore[attr-defined]
                "form-action": ["'self'", f"{target.scheme}://{target.netloc}"]
            }
        return response

    def form_valid(self, form: Any) -> HttpResponse:
        scopes = form.cleaned_data.get("scope", "").split()
        if ID_NUMBER_SCOPE in scopes and not self.request.POST.get("share_id_number"):
            scopes.remove(ID_NUMBER_SCOPE)  # no tick, no ID number
            form.cleaned_data["scope"] = " ".join(scopes)
        if form.cleaned_data.get("allow"):
            application = self._application(form.cleaned_data["client_id"])
            if application is not None:
                refused = self._refuse_without_consent(application, scopes, form.cleaned_data)
                if refused is not None:
                    return refused
                consent.grant(
                    user=self.request.user,
                    application=application,
                    scopes=scopes,
                    origin=web.origin(self.request),
                )
        response: HttpResponse = super().form_valid(form)
        return response

    @staticmethod
    def _application(client_id: str) -> Any:
        from oauth2_provider.models import get_application_model

        return get_application_model().objects.filter(client_id=client_id).first()
