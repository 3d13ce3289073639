"""Every transition emits its event through kernel.events (one task per subscriber)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from citizencloud.applications import services
from citizencloud.kernel import events
from tests.factories.applications import create_application, create_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def emitted(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, dict[str, object]]]]:
    seen: list[tuple[str, dict[str, object]]] = []
    original = events.emit

    def spy(name: str, **payload: object) -> events.Event:
        seen.append((name, payload))
        return original(name, **payload)

    monkeypatch.setattr(events, "emit", spy)
    return seen


def test_each_transition_emits(emitted: list[tuple[str, dict[str, object]]]) -> None:
    case = create_application()
    clerk, reviewer = create_staff("clerk"), create_staff("reviewer")
    for staff, action, details in [
        (clerk, "accept", {}),
        (clerk, "request_supplement", {"items": ["合同"]}),
    ]:
        services.act(staff=staff, public_id=case.public_id, action=action, details=details)
    services.supply(citizen=case.citizen, public_id=case.public_id)
    services.act(
        staff=reviewer,
        public_id=case.public_id,
        action="reject",
        details={"legal_basis": "《条例》"},
    )
    names = [name for name, _ in emitted]
    assert names == [
        "applications.submitted",
        "applications.accepted",
        "applications.supplement_requested",
        "applications.supplemented",
        "applications.decided",
    ]
    payload = emitted[-1][1]
    assert payload["state"] == "rejected"
    assert payload["citizen_id"] == case.citizen_id
    assert "张三" not in str(emitted)  # ids only, never personal data
