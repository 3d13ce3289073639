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
    "service.payment_succeeded": {
        "category": "service",
        "channels": ["inbox", "sms"],
        "placeholders": ["amount", "biller", "time"],
        "subject_zh": "缴费成功",
        "subject_en": "Payment received",
        "body_zh": "您于 {time} 向{biller}缴费 {amount} 元成功，电子凭证可在“缴费记录”中查看。",
        "body_en": "Your payment of ¥{amount} to {biller} at {time} succeeded. The receipt is in "
        "your payment history.",
    },
    "service.payment_failed": {
        "category": "service",
        "channels": ["inbox"],
        "placeholders": ["biller", "time"],
        "subject_zh": "缴费未成功",
        "subject_en": "Payment not completed",
        "body_zh": "您于 {time} 向{biller}的缴费未成功，未扣款。可在“我的账单”中重新缴费。",
        "body_en": "Your payment to {biller} at {time} was not completed and nothing was charged.",
    },
    "service.payment_refunded": {
        "category": "service",
        "channels": ["inbox", "sms"],
        "placeholders": ["amount", "time"],
        "subject_zh": "退款已到账",
        "subject_en": "Refund made",
        "body_zh": "{amount} 元已于 {time} 原路退回。",
        "body_en": "¥{amount} was refunded to your original payment method at {time}.",
    },
}
