"""The digest's timeline picture: drawn from the stored deadlines, carried through the outbox, uploaded to
Slack (files_upload_v2) and attached on Discord against the local fakes; the text goes out once without it."""

from __future__ import annotations

import logging
import struct
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
import pytest_asyncio
from matplotlib.backends.backend_agg import FigureCanvasAgg

from adapters.discord.client import DiscordAdapter
from adapters.slack.app import SlackAdapter
from bot.analysis.deadlines.merge import MERGE_POLICY
from bot.domain.models import Analysis, Attachment, DeadlineMention, DeadlineView, Message, Relevance, Target
from bot.usecases import timeline
from bot.usecases.deliver import Outbox, message_from_json, message_to_json
from bot.usecases.digest import compose_digest
from storage import Store
from storage.queries import deadlines as deadline_q
from storage.queries import items as item_q
from storage.queries import outbox as outbox_q
from tests.conftest import FakeClock
from tests.fakes.fake_discord import CHANNEL_ID, GUILD_ID, FakeDiscord
from tests.fakes.fake_slack import BOT_TOKEN, FakeSlack
from tests.test_items_queries import make_item

TODAY = date(2025, 8, 4)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def view(n: int, what: str, start: date | None, end: date | None, gran: str = "day",
         status: str = "upcoming") -> DeadlineView:
    return DeadlineView(f"dl-{n}", what, start, end, gran, status, 0.8, "evidence", ())  # type: ignore[arg-type]


MENTIONS = [
    DeadlineMention("US–China tariff truce expires", date(2025, 8, 12), date(2025, 8, 12), "day", 0.9,
                    "The truce expires on August 12."),
    DeadlineMention("Section 301 shipbuilding comments due", date(2025, 8, 20), date(2025, 9, 3), "range", 0.7,
                    "Comments are due between August 20 and September 3."),
    DeadlineMention("Summit with Xi", None, None, "unknown", 0.6, "A summit at a mutually acceptable date."),
]


async def with_deadlines(store: Store, clock: FakeClock) -> None:
    await store.run(item_q.save_item, make_item(), Analysis(Relevance(True, 0.9)), story_id=None)
    await store.run(deadline_q.record_mentions, "i1", date(2025, 7, 30), MENTIONS, clock(), policy=MERGE_POLICY)


async def digest(store: Store, clock: FakeClock, *, picture: bool = True) -> Message:
    now = datetime(2025, 8, 4, 8, tzinfo=UTC)
    return await compose_digest(store, since=now - timedelta(days=1), now=now, today=TODAY, picture=picture)


# --- drawing -------------------------------------------------------------------------------------------


def test_window_keeps_dated_overlapping_deadlines_soonest_first() -> None:
    deadlines = [
        view(1, "later", date(2025, 9, 1), date(2025, 9, 1)),
        view(2, "undated summit", None, None, "unknown", "tbd"),
        view(3, "began last week, ends soon", date(2025, 7, 28), date(2025, 8, 8), "range", "due"),
        view(4, "beyond six weeks", date(2025, 9, 30), date(2025, 9, 30)),
        view(5, "over already", date(2025, 7, 1), date(2025, 7, 2)),
        view(6, "called off", date(2025, 8, 10), date(2025, 8, 10), status="cancelled"),
    ]
    assert [d.what for d in timeline.in_window(deadlines, TODAY)] == ["began last week, ends soon", "later"]


async def test_picture_is_a_chat_sized_png_with_alt_text() -> None:
    deadlines = [view(1, "US–China tariff truce expires", date(2025, 8, 12), date(2025, 8, 12)),
                 view(2, "Talks expected in August", date(2025, 8, 1), date(2025, 8, 31), "month")]
    picture = await timeline.timeline_attachment(deadlines, today=TODAY)
    assert picture is not None and picture.filename.endswith(".png")
    width, height = png_size(picture.data)
    assert width >= 1000 and 380 <= height <= 900  # wide and short: a chat preview shows it whole
    assert "US–China tariff truce expires (12 Aug)" in picture.alt and "01 Aug–31 Aug" in picture.alt


async def test_no_picture_without_dated_deadlines_in_the_window() -> None:
    undated = [view(1, "Summit", None, None, "unknown", "tbd")]
    assert await timeline.timeline_attachment(undated, today=TODAY) is None


# --- composing -----------------------------------------------------------------------------------------


async def test_digest_carries_the_picture_and_complete_text(store: Store, clock: FakeClock) -> None:
    await with_deadlines(store, clock)
    message = await digest(store, clock)
    assert message.attachment is not None and png_size(message.attachment.data)[0] >= 1000
    assert "Summit with Xi" not in message.attachment.alt  # undated: in the text only
    without = await digest(store, clock, picture=False)
    assert without.attachment is None and without.text == message.text
    assert "US–China tariff truce expires" in message.text and "Summit with Xi: date TBD" in message.text


