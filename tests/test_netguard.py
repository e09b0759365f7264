from __future__ import annotations

import pytest

from bot.ingest.feeds import FeedFetcher, make_session
from bot.ingest.netguard import BlockedAddress, GuardedResolver, check_feed_url, is_blocked_ip, redact_url
from tests.fakes.feed_server import FeedServer, StaticResolver

PRIVATE = [
    "127.0.0.1",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.1",
    "::1",
    "fd00::1",
    "fe80::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::",
]


@pytest.mark.parametrize("address", PRIVATE)
def test_private_addresses_are_blocked(address: str) -> None:
    assert is_blocked_ip(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_pass(address: str) -> None:
    assert not is_blocked_ip(address)


@pytest.mark.parametrize("address", PRIVATE)
def test_literal_private_ip_urls_are_refused(address: str) -> None:
    host = f"[{address}]" if ":" in address else address
    reason = check_feed_url(f"http://{host}/feed", allow_private=False)
    assert reason is not None and reason.startswith("refused:") and "private address" in reason
    assert check_feed_url(f"http://{host}/feed", allow_private=True) is None


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("ftp://example.com/feed.xml", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("gopher://example.com/", "only http and https"),
        ("/relative/feed", "only http and https"),
        ("http://user:pw@example.com/feed", "credentials"),
        ("http:///feed", "no host"),
        ("http://localhost/feed", "localhost is a local address"),
        ("http://api.localhost:8080/feed", "local address"),
        ("http://example.com:99999/feed", "invalid URL"),
    ],
)
def test_bad_urls_are_refused_with_a_reason(url: str, fragment: str) -> None:
    reason = check_feed_url(url, allow_private=False)
    assert reason is not None and fragment in reason


def test_public_url_passes() -> None:
    assert check_feed_url("https://www.example.com/rss.xml", allow_private=False) is None


@pytest.mark.parametrize(("url", "shown"), [
    ("https://reader:s3cret@example.org/feed.xml", "https://***@example.org/feed.xml"),
    ("http://a:b@c@example.org:8080/f?u=x@y", "http://***@example.org:8080/f?u=x@y"),
    ("https://example.org/p@x?q=a@b", "https://example.org/p@x?q=a@b"),
    ("not a url", "not a url"),
])
def test_redact_url_hides_user_and_password_only(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_allow_hosts_exempts_one_host_and_port_only() -> None:
    allowed = {("127.0.0.1", 8080)}
    assert check_feed_url("http://127.0.0.1:8080/feed", allow_private=False, allow_hosts=allowed) is None
    assert check_feed_url("http://127.0.0.1:8081/feed", allow_private=False, allow_hosts=allowed)


async def test_resolver_refuses_names_resolving_to_private_addresses() -> None:
    resolver = GuardedResolver(
        inner=StaticResolver({"intranet.test": "10.0.0.7", "news.test": "93.184.216.34"})
    )
    with pytest.raises(BlockedAddress) as caught:
        await resolver.resolve("intranet.test", 80)
    assert caught.value.reason == "refused: intranet.test resolves to a private address (10.0.0.7)"
    results = await resolver.resolve("news.test", 80)
    assert results[0]["host"] == "93.184.216.34"


async def test_resolver_with_system_dns_refuses_localhost_and_numeric_forms() -> None:
    resolver = GuardedResolver()
    try:
        with pytest.raises(BlockedAddress):
            await resolver.resolve("localhost", 80)
        with pytest.raises(BlockedAddress):  # getaddrinfo turns the decimal form into 127.0.0.1
            await resolver.resolve("2130706433", 80)
    finally:
        await resolver.close()


async def test_resolver_allow_private_lets_everything_through() -> None:
    resolver = GuardedResolver(allow_private=True, inner=StaticResolver({"intranet.test": "10.0.0.7"}))
    assert (await resolver.resolve("intranet.test", 80))[0]["host"] == "10.0.0.7"


@pytest.fixture
async def server():
    srv = await FeedServer().start()
    yield srv
    await srv.close()


async def test_redirect_to_a_private_name_is_refused_at_connect_time(server: FeedServer) -> None:
    # Both names point at the local test server; only the first hop's (host, port) is exempt.
    dns = StaticResolver({"public.test": "127.0.0.1", "rebind.test": "127.0.0.1"})
    allowed = {("public.test", server.port)}
    target = f"http://rebind.test:{server.port}/feeds/rss2.xml"
    async with make_session(False, "test-agent", allow_hosts=allowed, dns=dns) as session:
        fetcher = FeedFetcher(session, user_agent="test-agent", allow_hosts=allowed)
        result = await fetcher.fetch(f"http://public.test:{server.port}/redirect?to={target}")
    assert result.error == "refused: rebind.test resolves to a private address (127.0.0.1)"
    assert result.permanent
    assert server.paths() == [f"/redirect?to={target}"]  # the private target was never contacted
    assert dns.asked == ["public.test", "rebind.test"]


async def test_redirect_to_a_literal_private_ip_is_refused(server: FeedServer) -> None:
    dns = StaticResolver({"public.test": "127.0.0.1"})
    allowed = {("public.test", server.port)}
    target = "http://169.254.169.254/latest/meta-data/"
    async with make_session(False, "test-agent", allow_hosts=allowed, dns=dns) as session:
        fetcher = FeedFetcher(session, user_agent="test-agent", allow_hosts=allowed)
        result = await fetcher.fetch(f"http://public.test:{server.port}/redirect?to={target}")
    assert result.error == "refused: 169.254.169.254 is a private address"
    assert result.permanent


async def test_fetching_a_private_url_directly_is_refused_without_connecting(server: FeedServer) -> None:
    async with make_session(False, "test-agent") as session:
        fetcher = FeedFetcher(session, user_agent="test-agent")
        result = await fetcher.fetch(server.url("/feeds/rss2.xml"))
    assert result.error == "refused: 127.0.0.1 is a private address"
    assert result.permanent and result.body is None
    assert server.requests == []


@pytest.mark.parametrize("url", ["ftp://example.com/feed.xml", "file:///etc/passwd"])
async def test_fetcher_refuses_other_schemes(url: str) -> None:
    async with make_session(False, "test-agent") as session:
        result = await FeedFetcher(session, user_agent="test-agent").fetch(url)
    assert result.error is not None and "only http and https" in result.error
    assert result.permanent
