"""Who may do what: the one statement of which `/uschina` commands are for admins."""

from __future__ import annotations

import shlex
from collections.abc import Sequence


def command_words(text: str) -> list[str]:
    """The words of a command line as a shell would split them (quotes group), or plain words if unbalanced."""
    try:
        return shlex.split(text.strip())
    except ValueError:
        return text.split()


def needs_admin(words: Sequence[str]) -> bool:
    """Commands that change what a channel or the whole bot receives are for admins only: subscribe,
    unsubscribe, digest-time, sources add/remove/enable, and watch/mute with a term."""
    name, args = (words[0].lower(), words[1:]) if words else ("help", [])
    if name == "sources":
        return bool(args) and args[0].lower() in {"add", "remove", "enable"}
    if name in {"watch", "mute"}:
        return bool(args)
    return name in {"subscribe", "unsubscribe", "digest-time"}


# Answers that are for the asker alone unless they ask to share them (`summary 7d public`).
PRIVATE_BY_DEFAULT = frozenset({"summary", "deadlines"})
PUBLIC_WORD = "public"


def private_unless_public(text: str) -> tuple[str, bool]:
    """The command text without a `public` word, and whether the answer goes only to the asker: True for
    `summary` and `deadlines` unless `public` was among their words, False for every other command."""
    words = text.split()
    if not words or words[0].lower() not in PRIVATE_BY_DEFAULT:
        return text, False
    kept = [w for w in words if w.lower() != PUBLIC_WORD]
    return " ".join(kept), len(kept) == len(words)
