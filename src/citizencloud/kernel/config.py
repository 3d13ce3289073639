"""Reading ``CITIZENCLOUD_*`` variables, development keys, and the production refusal."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

PREFIX = "CITIZENCLOUD_"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class Env:
    """Typed access to ``CITIZENCLOUD_<NAME>``; a malformed value stops start-up with its name."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ

    def _raw(self, name: str) -> str | None:
        return self._environ.get(PREFIX + name)

    def text(self, name: str, default: str) -> str:
        value = self._raw(name)
        return default if value is None else value.strip()

    def flag(self, name: str, default: bool) -> bool:
        value = self._raw(name)
        if value is None:
            return default
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ImproperlyConfigured(f"{PREFIX}{name} must be true or false, not {value!r}")

    def number(self, name: str, default: int) -> int:
        value = self._raw(name)
        if value is None or not value.strip():
            return default
        try:
            return int(value)
        except ValueError:
            raise ImproperlyConfigured(f"{PREFIX}{name} must be a whole number") from None

    def names(self, name: str, default: list[str]) -> list[str]:
        value = self._raw(name)
        if value is None:
            return default
        return [item.strip() for item in value.split(",") if item.strip()]

    def choice(self, name: str, choices: list[str], default: str) -> str:
        value = self.text(name, default)
        if value not in choices:
            raise ImproperlyConfigured(f"{PREFIX}{name} must be one of {', '.join(choices)}")
        return value


DEV_SECRET_FILE = "django-secret.key"  # noqa: S105  (a file name)
# Generated development keys of the trust kernel (kernel.keys, kernel.signing), by variable.
DEV_TRUST_KEY_FILES = {
    "MASTER_KEY": "master.key",
    "BLIND_INDEX_KEY": "blind-index.key",
    "SIGNING_KEY": "signing.key",
}
MIN_AUDIT_RETENTION_DAYS = 180  # MLPS level 3 (GB/T 22239-2019 8.1.4.3)


def ensure_directory(path: Path) -> None:
    """Create ``path`` (owner-only) if it is missing."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)


def write_key_file(path: Path, data: bytes) -> None:
    """Create ``path`` with mode 0600 and ``data``, unless it exists (another process won)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def development_secret(keys_dir: Path, environment: str) -> str:
    """The generated development secret key, created on first use under ``keys_dir``."""
    if environment == "production":
        return ""  # refused below with a clear message
    path = keys_dir / DEV_SECRET_FILE
    write_key_file(path, secrets.token_urlsafe(50).encode())
    return path.read_text().strip()


def refuse_unsafe_production(
    *,
    environment: str,
    debug: bool,
    secret_from_env: bool,
    allowed_hosts: list[str],
    secure_cookies: bool,
    keys_dir: Path,
    trust_keys_from_env: Mapping[str, bool] | None = None,
    audit_retention_days: int = MIN_AUDIT_RETENTION_DAYS,
) -> None:
    """In production, list every unsafe default still in force and refuse to start."""
    if environment != "production":
        return
    problems = []
    if debug:
        problems.append("CITIZENCLOUD_DEBUG is on; set CITIZENCLOUD_DEBUG=false")
    if not secret_from_env:
        problems.append(
            "CITIZENCLOUD_SECRET_KEY is not set; generated development keys are not allowed"
        )
    if not allowed_hosts or "*" in allowed_hosts:
        problems.append("CITIZENCLOUD_ALLOWED_HOSTS must name the public host names (not '*')")
    if not secure_cookies:
        problems.append("cookies must be Secure; remove CITIZENCLOUD_SECURE_COOKIES=false")
    if (keys_dir / DEV_SECRET_FILE).exists() and not secret_from_env:
        problems.append(f"a generated development key is present in {keys_dir}")
    for name, from_env in (trust_keys_from_env or {}).items():
        if not from_env:
            problems.append(f"{PREFIX}{name} is not set; generated development keys are refused")
    if audit_retention_days < MIN_AUDIT_RETENTION_DAYS:
        problems.append(
            f"{PREFIX}AUDIT_RETENTION_DAYS must be at least {MIN_AUDIT_RETENTION_DAYS} days "
            "(MLPS level 3)"
        )
    if problems:
        raise ImproperlyConfigured(
            "CITIZENCLOUD_ENV=production refuses to start:\n  - " + "\n  - ".join(problems)
        )


def configure_logging(level: str, *, json: bool) -> None:
    """Route stdlib and structlog records through one redacting JSON pipeline."""
    from citizencloud.kernel import logging as logs

    logs.configure(level=level, json=json)
