"""Test-wide fixtures. The environment itself is set by the ``citizencloud.testing`` plugin."""

pytest_plugins = ["tests.fixtures"]
