"""
ASGI config for center project.

It exposes the ASGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/asgi/
"""

import os

from django.core.asgi import get_asgi_application

from center.checks import refuse_to_serve

os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'center.settings')

application = get_asgi_application()

# As in wsgi.py: no serving with a configuration that voids the limits or the login lock.
refuse_to_serve()
