"""The platform's own templates (data, not code paths): created on first use, validated as any."""

from __future__ import annotations

from typing import Any

SYSTEM_TEMPLATES: dict[str, dict[str, Any]] = {
    "security.new_device_login": {
        "category": "security",
        "channels": ["inbox", "sms", "email"],
        "placeholders": ["device", "time"],
        "subject_zh": "新设备登录提醒",
        "subject_en": "Sign-in from a new device",
        "body_zh": "您的账号于 {time} 在新设备（{device}）上登录。如非本人操作，请立即修改密码。",
        "body_en": (
            "Your account signed in on a new device ({device}) at {time}. "
            "If this was not you, change your password now."
        ),
    },
    "security.password_changed": {
        "category": "security",
        "channels": ["inbox", "sms", "email"],
        "placeholders": ["time"],
        "subject_zh": "密码已修改",
        "subject_en": "Your password was changed",
        "body_zh": "您的登录密码已于 {time} 修改。如非本人操作，请立即联系 12345。",
        "body_en": "Your password was changed at {time}. If this was not you, call 12345 now.",
    },
    "security.mfa_changed": {
        "category": "security",
        "channels": ["inbox", "sms", "email"],
        "placeholders": ["time"],
        "subject_zh": "两步验证设置已变更",
        "subject_en": "Two-step verification changed",
        "body_zh": "您的两步验证设置已于 {time} 变更。如非本人操作，请立即联系 12345。",
        "body_en": "Your two-step verification changed at {time}. If this was not you, call 12345.",
    },
}
