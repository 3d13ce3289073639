"""Two clerks decide the same case at once: one wins, the other is told (real threads)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import close_old_connections, transaction

from citizencloud.applications import services
from citizencloud.applications.models import Application, Step
from tests.factories.applications import create_application, create_staff


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("second", ["refuse", "claim"])
def test_two_clerks_one_wins(second: str) -> None:
    case = create_application()
    clerks = [create_staff("clerk"), create_staff("clerk")]
    version = case.version
    barrier = threading.Barrier(2)
    outcomes: list[Any] = [None, None]

    def decide(index: int, action: str) -> None:
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                if action == "claim":
                    services.claim(staff=clerks[index], public_id=case.public_id, version=version)
                else:
                    services.act(
                        staff=clerks[index],
                        public_id=case.public_id,
                        action=action,
                        version=version,
                        details={"reason": "重复申请"},
                    )
            outcomes[index] = "won"
        except services.StaleCase as error:
            outcomes[index] = error.code
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            outcomes[index] = repr(error)
        finally:
            close_old_connections()

    threads = [
        threading.Thread(target=decide, args=(0, "accept")),
        threading.Thread(target=decide, args=(1, second)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["applications.stale", "won"], outcomes
    stored = Application.objects.get(pk=case.pk)
    assert stored.version == version + 1
    assert Step.objects.filter(application=stored).exclude(action="submit").count() == 1
