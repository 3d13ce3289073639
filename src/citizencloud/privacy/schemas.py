from __future__ import annotations

import datetime as dt
import uuid

from ninja import Schema

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
