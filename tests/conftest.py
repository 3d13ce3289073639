"""Test-wide fixtures. The environment itself is set by the ``citizencloud.testing`` plugin."""

from hypothesis import settings

pytest_plugins = ["tests.fixtures"]

# Timing is not what these properties test; a loaded CI machine must not fail them on deadlines.
settings.register_profile("citizencloud", deadline=None)
settings.load_profile("citizencloud")
