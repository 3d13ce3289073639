"""record_access: the data-access ledger entry and its audit entry."""

from __future__ import annotations

import pytest

from citizencloud.identity.models import User
from citizencloud.kernel import audit
from citizencloud.kernel.errors import DomainError
from citizencloud.kernel.models import AuditEntry
from citizencloud.privacy import selectors, services
from citizencloud.privacy.models import Channel, DataAccess, LegalBasis

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen() -> User:
    return User.objects.create_user("citizen", "pw-123456789", display_name="张三")


@pytest.fixture
def clerk() -> User:
    clerk = User.objects.create_user("clerk", "pw-123456789", kind="staff", display_name="王小明")
    clerk.department = "成都市医疗保障局"  # type: ignore[attr-defined]  (org comes later)
    return clerk


def test_record_access_writes_the_ledger_and_an_audit_entry(citizen: User, clerk: User) -> None:
    access = services.record_access(
        citizen=citizen,
        accessor=clerk,
        purpose="Medical insurance reimbursement review",
        legal_basis=LegalBasis.STATUTORY_DUTY,
        fields=["national_id", "insurance.records"],
        channel=Channel.STAFF_CONSOLE,
    )
    assert access.accessor_kind == "staff"
    assert access.accessor_department == "成都市医疗保障局"
    entry = AuditEntry.objects.get(pk=access.audit_entry_id)
    assert entry.action == "privacy.data_accessed"
    assert entry.actor_id == str(clerk.public_id)
    assert entry.target_id == str(citizen.public_id)
    assert entry.details["access_id"] == str(access.public_id)
    assert entry.details["fields"] == ["national_id", "insurance.records"]
    audit.chain_pending()
    assert audit.verify().ok


def test_a_system_read_has_a_system_accessor(citizen: User) -> None:
    access = services.record_access(
        citizen=citizen,
        accessor=audit.Actor(kind="system", name="social-insurance sync"),
        purpose="Nightly eligibility check",
        legal_basis="statutory_duty",
        fields=["national_id"],
        channel="system",
    )
    assert (access.accessor_kind, access.accessor_name) == ("system", "social-insurance sync")


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"fields": []}, DomainError),
        ({"fields": ["510105199001011234"]}, DomainError),  # values are not field names
        ({"purpose": "  "}, DomainError),
        ({"purpose": "called 13812345678"}, DomainError),
        ({"legal_basis": "because"}, ValueError),
        ({"channel": "carrier pigeon"}, ValueError),
    ],
)
def test_bad_records_are_refused(
    citizen: User, clerk: User, overrides: dict[str, object], error: type[Exception]
) -> None:
    arguments: dict[str, object] = {
        "citizen": citizen,
        "accessor": clerk,
        "purpose": "Counter service",
        "legal_basis": "consent",
        "fields": ["phone"],
        "channel": "counter",
        **overrides,
    }
    with pytest.raises(error):
        services.record_access(**arguments)  # type: ignore[arg-type]
    assert not DataAccess.objects.exists()


def test_selector_hides_restricted_entries_until_their_show_from(
    citizen: User, clerk: User
) -> None:
    import datetime as dt

    from citizencloud.kernel import clock

    with clock.frozen(dt.datetime(2026, 6, 1, tzinfo=dt.UTC)) as advance:
        services.record_access(
            citizen=citizen,
            accessor=clerk,
            purpose="Investigation",
            legal_basis="other_law",
            fields=["phone"],
            channel="staff_console",
            show_from=dt.datetime(2026, 9, 1, tzinfo=dt.UTC),
        )
        assert selectors.accesses_for(citizen).count() == 0
        advance(dt.timedelta(days=92))
        assert selectors.accesses_for(citizen).count() == 1
