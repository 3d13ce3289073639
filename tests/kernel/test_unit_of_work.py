"""One transaction per request; on SQLite, reads do not take the write lock."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from django.test import Client

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's locking only")
def test_a_page_read_does_not_wait_for_a_writer_holding_the_lock() -> None:
    """While another connection holds SQLite's write lock, GET pages still answer at once."""
    locked, release = threading.Event(), threading.Event()

    def writer() -> None:
        with transaction.atomic():  # BEGIN IMMEDIATE: the one write lock
            connection.cursor().execute("SELECT 1")
            locked.set()
            release.wait(timeout=30)
        connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert locked.wait(timeout=10)
        client = Client()
        for path in ("/", "/api/v1/meta", "/help/report/"):
            response = client.get(path)  # would wait busy_timeout (20 s) then fail if IMMEDIATE
            assert response.status_code == 200, path
    finally:
        release.set()
        thread.join()


@pytest.mark.urls("tests.kernel.urls_for_tests")
def test_a_request_that_fails_halfway_leaves_nothing_behind() -> None:
    from citizencloud.identity.models import User

    response = Client().post("/probe/half-write/")
    assert response.status_code == 409
    assert not User.objects.filter(username="half.written").exists()
