"""Demo peers: the seven department systems of ``citizencloud-sim dept`` (``make run``).

The simulator derives each department's Ed25519 key from a shared demo secret
(``EXCHANGE_DEMO_PEER_SECRET``) and the department's code; the same derivation here registers
the matching public keys. Real peers are registered with keys they hand over.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings

from citizencloud.exchange import services
from citizencloud.kernel import demo, signing

DEPARTMENTS = {
    "hrss": "成都市人力资源和社会保障局 社会保险系统",
    "medins": "成都市医疗保障局 医保信息系统",
    "gjj": "成都住房公积金管理中心 业务系统",
    "land": "成都市不动产登记中心 登记系统",
    "police": "成都市公安局交通管理局 车驾管系统",
    "education": "成都市教育局 学籍系统",
    "health": "成都市卫生健康委员会 免疫规划系统",
}
PURPOSES = ["citizen_own_query", "connectivity"]


def demo_public_key(dept: str, secret: str) -> tuple[str, str]:
    """(key id, base64 public key) of a simulated department (the simulator's derivation)."""
    seed = hashlib.sha256(f"citizencloud-sim dept\x00{dept}\x00{secret}".encode()).digest()
    public = (
        Ed25519PrivateKey.from_private_bytes(seed)
        .public_key()
        .public_bytes(Encoding.Raw, PublicFormat.Raw)
    )
    return signing.key_id(public), base64.b64encode(public).decode()


def register_demo_peers(*, base_url: str, secret: str) -> None:
    for dept, name in DEPARTMENTS.items():
        kid, public = demo_public_key(dept, secret)
        services.register_peer(
            code=f"dept-{dept}",
            name=name,
            endpoint=f"{base_url.rstrip('/')}/{dept}",
            public_keys={kid: public},
            purposes=PURPOSES,
            department_code=f"cd-{dept}",
        )


@demo.register(order=25, name="exchange")
def seed() -> list[demo.DemoAccount]:
    register_demo_peers(
        base_url=settings.EXCHANGE_DEPT_URL, secret=settings.EXCHANGE_DEMO_PEER_SECRET
    )
    return []
