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
    "service.application_submitted": {
        "category": "service",
        "channels": ["inbox"],
        "placeholders": ["case_number", "time"],
        "subject_zh": "申请已提交",
        "subject_en": "Application submitted",
        "body_zh": "您的申请（{case_number}）已于 {time} 提交，受理部门将在承诺时限内处理，进度可在“我的办件”查看。",
        "body_en": (
            "Your application {case_number} was submitted at {time}. Follow it under My "
            "applications."
        ),
    },
    "service.application_accepted": {
        "category": "service",
        "channels": ["inbox", "sms"],
        "placeholders": ["case_number", "time"],
        "subject_zh": "申请已受理",
        "subject_en": "Application accepted",
        "body_zh": "您的申请（{case_number}）已于 {time} 受理，办理时限自受理之日起计算。",
        "body_en": (
            "Your application {case_number} was accepted at {time}; the time limit runs from now."
        ),
    },
    "service.application_not_accepted": {
        "category": "service",
        "channels": ["inbox", "sms"],
        "placeholders": ["case_number", "time"],
        "subject_zh": "申请不予受理",
        "subject_en": "Application not accepted",
        "body_zh": "您的申请（{case_number}）于 {time} 不予受理，原因已写明在办件详情中。",
        "body_en": (
            "Your application {case_number} was not accepted at {time}; the reason is on the "
            "case page."
        ),
    },
    "service.application_supplement_requested": {
        "category": "service",
        "channels": ["inbox", "sms"],
        "placeholders": ["case_number", "time"],
        "subject_zh": "请补正材料",
        "subject_en": "Documents needed",
        "body_zh": "您的申请（{case_number}）于 {time} 需要补正材料，所需材料已一次性列出；补正期间办理时限暂停。",
        "body_en": (
            "At {time} your application {case_number} was found to need more documents, all "
            "listed at once on the case page; the time limit is paused until you upload them."
        ),
    },
    "service.application_decided": {
        "category": "service",
        "channels": ["inbox", "sms"],
        "placeholders": ["case_number", "time"],
        "subject_zh": "申请已有决定",
        "subject_en": "A decision on your application",
        "body_zh": "您的申请（{case_number}）已于 {time} 作出决定，请在办件详情中查看结果及依据。",
        "body_en": (
            "A decision was made on your application {case_number} at {time}; see the case page."
        ),
    },
    "service.application_completed": {
        "category": "service",
        "channels": ["inbox", "sms"],
        "placeholders": ["case_number", "time"],
        "subject_zh": "办件已办结",
        "subject_en": "Application completed",
        "body_zh": "您的申请（{case_number}）已于 {time} 办结，电子证照可在办件详情中下载。",
        "body_en": (
            "Your application {case_number} was completed at {time}; download the "
            "certificate from the case page."
        ),
    },
    "service.application_withdrawn": {
        "category": "service",
        "channels": ["inbox"],
        "placeholders": ["case_number", "time"],
        "subject_zh": "申请已撤回",
        "subject_en": "Application withdrawn",
        "body_zh": "您的申请（{case_number}）已于 {time} 撤回。",
        "body_en": "Your application {case_number} was withdrawn at {time}.",
    },
    "service.application_message": {
        "category": "service",
        "channels": ["inbox"],
        "placeholders": ["case_number", "time"],
        "subject_zh": "办理部门给您留言",
        "subject_en": "A message about your application",
        "body_zh": "办理部门于 {time} 就您的申请（{case_number}）给您留言，请在办件详情中查看。",
        "body_en": "The department left you a message about application {case_number} at {time}.",
    },
    "service.application_escalated": {
        "category": "service",
        "channels": ["inbox"],
        "placeholders": ["case_number", "time"],
        "subject_zh": "超期办件已转交给您",
        "subject_en": "An overdue case was escalated to you",
        "body_zh": "办件（{case_number}）已超过办理时限，于 {time} 升级转交给您处理，请在办件队列中查看。",
        "body_en": (
            "Case {case_number} is past its deadline and was escalated to you at {time}; "
            "it is in your case queue."
        ),
    },
}
