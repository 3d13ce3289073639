"""API shapes of the identity app."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field


class CitizenIn(Schema):
    name: str = Field(max_length=100)
    id_number: str = Field(max_length=40)
    phone: str = Field(max_length=30)
    password: str = Field(max_length=1024)


class AcceptedOut(Schema):
    status: str
    detail: str


class VerifyPhoneIn(Schema):
    phone: str = Field(max_length=30)
    code: str = Field(max_length=20)


class AccountOut(Schema):
    id: str
    status: str
    assurance_level: int


class SessionIn(Schema):
    login: str = Field(max_length=100)
    password: str = Field(max_length=1024)
    otp: str | None = Field(default=None, max_length=20)


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"  # noqa: S105 (the scheme name)
    expires_at: dt.datetime
    session_id: str


class MeOut(Schema):
    id: str
    kind: str
    name: str
    id_number: str
    phone: str
    assurance_level: int
    mfa_enabled: bool
    recovery_codes_left: int
    acting_as: str | None


class SessionOut(Schema):
    id: str
    current: bool
    user_agent: str
    ip: str | None
    created_at: dt.datetime
    last_seen_at: dt.datetime
    expires_at: dt.datetime
    mfa: bool


class ActivityOut(Schema):
    id: str
    kind: str
    at: dt.datetime
    ip: str | None
    user_agent: str
    reported: bool


class TotpStartOut(Schema):
    secret: str
    otpauth_uri: str
    qr_svg_data_uri: str


class CodeIn(Schema):
    code: str = Field(max_length=20)


class RecoveryCodesOut(Schema):
    recovery_codes: list[str]


class PasswordIn(Schema):
    password: str = Field(max_length=1024)


class PasswordChangeIn(Schema):
    current_password: str = Field(max_length=1024)
    new_password: str = Field(max_length=1024)


class BusinessIn(Schema):
    name: str = Field(max_length=200)
    uscc: str = Field(max_length=30)


class BusinessOut(Schema):
    id: str
    name: str
    uscc: str
    representative: bool
    powers: list[str]


class AgentIn(Schema):
    agent_phone: str = Field(max_length=30)
    powers: list[str]


class AgentOut(Schema):
    id: str
    agent: str
    powers: list[str]
    granted_at: dt.datetime


class ActingAsIn(Schema):
    business_id: str | None = None


class ConsentOut(Schema):
    id: str
    app: str
    client_id: str
    scopes: list[str]
    granted_at: dt.datetime


class ResetIn(Schema):
    phone: str = Field(max_length=30)


class ResetConfirmIn(Schema):
    phone: str = Field(max_length=30)
    code: str = Field(max_length=20)
    new_password: str = Field(max_length=1024)


class ProfileIn(Schema):
    display_name: str = Field(max_length=100)


class ProfileOut(Schema):
    display_name: str
    phone: str


class PhoneChangeIn(Schema):
    phone: str = Field(max_length=30)


class PhoneConfirmIn(Schema):
    code: str = Field(max_length=20)
    password: str = Field(default="", max_length=1024)
