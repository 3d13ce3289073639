"""Background work of privacy: revocation notices, retried with backoff until acknowledged."""

from __future__ import annotations

from django_tasks import task

from citizencloud.privacy import revocations


@task()
def send_revocation_notice(notice_id: int) -> str:
    """One delivery attempt of a revocation notice (re-queues itself until acknowledged)."""
    return revocations.deliver(notice_id)
