"""WSGI entry point (gunicorn hub.wsgi:application): how production serves the hub.

`DEBUG` defaults to on for a developer (`manage.py runserver`, `make run`, the tests), but a server started
here without it in its environment must never show debug pages (settings, SQL, source) to the internet:
here it defaults to off, so SECRET_KEY and ALLOWED_HOSTS must then be set, or the hub refuses to start.
"""
import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")
# Not when `runserver` imports this module: its settings, read by manage.py, already chose.
if not settings.configured and not os.environ.get("DEBUG", "").strip():
    os.environ["DEBUG"] = "false"
application = get_wsgi_application()
