"""Keep feed fetching away from private networks (SSRF guard).

Two layers: `check_feed_url` rejects bad URLs before any request (scheme, credentials, literal private
IPs, "localhost"), and `GuardedResolver` checks every address a host name resolves to at connect time.
Because the resolver runs for every connection, it also covers redirect targets and DNS rebinding.
aiohttp skips the resolver for literal IP hosts, so the fetcher calls `check_feed_url` on every hop too.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Collection
from urllib.parse import urlsplit

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

HostPort = tuple[str, int]

_ALLOWED_SCHEMES = {"http", "https"}
# scheme://userinfo@ : the user info runs to the last "@" before the path, query or fragment starts.
_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*:/*)[^/?#]*@")
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Networks `ipaddress` does not flag as private on every Python version.
_EXTRA_BLOCKED = (
    ipaddress.ip_network("100.64.0.0/10"),  # carrier-grade NAT
    ipaddress.ip_network("169.254.0.0/16"),  # link-local, cloud metadata endpoints
    ipaddress.ip_network("fc00::/7"),  # unique-local
    ipaddress.ip_network("fe80::/10"),  # link-local
)


class BlockedAddress(OSError):
    """A host resolved to an address feeds may not use; aiohttp wraps it in ClientConnectorDNSError."""

    def __init__(self, host: str, address: str) -> None:
        self.host = host
        self.address = address
        if host == address:
            reason = f"refused: {host} is a private address"
        else:
            reason = f"refused: {host} resolves to a private address ({address})"
        super().__init__(reason)
        self.reason = reason


def is_blocked_ip(address: str) -> bool:
    """True when `address` is loopback, private, link-local, CGNAT, multicast, reserved or unspecified."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id ("fe80::1%eth0")
    except ValueError:
        return True  # not an address we understand: refuse rather than guess
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is not None:
            return is_blocked_ip(str(embedded))
    flagged = ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
    flagged = flagged or ip.is_unspecified or ip.is_reserved
    return flagged or any(ip in net for net in _EXTRA_BLOCKED if net.version == ip.version)


def _literal_ip(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


def _is_localhost_name(host: str) -> bool:
    name = host.rstrip(".").lower()
    return name == "localhost" or name.endswith(".localhost")


def check_feed_url(url: str, *, allow_private: bool, allow_hosts: Collection[HostPort] = ()) -> str | None:
    """Why `url` may not be fetched (one line), or None when it may.

    `allow_hosts` lists (host, port) pairs exempt from the private-address rule (an intranet feed).
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        return f"invalid URL: {exc}"
    scheme = parts.scheme.lower()
    if scheme not in _ALLOWED_SCHEMES:
        return f"refused: only http and https URLs are allowed, not {scheme or 'a relative URL'}"
    if parts.username is not None or parts.password is not None:
        return "refused: credentials in the URL are not allowed"
    host = (parts.hostname or "").lower()
    if not host:
        return "invalid URL: no host"
    if allow_private or (host, port or _DEFAULT_PORTS[scheme]) in set(allow_hosts):
        return None
    if _is_localhost_name(host):
        return f"refused: {host} is a local address"
    literal = _literal_ip(host)
    if literal is not None and is_blocked_ip(literal):
        return f"refused: {literal} is a private address"
    return None


def redact_url(url: str) -> str:
    """`url` with any user name and password replaced by `***`, for showing it in chat or a log."""
    return _USERINFO.sub(r"\1***@", url, count=1)


class GuardedResolver(AbstractResolver):
    """An aiohttp resolver that refuses host names resolving to private addresses.

    If any address of a name is blocked, the whole name is refused: a mixed answer is a rebinding trick.
    """

    def __init__(
        self,
        *,
        allow_private: bool = False,
        allow_hosts: Collection[HostPort] = (),
        inner: AbstractResolver | None = None,
    ) -> None:
        self._inner = inner if inner is not None else DefaultResolver()
        self._allow_private = allow_private
        self._allow_hosts = {(host.lower(), port) for host, port in allow_hosts}

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """Resolve `host` and raise BlockedAddress if any answer is off limits."""
        exempt = self._allow_private or (host.lower(), port) in self._allow_hosts
        if not exempt and _is_localhost_name(host):
            raise BlockedAddress(host, "localhost")
        results = await self._inner.resolve(host, port, family)
        if not exempt:
            for result in results:
                if is_blocked_ip(result["host"]):
                    raise BlockedAddress(host, result["host"])
        return results

    async def close(self) -> None:
        """Release the wrapped resolver."""
        await self._inner.close()
