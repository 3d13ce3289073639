"""Every step of an application becomes a `service` notice to the applicant (issue 8 → 6)."""

from __future__ import annotations

import pytest

from citizencloud.kernel import clock, events
from citizencloud.notifications import handlers
from citizencloud.notifications.models import Message
from tests.notifications.factories import create_user

pytestmark = pytest.mark.django_db

STEPS = [
    "submitted",
    "accepted",
    "not_accepted",
    "supplement_requested",
    "decided",
    "completed",
    "withdrawn",
    "message",
]


@pytest.mark.parametrize("step", STEPS)
def test_each_application_step_tells_the_applicant(step: str) -> None:
    applicant = create_user()
    name = f"applications.{step}"
    assert "citizencloud.notifications.handlers:handle" in events.subscribers(name)
    event = events.Event(
        name,
        f"evt-{step}",
        clock.now().isoformat(),
        {"user_id": str(applicant.public_id), "case_number": "BJ-2026-000042", "state": step},
    )
    handlers.handle(event)
    handlers.handle(event)  # delivered twice (at least once): still one message
    (message,) = Message.objects.filter(recipient=applicant)
    assert message.category == "service"
    assert "BJ-2026-000042" in message.body_zh
    assert "BJ-2026-000042" in message.body_en
