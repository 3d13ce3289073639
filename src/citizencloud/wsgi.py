"""WSGI entry point: ``granian --interface wsgi citizencloud.wsgi:application``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citizencloud.settings")
application = get_wsgi_application()
