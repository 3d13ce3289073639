"""Settings for the naive comparison (bench/flash_crowd.py): the platform's, another URL conf."""

from citizencloud.settings import *  # noqa: F403

ROOT_URLCONF = "naive_campaign"
