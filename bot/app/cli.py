"""The `uschina` command line. Every subcommand that touches the store takes `--db PATH`."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sqlite3
import sys
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot import __version__
from bot.config import ConfigError, Settings, load_settings

if TYPE_CHECKING:
    from bot.app.runtime import Runtime
    from bot.domain.models import Message
    from bot.usecases.commands import CommandHandler

log = logging.getLogger("uschina")
CLI_STORIES = 20  # a terminal shows more than a chat answer (`summary N` allows up to 20 too)


class CommandLineError(Exception):
    """A one-line message for the user and the exit status: 2 for a usage error, 1 for anything else."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `uschina` console script; returns the exit status.

    Failures the user can act on (a bad argument, a database that cannot be opened, a port in use, a file
    that cannot be written) are one line on stderr and status 2 (usage) or 1 (runtime), not a traceback.
    """
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # it logs every job change at INFO
    settings: Settings | None = None
    try:
        settings = _settings(args)
        code = int(asyncio.run(args.func(args, settings)) or 0)
        sys.stdout.flush()  # a reader that went away (`| head`) shows here, not at interpreter exit
        return code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        _discard_stdout()
        return 1
    except Exception as exc:
        failure = _explain(exc, settings.db_path if settings else None)
        if failure is None:
            raise
        message, code = failure
        print(f"uschina: {message}", file=sys.stderr)
        return code


def _explain(exc: Exception, db_path: Path | None) -> tuple[str, int] | None:
    """The one-line message and exit status for a failure the user can act on; None for a bug."""
    from bot.app.web import StartupError
    from storage import DatabaseUnavailable

    if isinstance(exc, CommandLineError):
        return str(exc), exc.code
    if isinstance(exc, ConfigError):
        return f"configuration error: {exc}", 2
    if isinstance(exc, StartupError | DatabaseUnavailable):
        return str(exc), 1
    if isinstance(exc, sqlite3.Error):
        if "readonly" in str(exc):
            return f"the database {db_path} is read-only; this command needs to write to it", 1
        return f"database error in {db_path}: {exc}", 1
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror + (f": {exc.filename}" if exc.filename else ""), 1
    return None


def _discard_stdout() -> None:
    """Send what is still buffered for stdout to /dev/null, so exiting does not report the closed pipe again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _settings(args: argparse.Namespace) -> Settings:
    settings = load_settings(config_path=args.config)
    return settings.with_overrides(db_path=getattr(args, "db", None), seeds_dir=getattr(args, "seeds", None))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="uschina", description="US–China news, summaries and deadlines.")
    parser.add_argument("--version", action="version", version=f"uschina {__version__}")
    parser.add_argument("--config", help="configuration file (default: ./uschina.toml, or USCHINA_CONFIG)")
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    sub = parser.add_subparsers(dest="command", required=True)
    db_parent = argparse.ArgumentParser(add_help=False)
    db_parent.add_argument("--db", type=Path, help="SQLite database (default: data/uschina.db, or USCHINA_DB)")

    run = sub.add_parser("run", parents=[db_parent], help="run the bot: ingest, schedule, serve commands")
    run.add_argument("--seeds", type=Path, help="seeds folder to watch (default: seeds/, or USCHINA_SEEDS)")
    run.set_defaults(func=_run)

    ingest = sub.add_parser("ingest", parents=[db_parent], help="one ingest-and-analyse cycle, then a report")
    ingest.add_argument("--seeds", type=Path, help="ingest this folder of article files")
    ingest.add_argument("--feed", action="append", default=[], metavar="URL", help="ingest this feed (repeatable)")
    ingest.set_defaults(func=_ingest)

    analyze = sub.add_parser("analyze", help="analyse JSON lines (id, text, published) without the database")
    analyze.add_argument("input", nargs="?", default="-", help="a .jsonl file, or - for standard input")
    analyze.set_defaults(func=_analyze)

    summary = sub.add_parser("summary", parents=[db_parent], help="recent relevant stories and summaries")
    summary.add_argument("--since", default="24h", help="how far back, like 24h or 7d (default 24h)")
    summary.add_argument("--json", action="store_true", help="print JSON")
    summary.set_defaults(func=_summary)

    deadlines = sub.add_parser("deadlines", parents=[db_parent], help="tracked deadlines with countdowns")
    deadlines.add_argument("--as-of", type=_date_arg, help="YYYY-MM-DD (default: today)")
    deadlines.add_argument("--all", action="store_true", help="include past and cancelled deadlines")
    deadlines.add_argument("--json", action="store_true", help="print JSON")
    deadlines.add_argument("--ics", nargs="?", const="-", metavar="FILE",
                           help="write an iCalendar feed to FILE (or stdout)")
    deadlines.set_defaults(func=_deadlines)

    sources = sub.add_parser("sources", parents=[db_parent],
                             help="list, add, remove or re-enable watched feeds")
    sources.add_argument("action", choices=["list", "add", "remove", "enable"])
    sources.add_argument("url", nargs="?")
    sources.add_argument("--name", help="display name for `add`")
    sources.add_argument("--kind", default="outlet", choices=["official", "wire", "outlet", "commentary"])
    sources.set_defaults(func=_sources)

    digest = sub.add_parser("digest", parents=[db_parent], help="compose the digest")
    mode = digest.add_mutually_exclusive_group(required=True)
    mode.add_argument("--dry-run", action="store_true", help="print the digest it would send")
    mode.add_argument("--send", action="store_true", help="compose and send now to every subscription")
    digest.add_argument("--since", default="24h", help="news window for --dry-run (default 24h)")
    digest.set_defaults(func=_digest)
    return parser


