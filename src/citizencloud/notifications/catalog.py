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
    "service.booking_booked": {
        "category": "service",
        "channels": ["inbox"],
        "placeholders": ["place", "when"],
        "subject_zh": "预约成功",
        "subject_en": "Booking confirmed",
        "body_zh": "您已预约 {when} 在{place}办理，请按时到场并出示预约二维码签到。",
        "body_en": "You are booked for {when} at {place}. Arrive on time and check in with the booking's QR code.",
    },
    "service.booking_cancelled": {
        "category": "service",
        "channels": ["inbox"],
        "placeholders": ["place", "when", "time"],
        "subject_zh": "预约已取消",
        "subject_en": "Booking cancelled",
        "body_zh": "您在{place} {when} 的预约已于 {time} 取消。",
        "body_en": "Your booking for {when} at {place} was cancelled at {time}.",
    },
    "service.booking_rescheduled": {
        "category": "service",
        "channels": ["inbox"],
        "placeholders": ["place", "when"],
        "subject_zh": "预约时间已变更",
        "subject_en": "Booking moved",
        "body_zh": "您的预约已改为 {when} 在{place}办理，原时段已释放。",
        "body_en": "Your booking now is at {when} at {place}; the old time was released.",
    },
    "service.booking_reminder_day": {
        "category": "service",
        "channels": ["inbox", "sms"],
        "placeholders": ["place", "when"],
        "subject_zh": "预约提醒",
        "subject_en": "Reminder: your booking",
        "body_zh": "提醒：您预约了 {when} 在{place}办理。如不能前往，请提前取消，以免计为爽约。",
        "body_en": "Reminder: you are booked for {when} at {place}. If you cannot come, cancel in time so it does not count as a no-show.",
    },
    "service.booking_reminder_hour": {
        "category": "service",
        "channels": ["inbox", "sms"],
        "placeholders": ["place", "when"],
        "subject_zh": "预约提醒：即将开始",
        "subject_en": "Reminder: your booking is soon",
        "body_zh": "您预约的 {when} 在{place}办理即将开始，请携带证件并出示预约二维码签到。",
        "body_en": "Your booking at {place} at {when} is within the hour. Bring your documents and check in with the QR code.",
    },
    "service.booking_called": {
        "category": "service",
        "channels": ["inbox"],
        "placeholders": ["place", "ticket", "window"],
        "subject_zh": "叫号提醒",
        "subject_en": "Your number is called",
        "body_zh": "{place}：请 {ticket} 号到 {window} 号窗口办理。",
        "body_en": "{place}: number {ticket}, please go to window {window}.",
    },
    "service.campaign_won": {
        "category": "service",
        "channels": ["inbox", "sms"],
        "placeholders": ["campaign", "amount", "entry_id", "time"],
        "subject_zh": "活动结果：您已中签",
        "subject_en": "Campaign result: you won",
        "body_zh": "“{campaign}”结果已于 {time} 公布：您获得 {amount} 元（登记号 {entry_id}）。"
        "领取方式和核验数据见活动页。",
        "body_en": "The results of “{campaign}” were published at {time}: you won ¥{amount} "
        "(entry {entry_id}). How to collect it and the data to verify the draw are on the "
        "campaign page.",
    },
    "service.campaign_not_won": {
        "category": "service",
        "channels": ["inbox"],
        "placeholders": ["campaign", "entry_id", "time"],
        "subject_zh": "活动结果：未中签",
        "subject_en": "Campaign result: not drawn",
        "body_zh": "“{campaign}”结果已于 {time} 公布：很遗憾，您的登记（{entry_id}）未中签。"
        "抽签过程可在活动页核验。",
        "body_en": "The results of “{campaign}” were published at {time}: your entry {entry_id} "
        "was not drawn. You can verify the draw on the campaign page.",
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