async def test_a_drawing_failure_is_logged_and_the_digest_goes_out_as_text(
        store: Store, clock: FakeClock, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    await with_deadlines(store, clock)
    timeline.render_png.cache_clear()

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("no fonts")

    monkeypatch.setattr(FigureCanvasAgg, "print_png", broken)  # the plotting library fails, not our code
    with caplog.at_level(logging.ERROR):
        message = await digest(store, clock)
    assert message.attachment is None and "Deadlines ahead" in message.text
    assert "could not draw the deadline timeline" in caplog.text
    timeline.render_png.cache_clear()


def test_the_outbox_payload_keeps_the_picture_bytes() -> None:
    picture = Attachment("t.png", PNG_SIGNATURE + b"\x00\xff", "a timeline", "Deadlines")
    message = Message(kind="digest", text="digest", attachment=picture)
    assert message_from_json(message_to_json(message)) == message
    with pytest.raises(ValueError):
        message_from_json(message_to_json(message).replace('"data": "', '"data": "!'))


class RecordingConsole:
    """An adapter that keeps what it is asked to send (the console's contract, in memory)."""

    platform = "console"

    def __init__(self) -> None:
        self.sent: list[Message] = []

    async def start(self, handler: object) -> None: ...

    async def stop(self) -> None: ...

    def healthy(self) -> bool:
        return True

    async def send(self, target: Target, message: Message, *, idem_key: str | None = None) -> str:
        self.sent.append(message)
        return str(len(self.sent))


async def test_a_thousand_digests_share_one_stored_picture(store: Store, clock: FakeClock) -> None:
    picture = Attachment("t.png", PNG_SIGNATURE + bytes(range(256)) * 300, "a timeline", "Deadlines")
    message = Message(kind="digest", text="digest", attachment=picture)
    console = RecordingConsole()
    outbox = Outbox(store, {"console": console}, clock=clock)
    for n in range(50):
        await outbox.enqueue(f"digest:{n}:2025-08-04", Target("console", f"c{n}"), message)
    stored = await store.run(lambda db: db.execute("SELECT count(*), sum(length(data)) FROM attachments").fetchone())
    payloads = await store.run(lambda db: db.execute("SELECT max(length(payload)) FROM outbox").fetchone()[0])
    assert stored == (1, len(picture.data)) and payloads < 1000  # rows refer to the picture, not copy it
    assert (await outbox.deliver_due()).sent == 50
    assert all(sent.attachment == picture for sent in console.sent)


async def test_a_missing_stored_picture_leaves_the_text_to_go_alone(store: Store, clock: FakeClock) -> None:
    picture = Attachment("t.png", PNG_SIGNATURE + b"\x00", "a timeline", "Deadlines")
    console = RecordingConsole()
    outbox = Outbox(store, {"console": console}, clock=clock)
    await outbox.enqueue("digest:1:2025-08-04", Target("console", "c1"),
                         Message(kind="digest", text="digest", attachment=picture))
    await store.run(lambda db: db.execute("DELETE FROM attachments"))
    assert (await outbox.deliver_due()).sent == 1
    assert console.sent[0].text == "digest" and console.sent[0].attachment is None


# --- Slack ---------------------------------------------------------------------------------------------


def slack_adapter(fake: FakeSlack) -> SlackAdapter:
    return SlackAdapter(bot_token=BOT_TOKEN, signing_secret="s", api_url=fake.api_url)


async def test_slack_digest_posts_the_text_then_uploads_the_picture(
        store: Store, clock: FakeClock, slack_fake: FakeSlack) -> None:
    await with_deadlines(store, clock)
    message = await digest(store, clock)
    assert message.attachment is not None
    outbox = Outbox(store, {"slack": slack_adapter(slack_fake)}, clock=clock)
    await outbox.enqueue("digest:1:2025-08-04", Target("slack", "C1", "T0FAKE"), message)
    assert (await outbox.deliver_due()).sent == 1
    (post,) = slack_fake.calls_to("chat.postMessage")
    assert post.body["channel"] == "C1" and "Deadlines ahead" in post.body["text"]
    (asked,) = slack_fake.calls_to("files.getUploadURLExternal")
    assert asked.body["filename"] == timeline.FILENAME and int(asked.body["length"]) == len(message.attachment.data)
    assert list(slack_fake.uploads.values()) == [message.attachment.data]
    (shared,) = slack_fake.shared_files
    assert shared["channel"] == "C1" and shared["title"] == message.attachment.title
    order = [c.method for c in slack_fake.calls if c.method != "auth.test"]
    assert order == ["chat.postMessage", "files.getUploadURLExternal", "upload", "files.completeUploadExternal"]


@pytest.mark.parametrize("failing", ["files.getUploadURLExternal", "files.completeUploadExternal"])
async def test_slack_upload_failure_is_logged_and_the_text_goes_out_once(
        store: Store, clock: FakeClock, slack_fake: FakeSlack, caplog: pytest.LogCaptureFixture,
        failing: str) -> None:
    await with_deadlines(store, clock)
    slack_fake.fail_next(failing, error="missing_scope")
    outbox = Outbox(store, {"slack": slack_adapter(slack_fake)}, clock=clock)
    await outbox.enqueue("digest:1:2025-08-04", Target("slack", "C1", "T0FAKE"), await digest(store, clock))
    assert (await outbox.deliver_due()).sent == 1
    clock.advance(hours=1)
    assert (await outbox.deliver_due()).sent == 0
    assert len(slack_fake.calls_to("chat.postMessage")) == 1 and slack_fake.shared_files == []
    assert "missing_scope" in caplog.text and "files:write" in caplog.text
    statuses = await store.run(outbox_q.statuses, ["digest:1:2025-08-04"])
    assert statuses == {"digest:1:2025-08-04": "sent"}


# --- Discord -------------------------------------------------------------------------------------------


@pytest_asyncio.fixture
async def discord_sender(discord_fake: FakeDiscord) -> AsyncIterator[DiscordAdapter]:
    adapter = DiscordAdapter(token="fake-token", guild_ids=[int(GUILD_ID)], api_url=discord_fake.api_url,
                             gateway_url=discord_fake.gateway_url)
    await adapter.open_for_sending()  # REST only, as a scheduled digest posts
    yield adapter
    await adapter.stop()


async def test_discord_digest_attaches_the_picture_after_the_text(
        store: Store, clock: FakeClock, discord_fake: FakeDiscord, discord_sender: DiscordAdapter) -> None:
    await with_deadlines(store, clock)
    message = await digest(store, clock)
    assert message.attachment is not None
    outbox = Outbox(store, {"discord": discord_sender}, clock=clock)
    await outbox.enqueue("digest:2:2025-08-04", Target("discord", CHANNEL_ID, GUILD_ID), message)
    assert (await outbox.deliver_due()).sent == 1
    text, picture = discord_fake.calls_to("POST", f"/channels/{CHANNEL_ID}/messages")
    assert text.files == [] and text.json["embeds"][0]["title"].startswith("US–China morning digest")
    assert picture.files == [(timeline.FILENAME, message.attachment.data)]
    assert picture.json["attachments"][0]["description"].startswith("Timeline of deadlines")
    assert picture.json["nonce"].endswith(".p")  # a quick retry returns the picture already posted
    posted = discord_fake.channel_messages[CHANNEL_ID][-1]
    assert posted["attachments"][0]["filename"] == timeline.FILENAME
    assert posted["attachments"][0]["size"] == len(message.attachment.data)


async def test_discord_attachment_refused_is_logged_and_the_text_goes_out_once(
        store: Store, clock: FakeClock, discord_fake: FakeDiscord, discord_sender: DiscordAdapter,
        caplog: pytest.LogCaptureFixture) -> None:
    await with_deadlines(store, clock)
    discord_fake.upload_limit = 1000  # the picture is larger: Discord answers 413
    outbox = Outbox(store, {"discord": discord_sender}, clock=clock)
    await outbox.enqueue("digest:2:2025-08-04", Target("discord", CHANNEL_ID, GUILD_ID), await digest(store, clock))
    assert (await outbox.deliver_due()).sent == 1
    clock.advance(hours=1)
    assert (await outbox.deliver_due()).sent == 0
    posts = discord_fake.calls_to("POST", f"/channels/{CHANNEL_ID}/messages")
    assert [bool(p.files) for p in posts] == [False, True]
    assert [m["attachments"] for m in discord_fake.channel_messages[CHANNEL_ID]] == [[]]
    assert "could not attach" in caplog.text and "413" in caplog.text


async def test_the_console_ignores_the_picture(capsys: pytest.CaptureFixture[str]) -> None:
    from adapters.console import ConsoleAdapter

    console = ConsoleAdapter()
    picture = Attachment("t.png", PNG_SIGNATURE, "alt", "Deadlines")
    await console.send(Target("console", "console"), Message(kind="digest", text="the digest", attachment=picture))
    assert "the digest" in capsys.readouterr().out
