"""System checks of the deployment's configuration that Django's own do not make.

The rate limits, the API throttles and the login lock only hold if every web process counts in the
same store. With DEBUG off, a per-process cache (or one that keeps nothing) is an error: each gunicorn
worker would keep its own count, and three workers let three times the limit through. gunicorn runs
no system checks, so ``center/wsgi.py`` refuses to serve on these errors too (``refuse_to_serve``).
"""
from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from core.ratelimit import parse_rate

TAG = "center_limits"
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache": "keeps its entries in each process's memory",
    "django.core.cache.backends.dummy.DummyCache": "keeps nothing",
}
# Shared, but their incr reads the value and writes it back: two processes at once lose a count.
NON_ATOMIC_CACHES = {
    "django.core.cache.backends.filebased.FileBasedCache",
    "django.core.cache.backends.db.DatabaseCache",
}
AXES_CACHE_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_DUMMY_HANDLER = "axes.handlers.dummy.AxesDummyHandler"


@checks.register(checks.Tags.caches, checks.Tags.security, TAG)
def limits_are_counted_in_a_shared_store(app_configs=None, **kwargs):
    if settings.DEBUG:
        return []
    messages = []
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend in PER_PROCESS_CACHES:
        messages.append(checks.Error(
            f"The default cache ({backend}) {PER_PROCESS_CACHES[backend]}: the rate limits and the API throttles "
            "counted there would be counted per process, multiplying each limit by the number of workers.",
            hint="Set CACHE_URL to Redis (redis://host:6379/2), or leave it unset for the embedded SQLite file "
                 "that the processes of one host share.",
            id="center.E001"))
    elif backend in NON_ATOMIC_CACHES:
        messages.append(checks.Warning(
            f"The default cache ({backend}) is shared but does not count atomically: concurrent requests may "
            "pass the rate limits and the API throttles.",
            hint="Set CACHE_URL to Redis, or leave it unset for the embedded SQLite file.", id="center.W001"))
    handler = getattr(settings, "AXES_HANDLER", "axes.handlers.database.AxesDatabaseHandler")
    if handler == AXES_DUMMY_HANDLER:
        messages.append(checks.Error("AXES_HANDLER is django-axes' dummy handler: failed logins lock nobody out.",
                                     hint="Use axes.handlers.database.AxesDatabaseHandler.", id="center.E002"))
    elif handler == AXES_CACHE_HANDLER:
        alias = getattr(settings, "AXES_CACHE", "default")
        axes_backend = settings.CACHES.get(alias, {}).get("BACKEND", "")
        if axes_backend in PER_PROCESS_CACHES or axes_backend in NON_ATOMIC_CACHES or not axes_backend:
            messages.append(checks.Error(
                f"The login lock counts failures in the cache {alias!r} ({axes_backend or 'not configured'}), "
                "which is not one count for every process.",
                hint="Use axes.handlers.database.AxesDatabaseHandler (the default), or a Redis cache.",
                id="center.E003"))
    return messages


@checks.register(TAG)
def api_rates_are_readable(app_configs=None, **kwargs):
    from_settings = {name: getattr(settings, name, "") for name in ("CENTER_API_RATE_PER_TOKEN", "CENTER_API_RATE_PER_USER")}
    messages = []
    for name, rate in from_settings.items():
        try:
            parse_rate(rate)
        except ImproperlyConfigured:
            messages.append(checks.Error(f"{name}={rate!r} is not a rate.", hint="A number per period: 120/minute.",
                                         id="center.E004"))
    return messages


# The stamp keys' deployment check lives with the stamps (workorders/checks.py); the web's start-up
# runs it too.
KEYS_TAG = "center_stamp_keys"


def refuse_to_serve() -> None:
    """Raise ImproperlyConfigured when a check of this module finds an error (the web entry points
    call it once at start-up, since gunicorn runs no system checks)."""
    errors = [message for message in checks.run_checks(tags=[TAG, KEYS_TAG], include_deployment_checks=True)
              if message.is_serious()]
    if errors:
        raise ImproperlyConfigured("Refusing to serve:\n" + "\n".join(str(error) for error in errors))
