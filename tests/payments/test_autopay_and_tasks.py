"""Auto-pay needs an explicit consent record; the sweep and reconcile commands queue tasks."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from citizencloud.kernel import clock
from citizencloud.kernel.errors import DomainError
from citizencloud.payments import services
from citizencloud.payments.models import AutoPayMandate, BindingStatus, Payment
from tests.payments.support import bind, create_bill, create_user

pytestmark = pytest.mark.django_db


def test_auto_pay_is_refused_without_consent() -> None:
    user = create_user()
    bill = create_bill()
    binding = bind(user, bill)
    with pytest.raises(DomainError) as refused:
        services.run_autopay(bill=bill)
    assert refused.value.code == "payments.autopay_consent_required"
    with pytest.raises(DomainError):
        services.set_mandate(
            user=user,
            binding_id=str(binding.public_id),
            consent_id="00000000-0000-0000-0000-000000000000",
            limit_fen=10000,
        )
    assert Payment.objects.count() == 0


def test_auto_pay_with_consent_and_not_after_withdrawal() -> None:
    user = create_user()
    bill = create_bill()
    binding = bind(user, bill)
    consent = services.give_autopay_consent(user=user)
    services.set_mandate(
        user=user,
        binding_id=str(binding.public_id),
        consent_id=str(consent.public_id),
        limit_fen=10000,
    )
    payment = services.run_autopay(bill=bill)
    assert payment.auto_pay
    assert payment.state == "pending"
    consent.revoked_at = clock.now()
    consent.save()
    second = create_bill(reference="next-month")
    with pytest.raises(DomainError) as refused:
        services.run_autopay(bill=second)
    assert refused.value.code == "payments.autopay_consent_required"


def test_auto_pay_respects_the_limit_and_someone_elses_consent_does_not_count() -> None:
    user, other = create_user(), create_user()
    bill = create_bill(amount_fen=20000)
    binding = bind(user, bill)
    foreign = services.give_autopay_consent(user=other)
    with pytest.raises(DomainError):
        services.set_mandate(
            user=user,
            binding_id=str(binding.public_id),
            consent_id=str(foreign.public_id),
            limit_fen=10000,
        )
    mine = services.give_autopay_consent(user=user)
    services.set_mandate(
        user=user,
        binding_id=str(binding.public_id),
        consent_id=str(mine.public_id),
        limit_fen=10000,
    )
    with pytest.raises(DomainError) as refused:
        services.run_autopay(bill=bill)
    assert refused.value.code == "payments.autopay_over_limit"
    assert AutoPayMandate.objects.get().account.status == BindingStatus.CONFIRMED


def test_commands_queue_the_sweep_and_the_reconciliation() -> None:
    call_command("payments", "sweep")
    call_command("payments", "reconcile", "--day", "2026-11-27")
    names = sorted(r.task_path for r in DBTaskResult.objects.all())
    assert names == [
        "citizencloud.payments.tasks.reconcile_day",
        "citizencloud.payments.tasks.sweep_pending",
    ]
