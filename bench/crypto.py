"""Field-encryption benchmark: encrypt/decrypt per second and the cost on a 100-record list page.

Run:  .venv/bin/python bench/crypto.py [--seconds 1.0] [--rows 100]

It uses a throwaway data directory and SQLite file, so it touches nothing of yours. Figures
and the machine they were measured on go to bench/README.md ("## Crypto").
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("CITIZENCLOUD_DATA_DIR", tempfile.mkdtemp(prefix="citizencloud-bench-"))
os.environ.setdefault("CITIZENCLOUD_ENV", "development")
os.environ.setdefault("CITIZENCLOUD_LOG_LEVEL", "WARNING")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citizencloud.settings")

import django  # noqa: E402

django.setup()

import cryptography  # noqa: E402
from cryptography.hazmat.backends.openssl.backend import backend  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, models  # noqa: E402
from django.test import override_settings  # noqa: E402

from citizencloud.kernel import crypto, keys  # noqa: E402
from citizencloud.kernel.crypto import BlindIndexField, EncryptedField, blind_index  # noqa: E402
from citizencloud.kernel.masking import (  # noqa: E402
    mask_address,
    mask_id_number,
    mask_name,
    mask_phone,
)

CONTEXT = ("identity_citizen", "national_id", str(uuid.uuid4()))
ID_NUMBER = "51010519900101123X"


class PlainCitizen(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True)
    name = models.CharField(max_length=50)
    national_id = models.CharField(max_length=18)
    phone = models.CharField(max_length=20)
    address = models.CharField(max_length=200)

    class Meta:
        app_label = "bench"
        db_table = "bench_plain_citizen"

    def __str__(self) -> str:
        return str(self.public_id)


class SealedCitizen(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True)
    name = EncryptedField()
    national_id = EncryptedField()
    national_id_index = BlindIndexField(source="national_id", kind="id_number")
    phone = EncryptedField()
    address = EncryptedField()

    class Meta:
        app_label = "bench"
        db_table = "bench_sealed_citizen"

    def __str__(self) -> str:
        return str(self.public_id)


def rate(operation: Callable[[], Any], seconds: float) -> float:
    """Operations per second, best of three runs of ``seconds``/3 each."""
    results = []
    for _ in range(3):
        count, started = 0, time.perf_counter()
        deadline = started + seconds / 3
        while time.perf_counter() < deadline:
            for _ in range(50):
                operation()
            count += 50
        results.append(count / (time.perf_counter() - started))
    return max(results)


def timing(operation: Callable[[], Any], repeats: int) -> float:
    """Median milliseconds of ``operation``."""
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        operation()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, "
        f"cryptography {cryptography.__version__} ({backend.openssl_version_text()}); "
        f"{connection.vendor}"
    )


def seed(rows: int) -> None:
    with connection.schema_editor() as editor:
        editor.create_model(PlainCitizen)
        editor.create_model(SealedCitizen)
    for i in range(rows):
        values = {
            "name": "欧阳娜娜",
            "national_id": f"5101051990{i:07d}X",
            "phone": f"138{i:08d}",
            "address": "四川省成都市武侯区天府大道北段1700号",
        }
        PlainCitizen.objects.create(**values)
        SealedCitizen.objects.create(**values)


def plain_page(rows: int) -> str:
    page = [
        {"name": c.name, "national_id": c.national_id, "phone": c.phone, "address": c.address}
        for c in PlainCitizen.objects.order_by("id")[:rows]
    ]
    return json.dumps(page, ensure_ascii=False)


def sealed_masked_page(rows: int) -> str:
    page = [
        {
            "name": mask_name(c.name),
            "national_id": mask_id_number(c.national_id),
            "phone": mask_phone(c.phone),
            "address": mask_address(c.address),
        }
        for c in SealedCitizen.objects.order_by("id")[:rows]
    ]
    return json.dumps(page, ensure_ascii=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.5, help="per measured operation")
    parser.add_argument("--rows", type=int, default=100, help="records on the list page")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)

    print("# Crypto benchmark — command: .venv/bin/python bench/crypto.py")
    print(f"machine: {machine()}")
    print()
    figures: dict[str, float] = {}
    for profile in ("aes-256-gcm", "sm4-gcm"):
        with override_settings(CRYPTO_PROFILE=profile):
            key = keys.primary()
            token = crypto.encrypt(ID_NUMBER, context=CONTEXT, key=key)
            figures[f"{profile} encrypt"] = rate(
                lambda key=key: crypto.encrypt(ID_NUMBER, context=CONTEXT, key=key), args.seconds
            )
            figures[f"{profile} decrypt"] = rate(
                lambda token=token: crypto.decrypt(token, context=CONTEXT), args.seconds
            )
    figures["aes-256-gcm encrypt incl. primary-key lookup"] = rate(
        lambda: crypto.encrypt(ID_NUMBER, context=CONTEXT), args.seconds
    )
    figures["blind index (HMAC-SHA256)"] = rate(lambda: blind_index(ID_NUMBER), args.seconds)
    figures["mask_id_number"] = rate(lambda: mask_id_number(ID_NUMBER), args.seconds)

    width = max(len(name) for name in figures)
    print(f"{'operation':<{width}}  per second   µs each")
    for name, per_second in figures.items():
        print(f"{name:<{width}}  {per_second:>10,.0f}  {1e6 / per_second:>8.2f}")

    seed(args.rows)
    plain = timing(lambda: plain_page(args.rows), 200)
    sealed = timing(lambda: sealed_masked_page(args.rows), 200)
    print()
    print(f"list page of {args.rows} records (4 personal fields each: query + build + JSON):")
    print(f"  plaintext, unmasked            {plain:7.2f} ms")
    print(f"  encrypted, decrypted + masked  {sealed:7.2f} ms")
    print(f"  overhead                       {sealed - plain:7.2f} ms  (x{sealed / plain:.2f})")
    aes = figures["aes-256-gcm encrypt"]
    sm4 = figures["sm4-gcm encrypt"]
    print(f"SM4-GCM / AES-256-GCM encrypt throughput: {sm4 / aes:.2f}")


if __name__ == "__main__":
    main()
