"""pytest plugin (``-p citizencloud.testing``): the test environment, set before settings load.

pytest-django imports the settings before any conftest runs, and settings read the environment
once, so the variables must be set by a plugin that pytest loads first.
"""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("CITIZENCLOUD_ENV", "test")
os.environ.setdefault("CITIZENCLOUD_DATA_DIR", tempfile.mkdtemp(prefix="citizencloud-test-"))
os.environ.setdefault("CITIZENCLOUD_LOG_LEVEL", "WARNING")
# The PostgreSQL + Redis run (.ci/run) points the suite at real servers.
if os.environ.get("CITIZENCLOUD_TEST_DATABASE_URL"):
    os.environ["CITIZENCLOUD_DATABASE_URL"] = os.environ["CITIZENCLOUD_TEST_DATABASE_URL"]
if os.environ.get("CITIZENCLOUD_TEST_REDIS_URL"):
    os.environ["CITIZENCLOUD_REDIS_URL"] = os.environ["CITIZENCLOUD_TEST_REDIS_URL"]
