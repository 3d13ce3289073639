"""The OIDC provider's rules on top of django-oauth-toolkit: pairwise subject ids per sector,
claims by scope (the ID number only under its own scope), single-use codes whose replay revokes
what they bought, and ``private_key_jwt`` client authentication."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from typing import Any
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.urls import reverse
from jwcrypto import jwk, jwt
from jwcrypto.common import JWException
from oauth2_provider.models import AccessToken, get_application_model
from oauth2_provider.oauth2_validators import OAuth2Validator

from citizencloud.identity.models import AssertionJti, ClientProfile, CodeExchange, User
from citizencloud.kernel import audit, clock, events
from citizencloud.kernel.crypto import blind_index
from citizencloud.kernel.logging import get_logger

log = get_logger("citizencloud.identity.oidc")
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_ALGORITHMS = ("RS256", "PS256", "ES256", "EdDSA")
MAX_ASSERTION_LIFETIME = dt.timedelta(minutes=61)  # common client libraries use 1 h


def sector_of(application: Any) -> str:
    """The sector an app belongs to: its profile's, else its first redirect URI's host."""
    profile = ClientProfile.objects.filter(application=application).first()
    if profile is not None and profile.sector_identifier:
        return str(profile.sector_identifier)
    uris = str(application.redirect_uris or "").split()
    return (
        urlsplit(uris[0]).hostname or str(application.client_id)
        if uris
        else str(application.client_id)
    )


def pairwise_sub(user: User, application: Any) -> str:
    """A subject id that is stable for one sector and unlinkable across sectors."""
    return blind_index(f"{sector_of(application)}|{user.public_id}", "oidc_sub")


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _b64json(part: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return data


# Claims carrying personal data; releasing one is a read of it by the client's system.
PERSONAL_CLAIMS = frozenset({"name", "phone_number", "id_number"})


class Validator(OAuth2Validator):  # type: ignore[misc]
    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "name": "profile",
        "assurance_level": "profile",
        "phone_number": "phone",
        "phone_number_verified": "phone",
        "id_number": "id_number",
    }

    def get_oidc_claims(self, token: Any, token_handler: Any, request: Any) -> dict[str, Any]:
        """The claims released to the client; personal ones are announced so the citizen's
        "who looked at my data" ledger shows which app received what."""
        claims: dict[str, Any] = super().get_oidc_claims(token, token_handler, request)
        released = sorted(PERSONAL_CLAIMS & claims.keys())
        if released:
            client = request.client
            events.emit(
                "identity.claims_released",
                user_public_id=str(request.user.public_id),
                client_id=str(client.client_id),
                client_name=str(client.name or client.client_id),
                claims=released,
            )
        return claims

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        user: User = request.user
        claims: dict[str, Any] = {
            "sub": pairwise_sub(user, request.client),
            "name": str(user.real_name or user.display_name),
            "assurance_level": int(user.assurance),
        }
        if user.phone:
            claims["phone_number"] = f"+86{user.phone}"
            claims["phone_number_verified"] = user.phone_verified_at is not None
        if user.id_number:
            claims["id_number"] = str(user.id_number)
        return claims

    # --- single-use codes: a replay revokes the tokens the code bought ----------------------

    def validate_code(
        self, client_id: str, code: str, client: Any, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        if super().validate_code(client_id, code, client, request, *args, **kwargs):
            return True
        used = CodeExchange.objects.filter(code_hash=_code_hash(code)).first()
        if used is not None and used.access_token_id is not None:
            token = AccessToken.objects.filter(pk=used.access_token_id).first()
            if token is not None:
                refresh = getattr(token, "refresh_token", None)
                if refresh is not None:
                    refresh.revoke()
                token.revoke()
            audit.record(
                action="identity.oidc_code_replayed",
                target=("oauth2_provider.application", str(getattr(client, "client_id", ""))),
                details={"revoked": token is not None},
            )
        return False

    def save_bearer_token(
        self, token: dict[str, Any], request: Any, *args: Any, **kwargs: Any
    ) -> Any:
        result = super().save_bearer_token(token, request, *args, **kwargs)
        code = request._params.get("code") if request.grant_type == "authorization_code" else None
        if code and token.get("access_token"):
            checksum = hashlib.sha256(token["access_token"].encode()).hexdigest()
            access = AccessToken.objects.filter(token_checksum=checksum).first()
            CodeExchange.objects.create(
                code_hash=_code_hash(code), access_token=access, created_at=clock.now()
            )
        return result

    # --- private_key_jwt (RFC 7523 client authentication) ---------------------------------

    def authenticate_client(self, request: Any, *args: Any, **kwargs: Any) -> bool:
        if request._params.get("client_assertion_type") == JWT_BEARER:
            return self._authenticate_assertion(request)
        return bool(super().authenticate_client(request, *args, **kwargs))

    def _authenticate_assertion(self, request: Any) -> bool:
        assertion = str(request._params.get("client_assertion") or "")
        try:
            header_part, claims_part, _signature = assertion.split(".")
            header, unverified = _b64json(header_part), _b64json(claims_part)
        except ValueError:
            return False
        algorithm = header.get("alg")
        if algorithm not in ASSERTION_ALGORITHMS:  # never "none", never a shared-secret HS*
            log.warning("identity.oidc_assertion_rejected", reason="algorithm")
            return False
        client_id = str(unverified.get("iss") or "")
        application = get_application_model().objects.filter(client_id=client_id).first()
        profile = ClientProfile.objects.filter(application=application).first()
        if application is None or profile is None or not profile.jwks:
            return False
        try:
            keys = jwk.JWKSet.from_json(json.dumps(profile.jwks))
            token = jwt.JWT(
                jwt=assertion,
                key=keys,
                algs=[algorithm],
                check_claims={"iss": client_id, "sub": client_id, "exp": None},
            )
            claims = json.loads(token.claims)
        except (JWException, ValueError, TypeError) as error:
            log.warning("identity.oidc_assertion_rejected", reason=type(error).__name__)
            return False
        if not self._assertion_claims_ok(claims, request, client_id):
            return False
        request.client = application
        request.client_id = client_id
        return True

    def _assertion_claims_ok(self, claims: dict[str, Any], request: Any, client_id: str) -> bool:
        issuer = str(self.get_oidc_issuer_endpoint(request))
        endpoint = issuer + reverse("oauth2_provider:token")
        audience = claims.get("aud")
        audiences = set(audience if isinstance(audience, list) else [audience])
        if not audiences & {endpoint, issuer}:  # RFC 7523: the token endpoint (or the issuer)
            log.warning("identity.oidc_assertion_rejected", reason="audience")
            return False
        now = clock.now()
        expires = dt.datetime.fromtimestamp(int(claims["exp"]), tz=dt.UTC)
        jti = str(claims.get("jti") or "")
        if not jti or expires - now > MAX_ASSERTION_LIFETIME:
            log.warning("identity.oidc_assertion_rejected", reason="jti_or_lifetime")
            return False
        try:
            with transaction.atomic():
                AssertionJti.objects.create(client_id=client_id, jti=jti[:200], expires_at=expires)
        except IntegrityError:
            log.warning("identity.oidc_assertion_rejected", reason="replay")
            return False
        return True
