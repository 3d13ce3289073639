"""The ``citizencloud`` console script: every Django management command, plus ours.

``citizencloud serve`` (server + worker), ``migrate``, ``seed_demo``, ``worker`` and every other
management command; ``citizencloud help`` lists them.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citizencloud.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["citizencloud", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
