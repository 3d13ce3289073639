import pytest
from django.test import Client

from tests.identity.support import ZHANG, bearer, register, sign_in

pytestmark = pytest.mark.django_db


def test_register_verify_login_me() -> None:
    client = Client()
    register(client)
    token = sign_in(client, ZHANG["phone"])
    me = Client().get("/api/v1/me", **bearer(token))
    assert me.status_code == 200, me.content
    assert me.json()["id_number"] == "5101**********1682"
