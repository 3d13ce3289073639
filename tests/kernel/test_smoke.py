from django.conf import settings
from django.test import Client


def test_settings_use_a_throwaway_data_directory() -> None:
    assert "citizencloud-test-" in str(settings.DATA_DIR) or settings.ENVIRONMENT == "test"


def test_home_page_answers_in_chinese_by_default(client: Client, db: None) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "一号通行，一网通办" in response.content.decode()
