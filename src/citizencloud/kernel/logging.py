"""Structured JSON logs with a request id, and a redaction processor for personal data.

Every record, from structlog or the standard library, passes ``redact`` before it is rendered,
so an ID number or a mobile number never reaches a log file in clear text.
"""

from __future__ import annotations

import logging
import logging.config
import re
from collections.abc import Mapping, MutableMapping
from typing import Any

import structlog

SENSITIVE_KEYS = frozenset(
    {
        "password",
        "passwd",
        "secret",
        "token",
        "access_token",
        "refresh_token",
        "authorization",
        "cookie",
        "set-cookie",
        "id_number",
        "idnumber",
        "phone",
        "mobile",
        "otp",
        "sms_code",
        "verification_code",
        "address",
        "bank_card",
    }
)
MASK = "***"
# 18-digit resident ID (GB 11643): 17 digits and a digit or X check character. Letters around
# it do not protect it (``id110105...``): in logs we would rather mask too much than too little.
_ID_NUMBER = re.compile(r"(?<![0-9])([0-9]{4})[0-9]{10}([0-9]{3}[0-9Xx])(?![0-9])")
# Mainland mobile, with or without +86 / 86 / 0086.
_MOBILE = re.compile(r"(?<![0-9])((?:\+|00)?86[- ]?)?(1[3-9][0-9])[0-9]{4}([0-9]{4})(?![0-9])")


def mask_text(text: str) -> str:
    """Mask anything in ``text`` that looks like an ID number or a mainland mobile number."""
    text = _ID_NUMBER.sub(lambda m: f"{m.group(1)}**********{m.group(2)}", text)
    return _MOBILE.sub(lambda m: f"{m.group(1) or ''}{m.group(2)}****{m.group(3)}", text)


def _is_sensitive_key(key: str) -> bool:
    lowered = key.lower()
    return lowered in SENSITIVE_KEYS or any(
        part in lowered for part in ("password", "secret", "token", "id_number")
    )


def redact_value(value: Any, key: str = "") -> Any:
    """Return ``value`` with sensitive keys masked and identifiers masked inside text."""
    if key and _is_sensitive_key(key):
        return MASK
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, Mapping):
        return {k: redact_value(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [redact_value(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and value > 10**9:
        return mask_text(str(value))
    return value


def redact(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: mask personal data in every key and value of the event."""
    for key in list(event_dict):
        if key == "_record" or key == "_from_structlog":
            continue
        event_dict[key] = redact_value(event_dict[key], key)
    return event_dict


def _exception_to_text(
    _: Any, __: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    # Tracebacks can quote local values; render them first so ``redact`` masks them too.
    return structlog.processors.format_exc_info(_, __, event_dict)


def _shared_processors() -> list[Any]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.stdlib.ExtraAdder(),
    ]


def configure(*, level: str = "INFO", json: bool = True) -> None:
    """Configure stdlib logging and structlog once per process."""
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {
                "structured": {
                    "()": structlog.stdlib.ProcessorFormatter,
                    "foreign_pre_chain": _shared_processors(),
                    "processors": [
                        structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                        _exception_to_text,
                        redact,
                        renderer,
                    ],
                }
            },
            "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
            "root": {"handlers": ["console"], "level": level},
            "loggers": {
                "django.server": {"level": "WARNING"},
                "django.db.backends": {"level": "WARNING"},
            },
        }
    )
    structlog.configure(
        processors=[
            *_shared_processors(),
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def get_logger(name: str) -> Any:
    """A structlog logger bound to ``name``; its records are redacted and rendered as JSON."""
    return structlog.stdlib.get_logger(name)
