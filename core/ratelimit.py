"""Fixed-window counts kept in the cache, which every web process shares (the embedded SQLite file,
or Redis in production): the public forms' rate limits per client address, and the API throttles
(api/throttles.py) per token and per user.

Each window has its own key (the window's number in it), so a window's count is never reset by a
request arriving as the previous window ends; the count is the cache's atomic ``add`` then ``incr``.

When the cache cannot keep the count (Redis is down: django-redis then answers None), the request
is let through and the failure logged: the public forms and the API keep working through a Redis
outage, and the login lock (django-axes) does not depend on the cache.
"""
from __future__ import annotations

import logging
import time

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from core.client_address import client_address

logger = logging.getLogger(__name__)
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
clock = time.time  # tests hold it still, so that a window does not end in the middle of one


def parse_rate(rate: str) -> tuple[int, int]:
    """'120/minute' → (120, 60): a number of events per second, minute, hour or day."""
    try:
        number, period = rate.split("/")
        return int(number), PERIODS[period.strip()[0]]
    except (ValueError, KeyError, IndexError) as error:
        raise ImproperlyConfigured(f"A rate is 'number/period' (120/minute), not {rate!r}") from error


def count_in_window(key: str, window_seconds: int) -> tuple[int | None, int]:
    """Count one more event for ``key`` in the current window of ``window_seconds``: the window's
    count so far including this one (None when the cache cannot keep it), and the seconds until the
    window ends."""
    now = clock()
    window = int(now // window_seconds)
    retry_after = max(1, int((window + 1) * window_seconds - now + 0.999))
    window_key = f"{key}:{window}"
    try:
        # The key outlives its window a little, so a late incr in the same window still finds it.
        cache.add(window_key, 0, timeout=window_seconds + 5)
        count = cache.incr(window_key)
    except ValueError:  # the key vanished between add and incr (evicted, or Redis flushed)
        return None, retry_after
    except Exception:  # noqa: BLE001 - a cache outage must not refuse the public
        logger.warning("rate limit %s: the cache is unavailable; letting the request through", key, exc_info=True)
        return None, retry_after
    if count is None:  # django-redis with IGNORE_EXCEPTIONS: the cache did not answer
        logger.warning("rate limit %s: the cache is unavailable; letting the request through", key)
    return count, retry_after


def over_limit(request, scope: str, limit: int, window_seconds: int) -> bool:
    """Count this request against ``scope`` for the client's address; True once the window's count
    passes ``limit``."""
    address = client_address(request) or "unknown"
    count, _retry_after = count_in_window(f"rate:{scope}:{address}", window_seconds)
    return count is not None and count > limit
