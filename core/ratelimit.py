"""A fixed-window rate limit per client address, kept in the cache (Redis in production, so every
web process shares the count).

When the cache cannot keep the count (Redis is down: django-redis then answers None), the request
is let through and the failure logged: the public forms keep working through a Redis outage, and
the login lock (django-axes) does not depend on the cache.
"""
import logging

from django.core.cache import cache

from core.client_address import client_address

logger = logging.getLogger(__name__)


def over_limit(request, scope: str, limit: int, window_seconds: int) -> bool:
    """Count this request against ``scope`` for the client's address; True once the window's count
    passes ``limit``."""
    address = client_address(request) or "unknown"
    key = f"rate:{scope}:{address}"
    try:
        cache.add(key, 0, timeout=window_seconds)
        try:
            count = cache.incr(key)
        except ValueError:  # the window ended between add and incr
            cache.set(key, 1, timeout=window_seconds)
            count = 1
    except Exception:  # noqa: BLE001 - a cache outage must not refuse the public
        logger.warning("rate limit %s: the cache is unavailable; letting the request through", scope, exc_info=True)
        return False
    if count is None:  # django-redis with IGNORE_EXCEPTIONS: the cache did not answer
        logger.warning("rate limit %s: the cache is unavailable; letting the request through", scope)
        return False
    return count > limit
