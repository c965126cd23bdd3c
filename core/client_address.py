"""The client's address, for the login lock (django-axes) and the public forms' rate limits.

Behind ``CENTER_PROXY_COUNT`` trusted proxies (nginx, a load balancer) each of which appends the
address it received the request from to ``X-Forwarded-For``, the client is the entry that many
places from the right: what the outermost trusted proxy saw. Entries further left were written by
the client itself and are not believed. With no proxy (0), it is ``REMOTE_ADDR``.
"""
import ipaddress

from django.conf import settings


def client_address(request) -> str | None:
    """The client's IP address, or None when not even the connection's address is known."""
    remote = _valid(request.META.get("REMOTE_ADDR"))
    count = settings.CENTER_PROXY_COUNT
    if count <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < count:  # not through the expected proxies: only the connection's address is known
        return remote
    return _valid(hops[-count]) or remote  # a proxy wrote it, but never store what is not an address


def _valid(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address(value)) if value else None
    except ValueError:
        return None
