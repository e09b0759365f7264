"""Deterministic, realistic feed bodies: RSS 2.0 and Atom, HTML descriptions, ~10% US–China items.

Ordinary items are filler news on sport, weather, markets and culture; US–China items come from
templates with actors, instruments and dated events, so relevance, clustering, summaries and deadline
extraction do real work. Every feed is built from a seeded `random.Random`, so runs are reproducible.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

NOW = datetime(2025, 7, 11, 9, 0, tzinfo=UTC)

_TOPICS = ["city council", "football club", "weather service", "art museum", "school board", "bakery",
           "marathon", "train operator", "hospital", "orchestra", "startup", "film festival", "harbour"]
_VERBS = ["announced", "postponed", "celebrated", "reviewed", "opened", "criticised", "welcomed", "planned"]
_PLACES = ["Lyon", "Denver", "Osaka", "Cape Town", "Leeds", "Porto", "Austin", "Gdansk", "Perth", "Quito"]
_FILLER = [
    "Officials said the change would take several months to complete and residents were invited to comment.",
    "Attendance rose for the third year in a row, helped by mild weather and cheaper tickets.",
    "The board met on Tuesday evening and voted to continue the programme for another season.",
    "Local shops reported brisk trade over the weekend as visitors returned to the old town.",
    "A spokesperson declined to comment on the figures but promised a full report later this year.",
    "Engineers are still inspecting the bridge after heavy rain damaged part of the embankment.",
    "Critics praised the new production for its staging, though some found the second act too long.",
    "The company plans to hire forty people and open a second site near the station.",
    "Volunteers collected more than two tonnes of litter along the river during the clean-up.",
    "Season tickets go on sale next month, with discounts for students and pensioners.",
]

_US_ACTORS = [
    "The Commerce Department", "U.S. Trade Representative Jamieson Greer", "Treasury Secretary Scott Bessent",
    "The White House", "Washington", "Secretary of State Marco Rubio", "The Bureau of Industry and Security",
]
_CN_ACTORS = [
    "China's Commerce Ministry", "Beijing", "Chinese Vice Premier He Lifeng", "China's foreign ministry",
    "Chinese President Xi Jinping", "China's customs agency",
]
_INSTRUMENTS = [
    ("tariffs on Chinese goods", "the tariff truce"),
    ("export controls on advanced chips", "the chip controls"),
    ("the entity list", "the entity list additions"),
    ("rare earth export licences", "the rare earth licences"),
    ("port fees on Chinese-built ships", "the port fees"),
    ("the fentanyl tariff", "the fentanyl duties"),
]
_EVENTS = [
    "The 90-day tariff truce between the United States and China expires on {date}.",
    "U.S. and Chinese negotiators will meet in Geneva on {date} for a new round of trade talks.",
    "The new U.S. export controls on Chinese chipmakers take effect on {date}.",
    "A public comment period on the proposed U.S. rules for Chinese drones closes on {date}.",
    "Beijing said its countermeasures against U.S. firms would start on {date}.",
]


@dataclass(frozen=True)
class FeedSpec:
    """One generated feed: its index, format and how many items it carries."""

    index: int
    items: int
    atom: bool


def feed_specs(feeds: int, items: int) -> list[FeedSpec]:
    """Specs for `feeds` feeds of `items` items each; every third feed is Atom, the rest RSS 2.0."""
    return [FeedSpec(index=i, items=items, atom=i % 3 == 2) for i in range(feeds)]


def build_feed(spec: FeedSpec, *, seed: int = 7) -> bytes:
    """The UTF-8 body of one feed, identical for identical (spec, seed)."""
    rng = random.Random(seed * 100_003 + spec.index)
    # Feeds differ in how long their stories are, so bodies range from ~30 KB to ~150 KB at 50 items.
    length = spec.index % 10
    entries = [_entry(rng, spec.index, n, length) for n in range(spec.items)]
    return (_atom(spec, entries) if spec.atom else _rss(spec, entries)).encode("utf-8")


@dataclass(frozen=True)
class _Entry:
    guid: str
    link: str
    title: str
    html: str
    published: datetime


def _entry(rng: random.Random, feed: int, n: int, length: int) -> _Entry:
    published = NOW - timedelta(minutes=rng.randint(5, 60 * 48))
    link = f"https://news{feed % 50}.example.com/{published:%Y/%m/%d}/story-{feed}-{n}?utm_source=rss"
    title, paragraphs = _china_story(rng) if rng.random() < 0.10 else _plain_story(rng, length)
    return _Entry(guid=f"urn:bench:{feed}:{n}", link=link, title=title, html=_html(rng, paragraphs, link),
                  published=published)


def _plain_story(rng: random.Random, length: int) -> tuple[str, list[str]]:
    topic, place = rng.choice(_TOPICS), rng.choice(_PLACES)
    season = rng.choice(["summer", "the autumn", "next year"])
    title = f"{place} {topic} {rng.choice(_VERBS)} plans for {season}"
    count = rng.randint(length, length + 1)
    paragraphs = [f"The {topic} in {place} {rng.choice(_VERBS)} its plans on {_weekday(rng)}."]
    paragraphs += [" ".join(rng.sample(_FILLER, rng.randint(2, 3))) for _ in range(count)]
    return title, paragraphs


def _china_story(rng: random.Random) -> tuple[str, list[str]]:
    us, cn = rng.choice(_US_ACTORS), rng.choice(_CN_ACTORS)
    instrument, short = rng.choice(_INSTRUMENTS)
    when = NOW.date() + timedelta(days=rng.randint(3, 120))
    event = rng.choice(_EVENTS).format(date=f"{when:%B} {when.day}, {when:%Y}")
    title = rng.choice([
        f"US and China trade barbs over {instrument}",
        f"{cn.removeprefix('The ')} hits back at Washington over {instrument}",
        f"US–China talks: {us.removeprefix('The ')} weighs {short}",
    ])
    paragraphs = [
        f"{us} said on {_weekday(rng)} it would review {instrument}, a step {cn} called a violation of the "
        f"consensus the two presidents reached.",
        event,
        f"{cn} urged the United States to correct its mistakes and said China would take the measures "
        f"needed to protect its companies.",
        " ".join(rng.sample(_FILLER, 2)),
        f"Analysts said {short} would weigh on trade between the world's two largest economies.",
    ]
    return title, paragraphs


def _weekday(rng: random.Random) -> str:
    return rng.choice(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"])


def _html(rng: random.Random, paragraphs: list[str], link: str) -> str:
    parts = [f'<figure><img src="{link.split("?")[0]}/lead.jpg" alt="photo" width="640"/>'
             f"<figcaption>File photo. Reuters</figcaption></figure>"]
    for i, text in enumerate(paragraphs):
        if i == 1 and rng.random() < 0.5:
            text = f'{text} <a href="{link}#more" rel="nofollow">Read more</a>'
        parts.append(f"<p>{text}</p>" if i % 4 else f"<p><strong>{text}</strong></p>")
    parts.append('<p class="footer"><em>&copy; 2025 Example News &amp; Co.</em></p>')
    return "\n".join(parts)


def _rss(spec: FeedSpec, entries: list[_Entry]) -> str:
    items = "".join(
        f"<item><title>{escape(e.title)}</title><link>{escape(e.link)}</link>"
        f'<guid isPermaLink="false">{e.guid}</guid><pubDate>{format_datetime(e.published)}</pubDate>'
        f"<category>News</category><description>{escape(e.html)}</description></item>\n"
        for e in entries
    )
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
            f"<title>Bench Feed {spec.index}</title><link>https://news{spec.index % 50}.example.com/</link>"
            f"<description>Generated feed {spec.index}</description><language>en</language>\n"
            f"{items}</channel></rss>\n")


def _atom(spec: FeedSpec, entries: list[_Entry]) -> str:
    items = "".join(
        f"<entry><title>{escape(e.title)}</title><link rel=\"alternate\" href=\"{escape(e.link)}\"/>"
        f"<id>{e.guid}</id><updated>{e.published.isoformat()}</updated>"
        f"<published>{e.published.isoformat()}</published><author><name>Desk</name></author>"
        f'<content type="html">{escape(e.html)}</content></entry>\n'
        for e in entries
    )
    return ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>Bench Feed {spec.index}</title><id>urn:bench:feed:{spec.index}</id>"
            f"<updated>{NOW.isoformat()}</updated>\n{items}</feed>\n")
