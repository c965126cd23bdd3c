"""
WSGI config for center project.

It exposes the WSGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/
"""

import os

from django.core.wsgi import get_wsgi_application

from center.checks import refuse_to_serve

os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'center.settings')

application = get_wsgi_application()

# gunicorn runs no system checks: a configuration that would void the rate limits or the login lock
# (a per-process cache with DEBUG off, center/checks.py) stops the worker here, before it serves.
refuse_to_serve()
