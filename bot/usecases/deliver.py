"""Delivery through the outbox: record first, then send, retry with backoff, never repeat.

Every outgoing message is written to the `outbox` table under an idempotency key before any adapter
sees it. `Outbox.deliver_due()` claims each due row (pending -> sending) in its own committed statement,
calls the adapter, then records the result at once. Channels are served concurrently, so one slow or
failing channel never holds up another. See docs/delivery.md for the crash-safety policy.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import functools
import json
import logging
import re
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, Protocol, runtime_checkable

import sqlite_utils

from bot import registry
from bot.domain.clock import Clock, utcnow
from bot.domain.models import Attachment, DeadlineView, Message, StoryView, Target
from bot.metrics import METRICS
from bot.ports import ChatAdapter, DeliveryError
from storage import Store
from storage.queries import attachments as attachment_q
from storage.queries import outbox as outbox_q
from storage.queries import subscriptions as sub_q
from storage.queries.outbox import OutboxRow
from storage.queries.timestamps import from_iso

log = logging.getLogger(__name__)

# Credential shapes that must never reach a log line or the database, whatever an adapter put in an error:
# the core's own (an HTTP bearer token, an LLM API key), and each chat adapter's, as its plugin declares them.
CORE_SECRET_PATTERNS = (r"Bearer\s+\S+", r"sk-[A-Za-z0-9_-]{10,}")


@functools.cache
def _secrets() -> re.Pattern[str]:
    return re.compile("|".join((*CORE_SECRET_PATTERNS, *registry.secret_patterns())))


def redact(text: str) -> str:
    """`text` with anything shaped like a credential (an API key, a chat platform's token) replaced by
    `[redacted]`."""
    return _secrets().sub("[redacted]", text)


# --- payload serialization ---------------------------------------------------------------------------


def message_to_json(message: Message, *, attachment_ref: str | None = None) -> str:
    """The Message as JSON text (dates and datetimes as ISO strings); inverse of `message_from_json`. The
    attachment's bytes go in as base64, or, given `attachment_ref`, as that reference to the stored file."""
    data = asdict(message)
    if attachment_ref is not None and data.get("attachment"):
        data["attachment"] = {**data["attachment"], "data": None, "ref": attachment_ref}
    return json.dumps(data, default=_json_default, ensure_ascii=False)


def attachment_ref(payload: str) -> str | None:
    """The stored file a payload's attachment refers to, if it refers to one."""
    try:
        attachment = json.loads(payload).get("attachment") or {}
    except (json.JSONDecodeError, AttributeError):
        return None
    ref = attachment.get("ref") if isinstance(attachment, dict) else None
    return ref if isinstance(ref, str) else None


def message_from_json(text: str) -> Message:
    """Rebuild a Message written by `message_to_json`; raises ValueError on malformed payloads."""
    try:
        data = json.loads(text)
        stories = tuple(_story(s) for s in data.pop("stories", ()))
        deadlines = tuple(_deadline(d) for d in data.pop("deadlines", ()))
        lines = tuple(data.pop("lines", ()))
        if data.get("as_of"):  # rows written before messages carried their date have none
            data["as_of"] = date.fromisoformat(data["as_of"])
        if data.get("attachment"):
            data["attachment"] = _attachment(data["attachment"])
        return Message(**data, stories=stories, deadlines=deadlines, lines=lines)
    except (TypeError, KeyError, AttributeError, json.JSONDecodeError, binascii.Error) as exc:
        raise ValueError(f"malformed outbox payload: {exc}") from None


def _json_default(value: object) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"cannot serialize {type(value).__name__}")


def _attachment(data: dict[str, Any]) -> Attachment:
    # A referenced file's bytes are read from the store when the row is sent (see Outbox._with_attachment).
    data.pop("ref", None)
    data["data"] = base64.b64decode(data["data"], validate=True) if data.get("data") else b""
    return Attachment(**data)


def _story(data: dict[str, Any]) -> StoryView:
    data["sources"] = tuple(tuple(source) for source in data["sources"])
    data["updated_at"] = datetime.fromisoformat(data["updated_at"])
    return StoryView(**data)


