"""The client's address, for the login lock (django-axes), the public forms' rate limits and the
API throttles.

``X-Forwarded-For`` is believed only as far as it was written by our own proxies: the addresses and
networks in ``CENTER_TRUSTED_PROXIES`` (nginx, a load balancer). Starting from the connection's
address (``REMOTE_ADDR``), while the address in hand is a trusted proxy, the entry that proxy
appended (the header's last one not yet used) is taken as the next address; the first address that
is not a trusted proxy is the client. So a client that reaches gunicorn directly, or that writes the
header itself, is counted by the address it really connects from, whatever it sends.
"""
import functools
import ipaddress

from django.conf import settings


def client_address(request) -> str | None:
    """The client's IP address, or None when not even the connection's address is known."""
    address = _valid(request.META.get("REMOTE_ADDR"))
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    networks = trusted_networks(tuple(settings.CENTER_TRUSTED_PROXIES))
    while address is not None and hops and _is_trusted(address, networks):
        hop = _valid(hops.pop().strip())
        if hop is None:  # empty or not an address: our proxy did not write it, so stop at the proxy
            break
        address = hop
    return str(address) if address is not None else None


@functools.lru_cache(maxsize=8)
def trusted_networks(entries: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """The networks of ``CENTER_TRUSTED_PROXIES`` (an address is a network of one); ValueError on an
    entry that is neither."""
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def _is_trusted(address, networks) -> bool:
    return any(address in network for network in networks if network.version == address.version)


def _valid(value: str | None):
    try:
        address = ipaddress.ip_address(value) if value else None
    except ValueError:
        return None
    # An IPv4 client seen through a dual-stack socket (::ffff:10.0.0.1) is the IPv4 address.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address
