"""The `uschina` command line. Every subcommand that touches the store takes `--db PATH`."""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import logging
import os
import sqlite3
import sys
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.app.terminal import CommandLineError, FeedProgressBar, fit, print_json, terminal_width
from bot.config import ConfigError, Settings, load_settings

if TYPE_CHECKING:
    from bot.app.runtime import Runtime
    from bot.domain.models import Message
    from bot.usecases.commands import CommandHandler

log = logging.getLogger("uschina")
CLI_STORIES = 20  # a terminal shows more than a chat answer (`summary N` allows up to 20 too)


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


def _version() -> str:
    """The installed package's version, from its metadata."""
    try:
        return importlib.metadata.version("uschina")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree that was never installed
        from bot import __version__

        return __version__


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="uschina", description="US–China news, summaries and deadlines.",
                                     epilog="example:\n  uschina summary --since 7d",
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"uschina {_version()}")
    parser.add_argument("--config", help="configuration file (default: ./uschina.toml, or USCHINA_CONFIG)")
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    sub = parser.add_subparsers(dest="command", required=True)
    db_parent = argparse.ArgumentParser(add_help=False)
    db_parent.add_argument("--db", type=Path, help="SQLite database (default: data/uschina.db, or USCHINA_DB)")
    for add in (_add_run, _add_ingest, _add_analyze, _add_summary, _add_deadlines, _add_sources, _add_digest):
        add(sub, db_parent)
    return parser


def _subcommand(sub: Any, name: str, parents: list[argparse.ArgumentParser], *, summary: str,
                description: str, examples: Sequence[str]) -> argparse.ArgumentParser:
    """A subcommand whose help has a description and examples (shown as the epilog)."""
    epilog = "examples:\n" + "\n".join(f"  {example}" for example in examples)
    parser: argparse.ArgumentParser = sub.add_parser(
        name, parents=parents, help=summary, description=description, epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    return parser


def _add_run(sub: Any, db_parent: argparse.ArgumentParser) -> None:
    run = _subcommand(sub, "run", [db_parent], summary="run the bot: ingest, schedule, serve commands",
                      description="Run the long-running bot: the ingest loop, the seeds watcher, the scheduler, "
                                  "the HTTP server and the enabled chat adapters. Ctrl-C stops it cleanly.",
                      examples=["uschina run", "USCHINA_HTTP_PORT=8080 uschina run --seeds ./articles"])
    run.add_argument("--seeds", type=Path, help="seeds folder to watch (default: seeds/, or USCHINA_SEEDS)")
    run.set_defaults(func=_run)


def _add_ingest(sub: Any, db_parent: argparse.ArgumentParser) -> None:
    ingest = _subcommand(sub, "ingest", [db_parent], summary="one ingest-and-analyse cycle, then a report",
                         description="Run one ingest-and-analyse cycle and report what it did. With neither "
                                     "--seeds nor --feed: every due source and the configured seeds folder. "
                                     "On a terminal, a progress bar follows the feeds.",
                         examples=["uschina ingest", "uschina ingest --feed https://example.com/feed.xml --json"])
    ingest.add_argument("--seeds", type=Path, help="ingest this folder of article files")
    ingest.add_argument("--feed", action="append", default=[], metavar="URL", help="ingest this feed (repeatable)")
    ingest.add_argument("--json", action="store_true", help="print the cycle report as JSON")
    ingest.set_defaults(func=_ingest)


def _add_analyze(sub: Any, db_parent: argparse.ArgumentParser) -> None:
    analyze = _subcommand(sub, "analyze", [], summary="analyse JSON lines (id, text, published) without the database",
                          description="Analyse JSON lines ({id, text, published, title?}) without the database: "
                                      "one JSON line out per line in, with relevance, summary and deadlines.",
                          examples=["uschina analyze articles.jsonl", "cat articles.jsonl | uschina analyze -"])
    analyze.add_argument("input", nargs="?", default="-", help="a .jsonl file, or - for standard input")
    analyze.set_defaults(func=_analyze)


def _add_summary(sub: Any, db_parent: argparse.ArgumentParser) -> None:
    summary = _subcommand(sub, "summary", [db_parent], summary="recent relevant stories and summaries",
                          description="The relevant stories published in the period, with their summaries and "
                                      "sources; titles are cut to the terminal's width.",
                          examples=["uschina summary", "uschina summary --since 7d --json"])
    summary.add_argument("--since", default="24h", help="how far back, like 24h or 7d (default 24h)")
    summary.add_argument("--json", action="store_true", help="print JSON")
    summary.set_defaults(func=_summary)


def _add_deadlines(sub: Any, db_parent: argparse.ArgumentParser) -> None:
    deadlines = _subcommand(sub, "deadlines", [db_parent], summary="tracked deadlines with countdowns",
                            description="The tracked deadlines with countdowns, as text, JSON or an iCalendar "
                                        "feed.",
                            examples=["uschina deadlines --all", "uschina deadlines --ics deadlines.ics"])
    deadlines.add_argument("--as-of", type=_date_arg, help="YYYY-MM-DD (default: today)")
    deadlines.add_argument("--all", action="store_true", help="include past and cancelled deadlines")
    deadlines.add_argument("--json", action="store_true", help="print JSON")
    deadlines.add_argument("--ics", nargs="?", const="-", metavar="FILE",
                           help="write an iCalendar feed to FILE (or stdout)")
    deadlines.set_defaults(func=_deadlines)


def _add_sources(sub: Any, db_parent: argparse.ArgumentParser) -> None:
    sources = _subcommand(
        sub, "sources", [db_parent], summary="list, add, remove, re-enable, import or export watched feeds",
        description="The watched feeds and their health. `import` adds every feed of an OPML file (folders "
                    "included; a duplicate or refused URL is one line on stderr, the rest are added); `export` "
                    "writes them all as OPML 2.0.",
        examples=["uschina sources list --json", "uschina sources add https://example.com/feed.xml --kind wire",
                  "uschina sources import feedly.opml", "uschina sources export --output feeds.opml"])
    sources.add_argument("action", choices=["list", "add", "remove", "enable", "import", "export"])
    sources.add_argument("url", nargs="?", metavar="URL|FILE", help="the feed URL, or the OPML file to import")
    sources.add_argument("--name", help="display name for `add`")
    sources.add_argument("--kind", default="outlet", choices=["official", "wire", "outlet", "commentary"],
                         help="kind for `add`, and for imported feeds the file does not give one")
    sources.add_argument("--json", action="store_true", help="`list` as JSON")
    sources.add_argument("--output", type=Path, metavar="FILE", help="`export` to FILE instead of stdout")
    sources.set_defaults(func=_sources)


def _add_digest(sub: Any, db_parent: argparse.ArgumentParser) -> None:
    digest = _subcommand(sub, "digest", [db_parent], summary="compose the digest",
                         description="Print the digest it would send (--dry-run), or compose and send it now to "
                                     "every subscription (--send).",
                         examples=["uschina digest --dry-run --since 48h", "uschina digest --dry-run --json",
                                   "uschina digest --send"])
    mode = digest.add_mutually_exclusive_group(required=True)
    mode.add_argument("--dry-run", action="store_true", help="print the digest it would send")
    mode.add_argument("--send", action="store_true", help="compose and send now to every subscription")
    digest.add_argument("--since", default="24h", help="news window for --dry-run (default 24h)")
    digest.add_argument("--json", action="store_true", help="with --dry-run: print the digest as JSON")
    digest.set_defaults(func=_digest)


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
        with FeedProgressBar() as progress:
            report = await runtime.ingest_once(seeds=args.seeds, feeds=args.feed, progress=progress)
    if args.json:
        print_json(_report_json(report))
    else:
        _print_report(report)
    nothing_worked = report.errors and report.entries == 0 and report.not_modified + report.same_body == 0
    return 1 if nothing_worked else 0


def _print_report(report: Any) -> None:
    for line in report.lines():
        print(line)
    for error in report.errors:
        print(f"error: {error}", file=sys.stderr)
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)