def _deadline(data: dict[str, Any]) -> DeadlineView:
    for name in ("start", "end"):
        data[name] = date.fromisoformat(data[name]) if data.get(name) else None
    data["sources"] = tuple(data["sources"])
    data["history"] = tuple(tuple(entry) for entry in data.get("history", ()))
    return DeadlineView(**data)


# --- the outbox --------------------------------------------------------------------------------------


@runtime_checkable
class VerifiableAdapter(Protocol):
    """Optional adapter extension: send with the key attached, and later ask the platform if it arrived.

    With it, a message interrupted mid-send (crash, timeout) is resolved exactly: resent only when the
    platform says it never arrived. Without it the outbox cannot tell and does not resend after a crash.
    `since` is when the interrupted attempt was claimed (the message cannot be older); `was_delivered`
    answers True (all of it arrived), False (not, or only partly: `send_keyed` then sends what is
    missing) or None (cannot tell).
    """

    async def send_keyed(self, target: Target, message: Message, idem_key: str) -> str: ...

    async def was_delivered(self, target: Target, idem_key: str,
                            since: datetime | None = None) -> bool | None: ...


@dataclass
class DeliveryStats:
    """What one `deliver_due()` pass (or a start-up recovery) did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    unknown: int = 0
    requeued: int = 0

    def add(self, result: str) -> None:
        setattr(self, result, getattr(self, result) + 1)


# A finished row's key cannot come back after this long (digests and reminders are keyed by their day,
# alerts by their change), so the row and its file can go.
KEEP_FINISHED = timedelta(days=90)
PRUNE_EVERY = timedelta(days=1)


def _prune(db: sqlite_utils.Database, before: datetime) -> tuple[int, int]:
    rows = outbox_q.delete_finished(db, before)
    keep = {ref for payload in outbox_q.payloads_with_attachments(db) if (ref := attachment_ref(payload))}
    return rows, attachment_q.delete_unreferenced(db, keep, before)


class Outbox:
    """Records outgoing messages and delivers them through the adapters, exactly once per key."""

    def __init__(self, store: Store, adapters: Mapping[str, ChatAdapter], *, clock: Clock = utcnow,
                 max_attempts: int = 8, base_backoff_s: float = 2, max_backoff_s: float = 300,
                 send_timeout_s: float = 30, poll_s: float = 2) -> None:
        self.store = store
        self.adapters = adapters
        self.clock = clock
        self.max_attempts = max_attempts
        self.base_backoff_s = base_backoff_s
        self.max_backoff_s = max_backoff_s
        self.send_timeout_s = send_timeout_s
        self.poll_s = poll_s
        self._wake = asyncio.Event()

    async def enqueue(self, idem_key: str, target: Target, message: Message, *,
                      subscription_id: int | None = None) -> bool:
        """Record `message` for `target` under `idem_key`; False when that key was recorded before."""
        added = await self.store.run(
            outbox_q.enqueue, idem_key=idem_key, platform=target.platform, workspace=target.workspace or "",
            channel=target.channel, kind=message.kind, payload=await self._payload(message), now=self.clock(),
            subscription_id=subscription_id,
        )
        if added:
            self._wake.set()
        return added

    async def _payload(self, message: Message) -> str:
        """The row's payload; an attachment is stored once by content and referred to, so a thousand digests
        of one morning share one copy of its picture."""
        if message.attachment is None:
            return message_to_json(message)
        ref = await self.store.run(attachment_q.put, message.attachment.data, now=self.clock())
        return message_to_json(message, attachment_ref=ref)

    async def _with_attachment(self, message: Message, payload: str) -> Message:
        """The message with its referenced file's bytes read back; without them if the file is gone."""
        ref = attachment_ref(payload)
        if ref is None or message.attachment is None:
            return message
        data = await self.store.run(attachment_q.get, ref)
        if data is None:
            log.warning("outbox: attachment %s is missing; the message goes without it", ref[:12])
            return replace(message, attachment=None)
        return replace(message, attachment=replace(message.attachment, data=data))

    async def deliver_due(self) -> DeliveryStats:
        """Send every due row once; channels concurrently, each channel's rows in order."""
        rows = await self.store.run(outbox_q.due_rows, self.clock(), list(self.adapters))
        by_channel: dict[tuple[str, str, str], list[OutboxRow]] = defaultdict(list)
        for row in rows:
            by_channel[(row.platform, row.workspace, row.channel)].append(row)
        stats = DeliveryStats()
        await asyncio.gather(*(self._deliver_channel(group, stats) for group in by_channel.values()))
        return stats

    async def deliver_until_idle(self, keys: Collection[str], *, max_wait_s: float = 60) -> dict[str, str]:
        """Deliver until none of `keys` is waiting any more (or `max_wait_s` passed); their final statuses.
        Used by one-shot commands (`uschina digest --send`), which have no background loop."""
        loop = asyncio.get_running_loop()
        give_up = loop.time() + max_wait_s
        while True:
            await self.deliver_due()
            found = await self.store.run(outbox_q.statuses, keys)
            waiting = [k for k, status in found.items() if status in (outbox_q.PENDING, outbox_q.SENDING)]
            if not waiting or loop.time() >= give_up:
                return found
            await asyncio.sleep(min(self.poll_s, max(0.0, give_up - loop.time())))

    async def recover_interrupted(self) -> DeliveryStats:
        """Resolve rows left in `sending` by a crash: verify with the platform when it can tell, else keep
        them as `unknown` rather than risk a duplicate (logged, counted as result=unknown)."""
        stats = DeliveryStats()
        for row in await self.store.run(outbox_q.rows_with_status, outbox_q.SENDING):
            adapter = self.adapters.get(row.platform)
            if adapter is not None:
                stats.add(await self._resolve_uncertain(row, adapter, "interrupted mid-send"))
        return stats

    async def prune(self, older_than: timedelta = KEEP_FINISHED) -> tuple[int, int]:
        """Forget the rows sent or failed more than `older_than` ago and the files no row refers to any more,
        so the database holds the last few months' messages, not every one ever sent; (rows, files) gone."""
        return await self.store.run(_prune, self.clock() - older_than)

    async def run(self, stop: asyncio.Event) -> None:
        """Recover, then deliver until `stop` is set; wakes on `enqueue` or every `poll_s` seconds, and prunes
        once a day."""
        await self.recover_interrupted()
        next_prune = self.clock()
        while not stop.is_set():
            self._wake.clear()
            try:
                await self.deliver_due()
                if self.clock() >= next_prune:
                    rows, files = await self.prune()
                    next_prune = self.clock() + PRUNE_EVERY
                    if rows or files:
                        log.info("outbox: pruned %d finished message(s) and %d file(s)", rows, files)
            except Exception as exc:  # a store hiccup must not end delivery for good
                log.error("outbox: delivery pass failed: %s", redact(repr(exc)))
            await _wait_any(self._wake, stop, seconds=self.poll_s)

    async def _deliver_channel(self, rows: list[OutboxRow], stats: DeliveryStats) -> None:
        for row in rows:
            result = await self._deliver_row(row)
            if result is not None:
                stats.add(result)
            if result == "retried":
                return  # keep the channel's order: later rows wait for this one

    async def _deliver_row(self, row: OutboxRow) -> str | None:
        claimed_at = self.clock()
        if not await self.store.run(outbox_q.claim, row.id, claimed_at):
            return None
        adapter = self.adapters[row.platform]
        try:
            message = message_from_json(row.payload)
        except ValueError as exc:
            return await self._fail(row, str(exc))
        message = await self._with_attachment(message, row.payload)
        target = Target(row.platform, row.channel, row.workspace or None)
        try:
            message_id = await asyncio.wait_for(_send(adapter, target, message, row.idem_key),
                                                self.send_timeout_s)
        except DeliveryError as exc:
            if exc.permanent:
                return await self._fail(row, exc.reason, subscription_error=True)
            return await self._retry(row, exc.reason, exc.retry_after)
        except TimeoutError:
            return await self._after_timeout(row, adapter, claimed_at)
        except Exception as exc:  # an adapter bug: retry (bounded by max_attempts), keep the bot running
            return await self._retry(row, f"{type(exc).__name__}: {exc}", None)
        await self.store.run(outbox_q.mark_sent, row.id, message_id, self.clock())
        METRICS.deliveries.labels(result="sent").inc()
        return "sent"

    async def _after_timeout(self, row: OutboxRow, adapter: ChatAdapter, claimed_at: datetime) -> str:
        reason = f"no answer within {self.send_timeout_s:g} s"
        if isinstance(adapter, VerifiableAdapter):
            delivered = await _ask_delivered(adapter, row, claimed_at)
            if delivered:
                await self.store.run(outbox_q.mark_sent, row.id, None, self.clock())
                METRICS.deliveries.labels(result="sent").inc()
                return "sent"
        # The process is alive and the send was cancelled: retrying risks a duplicate only if the platform
        # accepted a request it never answered; not retrying would lose the message for sure.
        return await self._retry(row, reason, None)

    async def _resolve_uncertain(self, row: OutboxRow, adapter: ChatAdapter, why: str) -> str:
        # A row in `sending` holds its claim time in next_attempt_at (see outbox_q.claim).
        since = from_iso(row.next_attempt_at)
        delivered = await _ask_delivered(adapter, row, since) if isinstance(adapter, VerifiableAdapter) else None
        if delivered:
            await self.store.run(outbox_q.mark_sent, row.id, None, self.clock())
            log.info("outbox: %s %s was %s; the platform confirms it arrived", row.kind, row.idem_key, why)
            return "sent"
        if delivered is False:
            await self.store.run(outbox_q.mark_retry, row.id, why, self.clock())
            log.info("outbox: %s %s was %s; the platform never got it, sending again", row.kind, row.idem_key,
                     why)
            return "requeued"
        await self.store.run(outbox_q.mark_unknown, row.id, f"{why}; not resent to avoid a duplicate")
        log.warning("outbox: %s %s to %s/%s was %s and %s cannot confirm it; not resending (may be lost)",
                    row.kind, row.idem_key, row.platform, row.channel, why, row.platform)
        METRICS.deliveries.labels(result="unknown").inc()
        return "unknown"

    async def _retry(self, row: OutboxRow, reason: str, retry_after: float | None) -> str:
        reason = redact(reason)
        attempts = row.attempts + 1
        if attempts >= self.max_attempts:
            return await self._fail(row, f"gave up after {attempts} attempts: {reason}")
        delay = self.backoff(attempts, retry_after)
        await self.store.run(outbox_q.mark_retry, row.id, reason, self.clock() + timedelta(seconds=delay))
        log.warning("outbox: %s to %s/%s failed (%s); retry %d in %.0f s", row.idem_key, row.platform,
                    row.channel, reason, attempts, delay)
        METRICS.deliveries.labels(result="retry").inc()
        return "retried"

    def backoff(self, attempts: int, retry_after: float | None = None) -> float:
        """Capped exponential backoff after `attempts` tries, never shorter than the platform's wait."""
        delay = min(self.max_backoff_s, self.base_backoff_s * 2 ** (attempts - 1))
        return max(delay, retry_after or 0)

    async def _fail(self, row: OutboxRow, reason: str, *, subscription_error: bool = False) -> str:
        reason = redact(reason)
        await self.store.run(outbox_q.mark_failed, row.id, reason)
        METRICS.deliveries.labels(result="failed").inc()
        if subscription_error and row.subscription_id is not None:
            await self.store.run(sub_q.mark_subscription_error, row.subscription_id, reason)
            log.error("outbox: %s to %s/%s failed permanently (%s); subscription %d paused until it is "
                      "renewed with /uschina subscribe", row.idem_key, row.platform, row.channel, reason,
                      row.subscription_id)
        else:
            log.error("outbox: %s to %s/%s failed permanently: %s", row.idem_key, row.platform, row.channel,
                      reason)
        return "failed"


async def _send(adapter: ChatAdapter, target: Target, message: Message, idem_key: str) -> str:
    if isinstance(adapter, VerifiableAdapter):
        return await adapter.send_keyed(target, message, idem_key)
    return await adapter.send(target, message)


async def _ask_delivered(adapter: VerifiableAdapter, row: OutboxRow, since: datetime | None) -> bool | None:
    target = Target(row.platform, row.channel, row.workspace or None)
    try:
        return await adapter.was_delivered(target, row.idem_key, since=since)
    except Exception as exc:
        log.warning("outbox: could not verify %s: %s", row.idem_key, redact(repr(exc)))
        return None


async def _wait_any(*events: asyncio.Event, seconds: float) -> None:
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*waiters, return_exceptions=True)
