"""CSV import with a report of rejected rows; the demo seeder."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from citizencloud.kernel.errors import DomainError
from citizencloud.payments import services
from citizencloud.payments.models import Bill, Biller, BillerAccount
from tests.payments.support import create_biller

pytestmark = pytest.mark.django_db

CSV = """reference,account_number,amount_fen,period,due_date,description
W-1,10086001,4680,2026-11,2026-12-20,水费
W-2,10086002,12.50,2026-11,,
W-3,10086003,-1,2026-11,,
W-4,bad number!,100,2026-11,,
W-5,10086005,100,2026-11,20261220,
W-6,10086006,0,2026-11,,
W-7,10086007,999,2026-11,,燃气
W-1,10086001,4680,2026-11,2026-12-20,水费
"""


def test_csv_import_stores_good_rows_and_reports_the_rest() -> None:
    biller = create_biller()
    report = services.import_bills_csv(biller=biller, text=CSV)
    assert report.accepted == 2
    assert report.unchanged == 1
    assert [(r["row"], r["reference"]) for r in report.rejected] == [
        (2, "W-2"),
        (3, "W-3"),
        (4, "W-4"),
        (5, "W-5"),
        (6, "W-6"),
    ]
    assert {r["reason"] for r in report.rejected} >= {"bad account_number", "bad due_date"}
    assert sorted(Bill.objects.values_list("reference", flat=True)) == ["W-1", "W-7"]
    again = services.import_bills_csv(biller=biller, text=CSV)
    assert again.accepted == 0
    assert again.unchanged == 3


def test_csv_without_the_required_columns_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        services.import_bills_csv(biller=create_biller(), text="ref,amount\nx,1\n")
    assert refused.value.code == "payments.bad_csv_header"


def test_demo_seed_is_idempotent_and_binds_the_water_account() -> None:
    call_command("seed_demo")
    call_command("seed_demo")
    assert Biller.objects.count() == 4
    binding = BillerAccount.objects.get(holder__username="citizen.zhang")
    assert binding.status == "confirmed"
    assert Bill.objects.filter(account_number=binding.account_number).count() == 1


def test_commands_register_a_biller_and_import_a_csv(tmp_path: object, capsys: object) -> None:
    from pathlib import Path

    call_command(
        "payments", "register-biller", "--code", "gas", "--name", "成都燃气", "--kind", "gas"
    )
    biller = Biller.objects.get(code="gas")
    assert len(str(biller.api_secret)) >= 40
    path = Path(str(tmp_path)) / "bills.csv"
    path.write_text(CSV, encoding="utf-8")
    call_command("payments", "import-bills", str(path), "--biller", "gas")
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert '"accepted": 2' in out
    assert '"reason": "bad due_date"' in out
