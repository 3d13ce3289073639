"""Configuration: CITIZENCLOUD_* variables, and production refusing unsafe defaults."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from citizencloud.kernel.config import Env, refuse_unsafe_production
from tests.fixtures import ROOT

CHECK = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"


def run_settings(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CITIZENCLOUD_")}
    clean.update(
        DJANGO_SETTINGS_MODULE="citizencloud.settings",
        CITIZENCLOUD_DATA_DIR=str(tmp_path),
        **env,
    )
    return subprocess.run(
        [sys.executable, "-c", CHECK], env=clean, cwd=ROOT, capture_output=True, text=True
    )


def test_production_refuses_every_unsafe_default_with_a_clear_message(tmp_path: Path) -> None:
    result = run_settings(tmp_path, CITIZENCLOUD_ENV="production", CITIZENCLOUD_DEBUG="true")
    assert result.returncode != 0
    message = result.stderr
    assert "CITIZENCLOUD_ENV=production refuses to start" in message
    assert "CITIZENCLOUD_DEBUG" in message
    assert "CITIZENCLOUD_SECRET_KEY" in message
    assert "CITIZENCLOUD_ALLOWED_HOSTS" in message
    assert not (tmp_path / "keys" / "django-secret.key").exists()


def test_production_refuses_insecure_cookies(tmp_path: Path) -> None:
    result = run_settings(
        tmp_path,
        CITIZENCLOUD_ENV="production",
        CITIZENCLOUD_SECRET_KEY="x" * 60,
        CITIZENCLOUD_ALLOWED_HOSTS="gov.example.cn",
        CITIZENCLOUD_SECURE_COOKIES="false",
    )
    assert result.returncode != 0
    assert "Secure" in result.stderr


def _production_keys() -> dict[str, str]:
    """The trust-kernel keys and the OIDC signing key production requires from the environment."""
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    oidc = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return (
        {
            f"CITIZENCLOUD_{name}": base64.b64encode(os.urandom(32)).decode()
            for name in ("MASTER_KEY", "BLIND_INDEX_KEY", "SIGNING_KEY")
        }
        | {"CITIZENCLOUD_OIDC_PRIVATE_KEY": base64.b64encode(oidc).decode()}
        | {"CITIZENCLOUD_PAYMENTS_PROVIDER_SECRET": base64.b64encode(os.urandom(32)).decode()}
    )


def test_production_starts_when_configured_safely(tmp_path: Path) -> None:
    result = run_settings(
        tmp_path,
        CITIZENCLOUD_ENV="production",
        CITIZENCLOUD_SECRET_KEY="x" * 60,
        CITIZENCLOUD_ALLOWED_HOSTS="gov.example.cn",
        **_production_keys(),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_production_refuses_a_missing_oidc_signing_key(tmp_path: Path) -> None:
    keys = _production_keys()
    del keys["CITIZENCLOUD_OIDC_PRIVATE_KEY"]
    result = run_settings(
        tmp_path,
        CITIZENCLOUD_ENV="production",
        CITIZENCLOUD_SECRET_KEY="x" * 60,
        CITIZENCLOUD_ALLOWED_HOSTS="gov.example.cn",
        **keys,
    )
    assert result.returncode != 0
    assert "CITIZENCLOUD_OIDC_PRIVATE_KEY" in result.stderr
    assert not (tmp_path / "keys" / "oidc-rsa.pem").exists()


def test_development_generates_a_private_secret_key_once(tmp_path: Path) -> None:
    assert run_settings(tmp_path).returncode == 0
    key = tmp_path / "keys" / "django-secret.key"
    first = key.read_text()
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    assert oct((tmp_path / "keys").stat().st_mode & 0o777) == "0o700"
    assert run_settings(tmp_path).returncode == 0
    assert key.read_text() == first


def test_a_malformed_variable_names_itself(tmp_path: Path) -> None:
    result = run_settings(tmp_path, CITIZENCLOUD_PORT="eighty")
    assert result.returncode != 0
    assert "CITIZENCLOUD_PORT must be a whole number" in result.stderr


def test_env_reader_types() -> None:
    env = Env({"CITIZENCLOUD_A": " on ", "CITIZENCLOUD_B": "a, b,,c", "CITIZENCLOUD_C": "7"})
    assert env.flag("A", False) is True
    assert env.names("B", []) == ["a", "b", "c"]
    assert env.number("C", 0) == 7
    assert env.text("MISSING", "default") == "default"
    with pytest.raises(ImproperlyConfigured):
        Env({"CITIZENCLOUD_A": "maybe"}).flag("A", False)
    with pytest.raises(ImproperlyConfigured):
        env.choice("B", ["x"], "x")


def test_refusal_is_silent_outside_production(tmp_path: Path) -> None:
    refuse_unsafe_production(
        environment="development",
        debug=True,
        secret_from_env=False,
        allowed_hosts=["*"],
        secure_cookies=False,
        keys_dir=tmp_path,
    )
