from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from ninja import Field, Schema

from citizencloud.kernel.masking import mask_name
from citizencloud.privacy.models import DataAccess


class AccessorOut(Schema):
    kind: str
    name: str
    department: str


class DataAccessListItem(Schema):
    id: uuid.UUID
    accessed_at: dt.datetime
    accessor: AccessorOut
    purpose: str
    legal_basis: str
    legal_basis_label: str
    fields: list[str]
    channel: str
    channel_label: str

    @staticmethod
    def resolve_id(obj: DataAccess) -> uuid.UUID:
        return obj.public_id

    @staticmethod
    def resolve_accessor(obj: DataAccess) -> AccessorOut:
        # The citizen sees which department and a masked staff name, not a full identity.
        return AccessorOut(
            kind=obj.accessor_kind,
            name=mask_name(obj.accessor_name),
            department=obj.accessor_department,
        )

    @staticmethod
    def resolve_legal_basis_label(obj: DataAccess) -> str:
        return str(obj.get_legal_basis_display())

    @staticmethod
    def resolve_channel_label(obj: DataAccess) -> str:
        return str(obj.get_channel_display())


class ConsentIn(Schema):
    party: str = Field(max_length=60)
    purpose: str = Field(max_length=60)
    items: list[str] = Field(max_length=20)
    actions: list[str] = Field(max_length=10)
    days: int = Field(ge=1, le=3650)


class ConsentOut(Schema):
    id: str
    kind: str  # third_party | platform | sso
    party: str
    party_name: str
    client_id: str = ""
    purpose: str
    purpose_text: str = ""
    items: list[str]
    actions: list[str]
    scopes: list[str] = []
    granted_at: dt.datetime
    expires_at: dt.datetime | None = None
    revoked_at: dt.datetime | None = None
    status: str  # active | expired | revoked
    party_confirmed: bool | None = None  # after a revoke: did the party acknowledge it?
    receipt_url: str = ""


class ActIn(Schema):
    sub: str = Field(min_length=8, max_length=64)
    purpose: str = Field(max_length=60)
    items: list[str] = Field(max_length=20)
    action: str = Field(max_length=40)


class ActOut(Schema):
    consent_id: str
    expires_at: dt.datetime | None
    data: dict[str, Any]


class SigningKeyOut(Schema):
    kid: str
    alg: str
    public_key: str


class AckOut(Schema):
    confirmed: bool


class DeletionIn(Schema):
    password: str = Field(max_length=200)
    confirm: bool


class RetainedOut(Schema):
    category: str
    count: int
    reason: str


class DeletionOut(Schema):
    deleted: bool
    retained: list[RetainedOut]
