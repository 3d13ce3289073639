from tests.catalog_data import _fresh_cache, django_db_setup

__all__ = ["_fresh_cache", "django_db_setup"]
