"""A throwaway SQLite data directory, migrated, with Django set up in this process: the start of
the in-process benchmarks (``entry_store``, ``edge_profile``, ``lottery_proofs``).

    scratch = scratch.django("cc-entry-store-")   # … shutil.rmtree(scratch) when done
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def django(prefix: str) -> Path:
    """Make the directory, migrate it in a child process, then set Django up here on it."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    env = dict(
        os.environ,
        CITIZENCLOUD_DATA_DIR=str(path),
        CITIZENCLOUD_LOG_LEVEL="ERROR",
        DJANGO_SETTINGS_MODULE="citizencloud.settings",
    )
    subprocess.run(
        [sys.executable, "-m", "citizencloud", "migrate", "--no-input", "-v", "0"],
        env=env,
        cwd=ROOT,
        check=True,
    )
    os.environ.update(env)
    sys.path.insert(0, str(ROOT / "src"))
    import django as django_module

    django_module.setup()
    return path
