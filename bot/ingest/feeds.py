"""Fetch feeds over HTTP, safely: SSRF guard, size cap after decompression, timeouts, redirect limit.

`FeedFetcher.fetch` never raises for network or server faults; it returns a `FetchResult` whose `error`
is one readable line and whose `permanent` flag says whether retrying is pointless (404, 410, refused).
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import aiohttp
from aiohttp.abc import AbstractResolver
from yarl import URL

from bot.ingest.netguard import BlockedAddress, GuardedResolver, HostPort, check_feed_url

MiB = 1024 * 1024
_REDIRECT_STATUSES = {301, 302, 303, 307, 308}
_PERMANENT_STATUSES = {404, 410}
_RETRY_AFTER_STATUSES = {429, 503}  # the statuses whose Retry-After says when to come back
_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, "
    "text/xml;q=0.9, */*;q=0.5"
)


@dataclass(frozen=True)
class FetchResult:
    """The outcome of one feed fetch. `body` is set only for a successful 2xx response."""

    url: str
    status: int | None
    body: bytes | None
    etag: str | None
    last_modified: str | None
    content_type: str | None
    not_modified: bool
    error: str | None
    permanent: bool
    final_url: str | None = None  # where redirects ended, when they did
    retry_after_s: float | None = None  # a 429/503's Retry-After, in seconds from now

    @property
    def ok(self) -> bool:
        """True when the fetch worked (new body or 304 Not Modified)."""
        return self.error is None


class _BodyTooLarge(Exception):
    pass


def _size_label(size: int) -> str:
    if size % MiB == 0:
        return f"{size // MiB} MB"
    if size % 1024 == 0:
        return f"{size // 1024} KB"
    return f"{size} bytes"


def _seconds(value: float) -> str:
    return f"{value:g}s"


def make_session(
    allow_private: bool,
    user_agent: str,
    *,
    allow_hosts: Collection[HostPort] = (),
    limit: int = 32,
    ttl_dns_cache: int = 300,
    dns: AbstractResolver | None = None,
) -> aiohttp.ClientSession:
    """A ClientSession whose connector refuses private addresses (see netguard) and keeps no cookies.

    `dns` replaces aiohttp's default resolver underneath the guard (tests use a static table).
    """
    resolver = GuardedResolver(allow_private=allow_private, allow_hosts=allow_hosts, inner=dns)
    connector = aiohttp.TCPConnector(
        resolver=resolver, limit=limit, limit_per_host=4, ttl_dns_cache=ttl_dns_cache
    )
    return aiohttp.ClientSession(
        connector=connector,
        headers={"User-Agent": user_agent, "Accept": _ACCEPT},
        cookie_jar=aiohttp.DummyCookieJar(),
        trust_env=False,  # a proxy from the environment would sidestep the resolver guard
    )


class FeedFetcher:
    """Fetches feed URLs through `session` (use `make_session`), with conditional GET support."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        user_agent: str,
        max_bytes: int = 10 * MiB,
        connect_timeout: float = 10,
        read_timeout: float = 30,
        max_redirects: int = 5,
        allow_private: bool = False,
        concurrency: int = 16,
        allow_hosts: Collection[HostPort] = (),
    ) -> None:
        self._session = session
        self._user_agent = user_agent
        self.max_bytes = max_bytes
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.max_redirects = max_redirects
        self._allow_private = allow_private
        self._allow_hosts = frozenset((host.lower(), port) for host, port in allow_hosts)
        self._semaphore = asyncio.Semaphore(concurrency)
        self._timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=connect_timeout, sock_read=read_timeout
        )

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET `url` (following up to `max_redirects` redirects) and return the result; never raises."""
        headers = {"User-Agent": self._user_agent}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        # An overall deadline stops a server that trickles bytes just fast enough to beat sock_read.
        deadline = self.connect_timeout + self.read_timeout
        async with self._semaphore:
            try:
                async with asyncio.timeout(deadline):
                    return await self._follow(url, headers, etag, last_modified)
            except aiohttp.ConnectionTimeoutError:
                return _failure(url, f"connect timed out after {_seconds(self.connect_timeout)}")
            except TimeoutError as exc:
                limit = self.read_timeout if isinstance(exc, aiohttp.ServerTimeoutError) else deadline
                return _failure(url, f"timed out after {_seconds(limit)}")
            except _BodyTooLarge:
                return _failure(url, f"body larger than {_size_label(self.max_bytes)}")
            except (aiohttp.ClientError, OSError, ValueError) as exc:
                message, permanent = describe_client_error(exc)
                return _failure(url, message, permanent=permanent)

    async def _follow(
        self, url: str, headers: Mapping[str, str], etag: str | None, last_modified: str | None
    ) -> FetchResult:
        current = url
        for _hop in range(self.max_redirects + 1):
            # Checked on every hop: aiohttp does not consult the resolver for literal IP hosts.
            refusal = check_feed_url(
                current, allow_private=self._allow_private, allow_hosts=self._allow_hosts
            )
            if refusal is not None:
                return _failure(url, refusal, permanent=True)
            async with self._session.get(
                URL(current, encoded=False), headers=headers, allow_redirects=False, timeout=self._timeout
            ) as response:
                location = response.headers.get("Location")
                if response.status in _REDIRECT_STATUSES and location:
                    current = str(response.url.join(URL(location)))
                    continue
                return await self._result(url, current, response, etag, last_modified)
        return _failure(url, f"too many redirects (>{self.max_redirects})")

    async def _result(
        self,
        url: str,
        final_url: str,
        response: aiohttp.ClientResponse,
        etag: str | None,
        last_modified: str | None,
    ) -> FetchResult:
        new_etag = response.headers.get("ETag") or etag
        new_modified = response.headers.get("Last-Modified") or last_modified
        content_type = response.headers.get("Content-Type")
        final = final_url if final_url != url else None
        if response.status == 304:
            return FetchResult(url, 304, None, new_etag, new_modified, content_type, True, None, False, final)
        if not 200 <= response.status < 300:
            reason = f"HTTP {response.status} {response.reason or ''}".strip()
            permanent = response.status in _PERMANENT_STATUSES
            retry_after = (
                parse_retry_after(response.headers.get("Retry-After"))
                if response.status in _RETRY_AFTER_STATUSES else None
            )
            return FetchResult(
                url, response.status, None, None, None, content_type, False, reason, permanent, final,
                retry_after,
            )
        body = await self._read_capped(response)
        return FetchResult(
            url, response.status, body, new_etag, new_modified, content_type, False, None, False, final
        )

    async def _read_capped(self, response: aiohttp.ClientResponse) -> bytes:
        # aiohttp decompresses incrementally with bounded output per chunk, so counting the
        # decompressed chunks here stops a gzip bomb after max_bytes, before it fills memory.
        if response.content_length is not None and response.content_length > self.max_bytes:
            raise _BodyTooLarge
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.content.iter_chunked(64 * 1024):
            size += len(chunk)
            if size > self.max_bytes:
                raise _BodyTooLarge
            chunks.append(chunk)
        return b"".join(chunks)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP-date); None when absent or
    unreadable. A date in the past means "now" (0)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT; a zone-less one is read as such
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _failure(url: str, error: str, *, permanent: bool = False) -> FetchResult:
    return FetchResult(url, None, None, None, None, None, False, error, permanent)


def describe_client_error(exc: BaseException) -> tuple[str, bool]:
    """One readable line for a client-side failure, and whether it is permanent."""
    if isinstance(exc, aiohttp.ClientConnectorError):
        return _describe_connect_error(exc)
    if isinstance(exc, aiohttp.InvalidURL | ValueError):
        return f"invalid URL: {_one_line(exc)}", True
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return "server disconnected before answering", False
    if isinstance(exc, aiohttp.ClientPayloadError):
        return f"broken response body: {_one_line(exc)}", False
    if isinstance(exc, aiohttp.ClientResponseError):
        return f"bad response: {exc.message or exc.status}", False
    return f"request failed: {type(exc).__name__}: {_one_line(exc)}", False


def _describe_connect_error(exc: aiohttp.ClientConnectorError) -> tuple[str, bool]:
    cause = exc.os_error
    if isinstance(cause, BlockedAddress):
        return cause.reason, True
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return f"DNS lookup failed for {exc.host}", False
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return f"TLS certificate error for {exc.host}", False
    if isinstance(exc, aiohttp.ClientSSLError):
        return f"TLS error for {exc.host}", False
    if isinstance(cause, ConnectionRefusedError):
        return "connection refused", False
    return f"connection failed: {cause.strerror or _one_line(cause)}", False


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:200] or type(exc).__name__