def _date_arg(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app.main import run_bot

    await run_bot(settings)
    return 0


async def _ingest(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app.runtime import Runtime

    _check_feed_urls(args.feed)
    async with Runtime.open(settings, workers=settings.analysis_workers) as runtime:
        if runtime.store.readonly:  # each feed would fail on its own: say it once
            raise CommandLineError(f"the database {settings.db_path} is read-only; ingest needs to write to it")
        report = await runtime.ingest_once(seeds=args.seeds, feeds=args.feed)
    for line in report.lines():
        print(line)
    for error in report.errors:
        print(f"error: {error}", file=sys.stderr)
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    nothing_worked = report.errors and report.entries == 0 and report.not_modified + report.same_body == 0
    return 1 if nothing_worked else 0


def _check_feed_urls(urls: Sequence[str]) -> None:
    """A usage error for an `--feed` that is not an http(s) URL or carries a user name or password."""
    from bot.ingest.netguard import check_feed_url, redact_url

    for url in urls:
        refusal = check_feed_url(url, allow_private=True)  # the operator's own shell may fetch local feeds
        if refusal:
            raise CommandLineError(f"--feed {redact_url(url)}: {refusal}", code=2)


async def _analyze(args: argparse.Namespace, settings: Settings) -> int:
    from bot.pipeline.batch import analyze_lines

    stream = sys.stdin if args.input == "-" else _open_text(Path(args.input))
    if stream is None:
        return 1
    with stream:
        async for line in analyze_lines(stream, settings):
            sys.stdout.write(line + "\n")
    return 0


async def _summary(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app.runtime import Runtime

    period = _period(args.since)
    async with Runtime.open(settings) as runtime:
        message = await _commands(runtime).recent_stories(period, limit=CLI_STORIES)
    if args.json:
        _print_json([_story_json(s) for s in message.stories])
    else:
        _print_text(message)
    return 0


async def _deadlines(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app.runtime import Runtime
    from bot.usecases.ics import render_ics

    async with Runtime.open(settings) as runtime:
        as_of = args.as_of or runtime.clock().date()
        message = await _commands(runtime).tracked_deadlines(as_of, include_all=args.all)
        now = runtime.clock()
    views = message.deadlines
    if args.ics:
        calendar = render_ics(views, now=now)
        if args.ics == "-":
            sys.stdout.write(calendar)
        else:
            await _write_file(Path(args.ics), calendar)
            print(f"wrote {len(views)} deadlines to {args.ics}")
    elif args.json:
        _print_json([_deadline_json(d) for d in views])
    else:
        _print_text(message)
    return 0


async def _sources(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app.runtime import Runtime
    from storage.queries import sources as source_q

    if args.action in {"add", "remove", "enable"} and not args.url:
        print(f"uschina: sources {args.action} needs a URL", file=sys.stderr)
        return 2
    async with Runtime.open(settings) as runtime:
        if args.action == "list":
            for line in (await _commands(runtime).source_list()).lines:
                print(line)
            return 0
        if args.action == "remove":
            removed = await runtime.store.run(source_q.remove_source, args.url, now=runtime.clock())
            print(f"removed {args.url}" if removed else f"not a watched source: {args.url}")
            return 0 if removed else 1
        if args.action == "enable":
            enabled = await runtime.store.run(source_q.enable_source, args.url)
            print(f"enabled {args.url}; it is fetched on the next cycle" if enabled
                  else f"not a watched source: {args.url}")
            return 0 if enabled else 1
        return await _add_source(runtime, args)


def _commands(runtime: Runtime) -> CommandHandler:
    """The command layer the chat adapters use, so the CLI reads the same views."""
    from bot.usecases.commands import CommandContext, CommandHandler

    return CommandHandler(CommandContext(store=runtime.store, now=runtime.clock, settings=runtime.settings))


def _print_text(message: Message) -> None:
    from adapters.console import render_text

    print(render_text(message), end="")


async def _add_source(runtime: Any, args: argparse.Namespace) -> int:
    from bot.ingest.netguard import check_feed_url
    from storage.queries import sources as source_q

    refusal = check_feed_url(args.url, allow_private=True)  # the operator's own shell may add local feeds
    if refusal:
        raise CommandLineError(refusal, code=2)  # the refusal says "refused: ..." or "invalid URL: ..."
    try:
        await runtime.store.run(source_q.add_source, args.url, name=args.name or args.url, kind=args.kind,
                                added_by="cli", now=runtime.clock())
    except source_q.DuplicateSource:
        raise CommandLineError(f"already watching {args.url}") from None
    print(f"added {args.url}")
    return 0


async def _digest(args: argparse.Namespace, settings: Settings) -> int:
    from adapters.console import render_text
    from bot.app.runtime import Runtime
    from bot.usecases.digest import compose_digest

    period = _period(args.since)  # checked before any work, as a usage error
    async with Runtime.open(settings) as runtime:
        if args.send:
            from bot.app.main import send_digests

            sent = await send_digests(runtime)
            print(f"digests queued and sent: {sent}")
            return 0
        now = runtime.clock()
        # A dry run prints text: the picture would only cost time.
        message = await compose_digest(runtime.store, since=now - period, now=now,
                                       today=now.date(), picture=False)
    print(render_text(message), end="")
    return 0


def _period(text: str) -> timedelta:
    """A `--since` value like 24h or 7d; a usage error otherwise."""
    from bot.domain.durations import parse_duration

    try:
        return parse_duration(text)
    except ValueError as exc:
        raise CommandLineError(str(exc), code=2) from None


def _open_text(path: Path) -> Any:
    try:
        return path.open(encoding="utf-8", errors="replace")
    except OSError as exc:
        print(f"uschina: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return None


async def _write_file(path: Path, text: str) -> None:
    try:
        await asyncio.to_thread(path.write_text, text, encoding="utf-8", newline="")
    except OSError as exc:
        raise CommandLineError(f"cannot write {path}: {exc.strerror or exc}") from None


def _print_json(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _story_json(story: Any) -> dict[str, Any]:
    return {
        "id": story.id, "title": story.title, "summary": story.summary, "url": story.url,
        "updated_at": story.updated_at.isoformat(), "score": story.score,
        "sources": [{"name": n, "kind": k, "url": u} for n, k, u in story.sources],
    }


def _deadline_json(deadline: Any) -> dict[str, Any]:
    return {
        "what": deadline.what, "start": _iso(deadline.start), "end": _iso(deadline.end),
        "granularity": deadline.granularity, "status": deadline.status,
        "confidence": round(deadline.confidence, 2), "evidence": deadline.evidence,
        "sources": list(deadline.sources),
    }


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
