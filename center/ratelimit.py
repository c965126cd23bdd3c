"""A fixed-window rate limit per client address, kept in the cache (Redis in production, so every
web process shares the count)."""
from django.core.cache import cache


def over_limit(request, scope: str, limit: int, window_seconds: int) -> bool:
    """Count this request against ``scope`` for the client's address; True once the window's count
    passes ``limit``."""
    address = request.META.get("REMOTE_ADDR", "unknown")
    key = f"rate:{scope}:{address}"
    cache.add(key, 0, timeout=window_seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # the window ended between add and incr
        cache.set(key, 1, timeout=window_seconds)
        count = 1
    return count > limit
