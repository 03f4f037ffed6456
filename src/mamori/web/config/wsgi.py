"""The WSGI application served by gunicorn (``mamori serve``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mamori.web.config.settings")
application = get_wsgi_application()
