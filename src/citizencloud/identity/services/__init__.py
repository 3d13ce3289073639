"""Every write of the identity app, one module per use case; import the functions from here."""

from citizencloud.identity.services.business import (
    act_as,
    grant_agent,
    register_business,
    revoke_agent,
)
from citizencloud.identity.services.common import Origin
from citizencloud.identity.services.mfa import (
    confirm_totp,
    disable_totp,
    start_totp,
)
from citizencloud.identity.services.profile import (
    change_display_name,
    confirm_phone_change,
    start_phone_change,
)
from citizencloud.identity.services.registration import (
    register_citizen,
    verify_identity,
    verify_phone,
)
from citizencloud.identity.services.reset import confirm_reset, request_reset
from citizencloud.identity.services.sessions import (
    end_all_sessions,
    end_session,
    report_not_me,
    touch_session,
)
from citizencloud.identity.services.signin import (
    LoginResult,
    change_password,
    login,
)

__all__ = [
    "LoginResult",
    "Origin",
    "act_as",
    "change_display_name",
    "change_password",
    "confirm_phone_change",
    "confirm_reset",
    "confirm_totp",
    "disable_totp",
    "end_all_sessions",
    "end_session",
    "grant_agent",
    "login",
    "register_business",
    "register_citizen",
    "report_not_me",
    "request_reset",
    "revoke_agent",
    "start_phone_change",
    "start_totp",
    "touch_session",
    "verify_identity",
    "verify_phone",
]
