"""Demo data (development only): billers, open bills, a bound water account for 张三, and a
finance clerk who may refund and read reconciliation reports."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import Permission

from citizencloud.identity.models import User, UserKind
from citizencloud.kernel import clock, demo
from citizencloud.payments.models import BillerAccount, BindingStatus
from citizencloud.payments.services import receive_bills, register_biller

BILLERS = (
    ("chengdu-water", "成都市自来水有限责任公司", "water"),
    ("state-grid-chengdu", "国网成都供电公司", "power"),
    ("chengdu-gas", "成都燃气集团", "gas"),
    ("chengdu-traffic-police", "成都市公安局交通管理局", "traffic_fine"),
)
WATER_ACCOUNT = "10086001"
FINANCE = ("finance.clerk", "Finance-Demo-2026", "财务人员 Finance clerk")
FINANCE_2 = ("finance.lead", "Finance-Demo-2026", "财务主管 Finance lead (second approver)")


def _finance(login: str, password: str, description: str) -> demo.DemoAccount:
    user = User.objects.filter(username=login).first()
    if user is None:
        user = User.objects.create_user(
            login, password, kind=UserKind.STAFF, display_name=description
        )
    user.user_permissions.add(
        Permission.objects.get(codename="finance", content_type__app_label="payments")
    )
    return demo.DemoAccount(login, password, "staff", description)


@demo.register(order=40, name="payments")
def seed() -> list[demo.DemoAccount]:
    billers = {
        code: register_biller(code=code, name=name, kind=kind, secret=f"dev-{code}")
        for code, name, kind in BILLERS
    }
    today = clock.now().date()
    due = (today + dt.timedelta(days=20)).isoformat()
    month = f"{today:%Y-%m}"
    receive_bills(
        biller=billers["chengdu-water"],
        rows=[
            {
                "reference": f"W-{month}-{WATER_ACCOUNT}",
                "account_number": WATER_ACCOUNT,
                "amount_fen": "4680",
                "period": month,
                "due_date": due,
                "description": "水费 Water",
            },
        ],
    )
    receive_bills(
        biller=billers["state-grid-chengdu"],
        rows=[
            {
                "reference": f"P-{month}-20240001",
                "account_number": "20240001",
                "amount_fen": "12345",
                "period": month,
                "due_date": due,
                "description": "电费 Electricity",
            },
        ],
    )
    zhang = User.objects.filter(username="citizen.zhang").first()
    if zhang is not None:
        BillerAccount.objects.get_or_create(
            biller=billers["chengdu-water"],
            account_number=WATER_ACCOUNT,
            holder=zhang,
            defaults={"status": BindingStatus.CONFIRMED, "decided_at": clock.now()},
        )
    return [_finance(*FINANCE), _finance(*FINANCE_2)]
