"""Django's own ASGI handler, for comparison only (``bench/http_baseline.sh``).

Not a serving shape of citizencloud: ``citizencloud serve`` runs the ASGI edge
(``citizencloud.edge``) or Django's WSGI app under granian (DESIGN.md §2, §5). This module exists
so the benchmark can measure Django's ASGI handler under uvicorn beside them.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citizencloud.settings")
application = get_asgi_application()
