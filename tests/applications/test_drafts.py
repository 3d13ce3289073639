"""A late autosave after submission must not leave a stale draft: refused when it arrives after
the submission, ignored when it races with it (real threads, both orders)."""

from __future__ import annotations

import re
import threading
import time
from typing import Any

import pytest
from django.db import close_old_connections
from django.test import Client

from citizencloud.applications import services
from citizencloud.applications.models import Application, Draft
from tests.applications.test_views import _login
from tests.factories.applications import RENT_FORM, create_citizen, create_service


def _opened(page: str) -> str:
    found = re.search(r'name="opened" value="([^"]+)"', page)
    assert found, "the apply form carries its opened-at stamp"
    return found.group(1)


@pytest.mark.django_db
def test_autosave_arriving_after_the_submission_is_refused(client: Client) -> None:
    create_service()
    _login(client, create_citizen())
    opened = _opened(client.get("/apply/gjj-withdraw-rent/").content.decode())
    client.post("/apply/gjj-withdraw-rent/", {**RENT_FORM, "opened": opened})
    assert Application.objects.count() == 1
    # The autosave the browser fired 800 ms after the last change lands after the submission.
    late = client.post(
        "/apply/gjj-withdraw-rent/",
        {"op": "draft", "monthly_rent": "9999", "opened": opened},
        HTTP_HX_REQUEST="true",
    )
    assert late.status_code == 200
    assert "已经提交" in late.content.decode()
    assert Draft.objects.count() == 0
    plain = client.post("/apply/gjj-withdraw-rent/", {"op": "draft", "opened": opened})
    assert plain.status_code == 302
    assert Draft.objects.count() == 0
    # The form opened afresh starts empty, and drafts again normally.
    fresh = client.get("/apply/gjj-withdraw-rent/").content.decode()
    assert 'value="9999"' not in fresh
    client.post(
        "/apply/gjj-withdraw-rent/",
        {"op": "draft", "monthly_rent": "2300", "opened": _opened(fresh)},
        HTTP_HX_REQUEST="true",
    )
    assert 'value="2300"' in client.get("/apply/gjj-withdraw-rent/").content.decode()


@pytest.mark.django_db
def test_a_tampered_opened_stamp_counts_as_now() -> None:
    create_service()
    citizen = create_citizen()
    assert services.opened_at("forged") is None
    assert services.opened_at(services.opened_token()) is not None
    services.save_draft(citizen=citizen, service_code="gjj-withdraw-rent", form={"phone": "1"})
    assert services.draft_answers(citizen=citizen, service_code="gjj-withdraw-rent") == {
        "phone": "1"
    }


def _race(submitter: Client, saver: Client, opened: str, delay: dict[str, float]) -> dict[str, Any]:
    """Submit with one client and autosave with the other, in two threads started together."""
    barrier = threading.Barrier(2)
    results: dict[str, Any] = {}

    def submit() -> None:
        try:
            barrier.wait(timeout=10)
            time.sleep(delay["submit"])
            response = submitter.post("/apply/gjj-withdraw-rent/", {**RENT_FORM, "opened": opened})
            results["submit"] = response.status_code
        except Exception as error:  # noqa: BLE001 - reported by the assertion of the caller
            results["submit"] = repr(error)
        finally:
            close_old_connections()

    def autosave() -> None:
        try:
            barrier.wait(timeout=10)
            time.sleep(delay["autosave"])
            response = saver.post(
                "/apply/gjj-withdraw-rent/",
                {"op": "draft", "monthly_rent": "9999", "opened": opened},
                HTTP_HX_REQUEST="true",
            )
            results["autosave"] = response.content.decode().strip()[:40]
        except Exception as error:  # noqa: BLE001 - a lock timeout is a refusal too
            results["autosave"] = repr(error)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=submit), threading.Thread(target=autosave)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


@pytest.mark.django_db(transaction=True)
def test_autosave_racing_the_submission_never_leaves_a_stale_draft() -> None:
    """The submission and a late autosave of the same form, through the pages, in two threads
    (two requests, two transactions): the autosave lands after the submission, before it, or
    truly at once. Whatever interleaving the database picks, the citizen's next visit to the
    form shows no stale draft."""
    create_service()
    outcomes: list[Any] = []
    for n in range(6):
        citizen = create_citizen()
        submitter, saver = _login(Client(), citizen), _login(Client(), citizen)
        page = submitter.get("/apply/gjj-withdraw-rent/").content.decode()
        opened = _opened(page)
        saver.post(
            "/apply/gjj-withdraw-rent/",
            {"op": "draft", "monthly_rent": "1000", "opened": opened},
            HTTP_HX_REQUEST="true",
        )
        delay = {"submit": 0.0, "autosave": 0.0}
        if n % 3 == 0:
            delay["autosave"] = 0.15  # the autosave arrives after the submission
        elif n % 3 == 1:
            delay["submit"] = 0.15  # the autosave just before the submission
        results = _race(submitter, saver, opened, delay)
        assert results["submit"] == 302, results
        outcomes.append(results["autosave"])
        assert Application.objects.filter(citizen=citizen).count() == 1
        assert services.draft_answers(citizen=citizen, service_code="gjj-withdraw-rent") == {}
        fresh = submitter.get("/apply/gjj-withdraw-rent/").content.decode()
        assert 'value="9999"' not in fresh
        assert 'value="1000"' not in fresh
    print("autosave outcomes:", outcomes)
