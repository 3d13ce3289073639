"""Demo notices for the demo citizen (development only): a case step and an announcement."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from citizencloud.kernel import demo
from citizencloud.notifications import services
from citizencloud.notifications.models import Template

DEMO_TEMPLATES: dict[str, dict[str, Any]] = {
    "service.application_accepted": {
        "category": "service", "statutory": True, "channels": ["inbox", "sms"],
        "placeholders": ["case", "service"],
        "subject_zh": "办件已受理", "subject_en": "Application accepted",
        "body_zh": "您申请的“{service}”（办件编号 {case}）已受理，预计 5 个工作日内办结。",
        "body_en": "Your application for {service} (case {case}) was accepted; expect a decision "
                   "within 5 working days.",
    },
    "announcement.hall_hours": {
        "category": "announcement", "channels": ["inbox"], "placeholders": [],
        "subject_zh": "政务服务中心周末开放", "subject_en": "Service hall open at weekends",
        "body_zh": "市政务服务中心周六 9:00–17:00 开放，可办理社保、公积金业务。",
        "body_en": "The city service hall is open on Saturdays 9:00–17:00 for social insurance "
                   "and housing fund matters.",
    },
}  # fmt: skip


@demo.register(order=90, name="notifications")
def seed() -> list[demo.DemoAccount]:
    for code, fields in DEMO_TEMPLATES.items():
        if not Template.objects.filter(code=code).exists():
            services.create_template(code=code, **fields)
    user = get_user_model().objects.filter(username="citizen.zhang").first()
    if user is not None:
        services.notify(recipient=user, template_code="service.application_accepted",
                        context={"case": "CD-2026-000123", "service": "居住证办理"},
                        dedupe_key="demo:accepted")  # fmt: skip
        services.notify(recipient=user, template_code="announcement.hall_hours", context={},
                        dedupe_key="demo:hall-hours")  # fmt: skip
    return []