def _report_json(report: Any) -> dict[str, Any]:
    """The cycle report for programs: its counts, its errors and warnings (one line each)."""
    counts = ("feeds", "not_modified", "same_body", "feed_errors", "files", "file_errors", "entries",
              "new_items", "updated_items", "duplicates", "relevant", "new_stories")
    return {**{name: getattr(report, name) for name in counts},
            "deadline_changes": len(report.deadline_changes), "errors": list(report.errors),
            "warnings": list(report.warnings)}


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
        print_json([_story_json(s) for s in message.stories])
    else:
        _print_text(message, width=terminal_width())
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
        print_json([_deadline_json(d) for d in views])
    else:
        _print_text(message)
    return 0


async def _sources(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import sources_cli
    from bot.app.runtime import Runtime
    from storage.queries import sources as source_q

    if args.action in {"add", "remove", "enable", "import"} and not args.url:
        what = "an OPML file" if args.action == "import" else "a URL"
        raise CommandLineError(f"sources {args.action} needs {what}", code=2)
    async with Runtime.open(settings) as runtime:
        if args.action == "list":
            return await sources_cli.list_sources(runtime, as_json=args.json)
        if args.action == "import":
            return await sources_cli.import_opml(runtime, Path(args.url), kind=args.kind)
        if args.action == "export":
            return await sources_cli.export_opml(runtime, args.output)
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


def _print_text(message: Message, *, width: int | None = None) -> None:
    """The console rendering; with a `width`, story titles (the `* ` lines) are cut to fit it."""
    from adapters.console import render_text

    lines = render_text(message).splitlines()
    print("\n".join(fit(line, width) if line.startswith("* ") else line for line in lines))


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
    if args.json and args.send:
        raise CommandLineError("--json goes with --dry-run", code=2)
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
    if args.json:
        print_json(_digest_json(message))
    else:
        print(render_text(message), end="")
    return 0


def _digest_json(message: Message) -> dict[str, Any]:
    return {
        "title": message.title, "as_of": _iso(message.as_of), "text": message.text,
        "stories": [_story_json(s) for s in message.stories],
        "deadlines": [_deadline_json(d) for d in message.deadlines],
    }


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
        "counted": deadline.counted, "sources": list(deadline.sources),
    }


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
