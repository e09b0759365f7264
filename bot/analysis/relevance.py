"""Is an item substantially about relations between the US and China?

The rule reads *who acts where*, not a bag of country names. One precompiled regex tags every mention in a
single pass: US and China actors (officials, agencies, the capitals as governments, the countries; firms and
citizens only weakly), bilateral phrases ("US-China", "Washington and Beijing", "Trump-Xi"), policy topics
(tariffs, export controls, Taiwan, fentanyl...), US measures aimed at China by their terms (Section 301, the
Entity List), third countries, and decoys consumed before they can count ("US dollar", "South China Sea",
"Washington state", "ahead of the US"). The score is the strongest link
between the two sides, weighted by where it stands (headline, lede, body), then by whether a relations
topic is present, and lowered when the headline is about a third country's ties instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from bot.analysis.cues import contains_any
from bot.analysis.lexicon import (
    CHINA_NAMES,
    CHINA_OFFICIALS,
    CHINESE_COMPANIES,
    THIRD_COUNTRIES,
    US_COMPANIES,
    US_NAMES,
    US_OFFICIALS,
    WIDER_SCOPE,
    letter_runs,
    only_letters,
    word_pattern,
)
from bot.domain.models import Relevance
from bot.domain.sentences import sentence_spans

DEFAULT_THRESHOLD = 0.5
LEDE_SENTENCES = 2

# Strength of a mention: officials and agencies speak for a government; a country name usually does;
# a firm or a citizen ("US chipmaker", "Chinese tourists") does not.
OFFICIAL, COUNTRY, WEAK = 1.0, 0.85, 0.6


_TOKEN = re.compile(r"U\.S\.(?:A\.)?|[A-Za-z]+|[0-9]+|[-–—/&,$]|[\u4e00-\u9fff]")

_US_NAMES = list(US_NAMES)
_CN_NAMES = list(CHINA_NAMES)
_SEPARATORS = ["-", "–", "—", "/", "and", "&", ", and", "and the", "& the", ","]
_COMMERCE = (
    "firm firms company companies maker makers carmaker automaker chipmaker chipmakers giant giants brand "
    "brands group startup startups customers consumers tourists travellers travelers investors shoppers "
    "fans researchers scientist scientists team teams swimmers swimmer gymnasts skaters "
    "retailers rival rivals stock stocks shares market "
    "markets bank banks fund funds billionaire entrepreneurs influencers players athletes economy EV car cars"
).split()
# "the US tech giant", "Chinese chip firms": an industry word between the country and the firm.
_INDUSTRIES = ("tech technology chip software internet e - commerce oil energy auto car pharmaceutical drug retail "
               "media payments semiconductor AI solar steel battery telecom telecoms defence defense "
               "aerospace biotech").split()
_OFFICIAL_NOUNS = (
    "President Premier Vice Premier government officials official leader leadership embassy side military "
    "navy authorities regulators negotiators delegation diplomats diplomat ambassador envoy envoys Ministry ministry "
    "Foreign Ministry Commerce Ministry foreign ministry commerce ministry Communist Party customs"
).split()
_THIRD = list(THIRD_COUNTRIES)
# Arms for Taiwan: a US measure Beijing answers every time, whether or not the passage says so. It names its
# own target, so a third country elsewhere in the item ("combat use in Ukraine") does not aim it elsewhere.
_TAIWAN_ARMS = ("arms sale to Taiwan", "arms sales to Taiwan", "arms sale package to Taiwan", "Taiwan arms sale",
                "Taiwan arms sales", "Taiwan arms package")
# US measures whose target is China by their own terms: the Section 301 tariffs, the Entity List, the
# outbound-investment rule on "countries of concern", the "foreign adversary" rules, the Uyghur forced-labour
# law. They name both sides without naming either, unless a third country shows they are aimed elsewhere.
_AIMED = ("Section 301", "Entity List", "Military End - User List", "Military End User List", "country of concern",
          "countries of concern", "covered foreign person", "covered foreign persons", "foreign adversary",
          "foreign adversaries", "Uyghur Forced Labor Prevention Act", "Uyghur Forced Labor", "UFLPA",
          "Holding Foreign Companies Accountable Act", "foreign entity of concern", "foreign entities of concern",
          "FEOC",
          # the FCC's list of equipment and services deemed a threat (Huawei, ZTE, Hikvision, China Mobile...), and
          # the Pentagon's and Treasury's lists of Chinese military companies by their short names
          "Covered List", "Section 1260H", "CMIC List", "NS - CMIC List",
          *_TAIWAN_ARMS)
# The Section 301 tariff lists on Chinese goods, named by trade press without China ("Proposed List 3", "List 4A
# tariffs"): proper names, matched only as written ("list 3" in lower case is any list).
_SECTION_301_LISTS = ("List 1", "List 2", "List 3", "List 4A", "List 4B", "Lists 1 and 2", "Lists 3 and 4A", "List 4")
_COMPARE_HEADS = (
    "ahead of|behind|than|overtake|overtakes|overtook|overtaking|outpace|outpaces|outpaced|outpacing|"
    "surpass|surpasses|surpassed|surpassing|rival|rivals|rivalling|rivaling|catch up with|catch up to|"
    "catching up with|catching up to|compared with|compared to|like|such as|as in|as does|second only to|"
    "second to|trails|trailed|trailing|lags|lagged|lagging|lags behind|lagging behind|closing in on|"
    "closes in on|on par with|on a par with|lead over|edge over"
).split("|")


def _heading_case(phrase: str) -> str:
    """"countries of concern" as a heading or a title writes it: "Countries of Concern"."""
    return " ".join(w if w in ("of", "and", "the") else w[:1].upper() + w[1:] for w in phrase.split())


# kind -> phrases. Cased kinds match exactly (US vs "us", Xi vs "xi"); the rest ignore case.
_CASED: dict[str, list[str]] = {
    "noise": [
        "US dollar", "US dollars", "U.S. dollar", "U.S. dollars", "US $", "US - listed", "U.S. - listed",
        "US stocks", "U.S. stocks", "Latin America", "South America", "North America", "Central America",
        "Bank of America", "America s Cup", "Captain America", "Washington state", "Washington State",
        "Washington Post", "Washington Commanders", "Washington Nationals", "Washington Wizards",
        "Washington Capitals", "Washington Mystics", "University of Washington", "George Washington",
        "Denzel Washington", "Party Congress", "People s Congress", "people s Congress", "World Congress",
        "Mobile World Congress",
        # "its 20th Congress", "the 20th National Congress": the Communist Party's, numbered from 1921 (the US
        # Congress is in its 110s), and a National Congress is China's or Brazil's, never the US's
        *(f"{n}{th} Congress" for n, th in ((15, "th"), (16, "th"), (17, "th"), (18, "th"), (19, "th"), (20, "th"),
                                           (21, "st"), (22, "nd"), (23, "rd"))), "National Congress",
        "Bank of China", "Air China", "China Daily", "China Eastern", "China Southern", "South China Morning Post",
        "Treasury yields", "Treasury yield",
        # a trade agreement's name, not its parties ("the Task Force established under the United
        # States-Mexico-Canada Agreement" enforces the Uyghur forced-labour law)
        *(f"{us} - Mexico - Canada Agreement" for us in ("United States", "U.S.", "US")),
        "Treasury bonds", "Treasuries", "Made in China", "Team China", "Team USA", "Chamber of Commerce",
        "People s Bank of China", "US Open", "U.S. Open",
        # People and firms described by origin or base, not governments ("Chinese-American chemist").
        *(f"{a} {sep}{b}" for a in ("Chinese", "China", "American", "US", "U.S.") for sep in ("- ", "")
          for b in ("American", "Americans", "born", "based", "educated", "trained")
          if a[0] != b[0] and not (a == "China" and sep == "" and b.startswith("American"))),
        "Chinese Americans", "Chinese American",
        # The US has a Commerce Department, not a commerce ministry: "the Commerce Ministry" is someone else's.
        *(f"{c} {m}" for c in ("Commerce", "commerce") for m in ("Ministry", "ministry", "Minister", "minister",
                                                                "Ministers", "ministers")),
        # "outside the US" is no US actor.
        *(f"outside {art}{us}" for art in ("", "the ") for us in ("U.S.", "US", "United States", "America")),
    ],
    # Another country's institutions ("Mexico's Senate", "Vietnam's Communist Party") are that country acting,
    # not the US or Chinese government.
    "third_body": [f"{country}{s} {body}" for country in THIRD_COUNTRIES for s in (" s", "")
                   for body in ("Senate", "Congress", "Supreme Court", "Commerce", "Treasury", "Communist Party",
                                "SEC", "Securities and Exchange Commission")],
    "compare": [f"{head} {art}{us}" for head in _COMPARE_HEADS for art in ("", "the ")
                for us in ["U.S.", "US", "USA", "United States", "America"]],
    "bilateral": [f"{a} {sep} {b}" for a in _US_NAMES for b in _CN_NAMES for sep in _SEPARATORS]
    + [f"{b} {sep} {a}" for a in _US_NAMES for b in _CN_NAMES for sep in _SEPARATORS]
    + [f"Sino - {x}" for x in ("US", "U.S.", "American")]
    + [f"{a} {sep} {b}" for a, b in (("Trump", "Xi"), ("Biden", "Xi"), ("Xi", "Trump"), ("Xi", "Biden"))
       for sep in ["-", "–", "—", "/", ",", "and"]]
    + ["中 美", "美 中"],
    "third_pair": [f"{t} {sep} {s}" for t in _THIRD for s in ("China", "US", "U.S.") for sep in "-–—/"]
    + [f"{s} {sep} {t}" for t in _THIRD for s in ("China", "US", "U.S.") for sep in "-–—/"],
    "us_weak": [f"{us} {noun}" for us in ("U.S.", "US", "American", "America s") for noun in _COMMERCE]
    + [f"{us} {industry} {noun}" for us in ("U.S.", "US", "American") for industry in _INDUSTRIES
       for noun in _COMMERCE]
    + ["Americans"],
    # A US firm stands for the US side only where a Chinese measure targets it (a probe of Nvidia), not in
    # business news (Tesla's sales in China).
    "us_firm": list(US_COMPANIES),
    "cn_weak": [f"{cn} {noun}" for cn in ("Chinese", "China s") for noun in _COMMERCE]
    + [f"{cn} {industry} {noun}" for cn in ("Chinese", "China s") for industry in _INDUSTRIES
       for noun in _COMMERCE]
    + list(CHINESE_COMPANIES),
    "us_official": [*US_OFFICIALS, "Washington", "特 朗 普", "拜 登", "白 宫", "华 盛 顿", "美 方"],
    "us_country": ["U.S.", "U.S.A.", "US", "USA", "United States", "America", "American", "美 国"],
    "cn_official": ["Beijing", "PRC", *CHINA_OFFICIALS, "习 近 平", "王 毅", "北 京", "中 方"]
    + [f"Chinese {noun}" for noun in _OFFICIAL_NOUNS]
    # read whole, so that "Commerce" in "the Chinese Ministry of Commerce" is not the US Commerce Department
    + [f"Chinese {ministry}" for ministry in CHINA_OFFICIALS if ministry.startswith("Ministry of")],
    "cn_country": ["China", "Chinese", "中 国"],
    "third": _THIRD,
    # In running text, in a heading's capitals or in lower case; any other casing still reads as a topic.
    "aimed": sorted({form for phrase in _AIMED for form in (phrase, phrase.lower(), _heading_case(phrase))}
                    | set(_SECTION_301_LISTS)),
}
_UNCASED: dict[str, list[str]] = {
    "implicit": [f"{a} {b}" for a in ("trade", "tariff") for b in
                 ("war", "wars", "truce", "ceasefire", "fight", "standoff")] + ["贸 易 战"],
    "topic": (
        "licence|licences|license|licenses|licensing|denial order|antitrust|anti - monopoly|anti - dumping|"
        "divest|divestiture|divestment|deadline|investigation|"
        "tariff|tariffs|duties|levy|levies|trade talks|trade deal|trade tensions|trade deficit|trade surplus|"
        "prisoner swap|prisoner exchange|exit ban|journalist|journalists|correspondents|nuclear|"
        "arms control|de minimis|executive order|proposed rule|final rule|ban|bans|banned|banning|bar|bars|"
        "barred|curb|curbs|crackdown|probe|"
        "countermeasure|countermeasures|unreliable entity list|unreliable entities|untrustworthy entities|"
        "security review|cybersecurity review|port fee|port fees|revoke|revoked|revokes|revocation|"
        "trade negotiations|trade agreement|trade pact|trade dispute|trade conflict|trade friction|"
        "trade frictions|truce|ceasefire|export control|export controls|export - control|export - controls|"
        "export curb|export curbs|export ban|export bans|export licence|export licences|export license|"
        "export licenses|export restrictions|chip curbs|chip ban|chip controls|entity list|blacklist|"
        "blacklisted|section 301|section 232|reciprocal|cfius|investment screening|outbound investment|"
        "chip|chips|semiconductor|semiconductors|chipmaking|nvidia|h 20|rare earth|rare earths|"
        "rare - earth|rare - earths|critical minerals|gallium|germanium|tiktok|fentanyl|taiwan|taiwanese|"
        "south china sea|east china sea|arms sale|arms sales|military|warship|warships|navy|defence|"
        "defense|spy|spying|espionage|balloon|visa|visas|student|students|soybean|soybeans|farmer|farmers|"
        "summit|summits|talks|ambassador|embassy|consulate|relations|relationship|ties|tension|"
        "tensions|rivalry|competition|national security|deal|deals|agreement|agreements|phone call|phone calls|"
        "meeting|meetings|met|meet|meets|import|imports|trip to|trips to|travel advisory|travel warning|"
        "block|blocks|blocked|blocking|"
        "export|exports|purchase|purchases|de - risking|"
        # the ties between people and institutions the two governments set: flights, climate talks
        "climate change|climate|flights|foreign mission|foreign missions|confucius institute|"
        "confucius institutes|port service fee|port service fees|"
        "关 税|出 口 管 制|制 裁|芯 片|台 湾|会 谈|峰 会|谈 判|贸 易"
    ).split("|"),
    # Federal law enforcement acts for the US government in espionage and smuggling cases.
    "us_official": ["federal prosecutors", "federal prosecutor", "federal jury", "federal judge",
                    "federal court", "federal agents"],
    "sport": (
        "olympic|olympics|olympian|world cup|medal|medals|tournament|championship|championships|nba|nfl|"
        "fifa|semifinal|semifinals|quarterfinal|quarterfinals|league|coach|athlete|athletes|boxer|"
        "relay|gold medal|silver medal|bronze medal|podium|grand slam|grand prix|marathon|world record|"
        "earthquake|quake|typhoon|box office|film festival|concert|season opener"
    ).split("|"),
}
# Word stems that are topics in any inflection ("negotiators", "retaliation", "sanctioned"); a government that
# "ordered" or "requires" something of the other side's firms or media acts on them.
_TOPIC_STEMS = ("negotiat", "diploma", "cyber", "retaliat", "visit", "sanction", "delist", "decoupl",
                "hacker", "hacking", "restrict", "curtail", "smuggl", "ordered", "require", "indict", "extradit",
                "prohibit", "detain", "expel", "expuls")


# Topics that are a government's measure, whoever it is aimed at.
_MEASURES = frozenset((
    "ban|bans|banned|banning|bar|bars|barred|curb|curbs|crackdown|probe|countermeasure|countermeasures|"
    "unreliable entity list|export control|export controls|export - control|export - controls|export curb|"
    "export curbs|export ban|export bans|export licence|export licences|export license|export licenses|"
    "export restrictions|chip curbs|chip ban|chip controls|entity list|blacklist|blacklisted|section 301|"
    "unreliable entities|untrustworthy entities|security review|cybersecurity review|port fee|port fees|cfius|"
    "revoke|revoked|revokes|revocation|"
    "investment screening|outbound investment|tariff|tariffs|duties|levies|executive order|"
    "proposed rule|final rule|licence|licences|license|licenses|licensing|denial order|antitrust|"
    "anti - monopoly|anti - dumping|divest|divestiture|divestment|investigation|review|security review|"
    # "It's blocking any chips sold to Huawei"
    "blocked|blocks|blocking"
).split("|"))
_MEASURE_STEMS = ("sanction", "restrict", "indict", "delist", "expel", "expuls", "prohibit")


_Trie = dict[str, "_Trie | str"]
_KIND = "\0"  # a trie node's key for "a phrase ends here, of this kind"


def _phrase_trie(groups: dict[str, list[str]], fold: bool) -> _Trie:
    """A token trie of all phrases; when two kinds share a phrase, the earlier (decoys first) wins."""
    trie: _Trie = {}
    for kind, phrases in groups.items():
        for phrase in phrases:
            node = trie
            for token in _TOKEN.findall(phrase):
                child = node.setdefault(token.lower() if fold else token, {})
                assert isinstance(child, dict)
                node = child
            node.setdefault(_KIND, kind)
    return trie


_CASED_TRIE = _phrase_trie(_CASED, fold=False)
_UNCASED_TRIE = _phrase_trie(_UNCASED, fold=True)
def _anchor_tokens(phrases: list[str]) -> frozenset[str]:
    """One token per phrase that must appear wherever the phrase does: its China-side name when it has one
    ("US - China" -> "China", "Chinese officials" -> "Chinese"), else its longest capitalised token ("Wang Yi"
    -> "Wang", "Lists 3 and 4A" -> "Lists"), else its longest ("countries of concern" -> "countries")."""
    china_names = {token for name in _CN_NAMES + ["Sino", "Xi", "中"] for token in _TOKEN.findall(name)}
    anchors = set()
    for phrase in phrases:
        tokens = _TOKEN.findall(phrase)
        named = [t for t in tokens if t in china_names]
        anchors.add(named[0] if named else max(tokens, key=lambda token: (token[:1].isupper(), len(token))))
    return frozenset(anchors)


# A tie between the sides needs a China-side mention (an actor or a bilateral phrase); most news has none, so
# checking the text's tokens for one first spares the sentence-by-sentence reading of most items.
_CHINA_SIDE = _anchor_tokens(_CASED["cn_official"] + _CASED["cn_country"] + _CASED["cn_weak"]
                             + _CASED["bilateral"] + _CASED["aimed"])


# The anchors are all words or single Chinese characters, and `_TOKEN`'s words are exactly the maximal runs of
# letters (its "U.S." only splits runs of one letter, which no anchor is): so reading only those runs finds
# the same anchors, about a third faster than the whole tokenizer.
assert all(re.fullmatch(r"[A-Za-z]{2,}|[\u4e00-\u9fff]", anchor) for anchor in _CHINA_SIDE)
_CHINA_SIDE_WORDS = frozenset(anchor.encode() for anchor in _CHINA_SIDE if anchor.isascii())
_CHINA_SIDE_HAN = tuple(anchor for anchor in _CHINA_SIDE if not anchor.isascii())
# The same anchors for either side, to tell cheaply whether an item names anybody of the two.
# (The US side's anchors include "U.S.", which is no run of letters, and a letter or two of names like "F-35".)
_EITHER_SIDE = _CHINA_SIDE | _anchor_tokens(_CASED["us_official"] + _CASED["us_country"] + _CASED["us_weak"])
_EITHER_SIDE_WORDS = frozenset(a.encode() for a in _EITHER_SIDE if re.fullmatch("[A-Za-z]{2,}", a))
_EITHER_SIDE_SPELLED = tuple(a for a in _EITHER_SIDE if not re.fullmatch("[A-Za-z]{1,}", a))  # "U.S.", 中


def names_china_side(text: str) -> bool:
    """Whether `text` names a China-side actor (or a bilateral phrase's China side) as a whole token."""
    # One pass over the words and a set lookup: most items name no China side, and a regex of every name
    # must then try the whole text (1.5-2x the time on feed items; faster only when the name comes early).
    # (A Chinese character is a token wherever it stands.)
    return (not _CHINA_SIDE_WORDS.isdisjoint(letter_runs(text))
            or (not text.isascii() and any(han in text for han in _CHINA_SIDE_HAN)))


_STRENGTH = {
    "us_official": OFFICIAL, "us_country": COUNTRY, "us_weak": WEAK,
    "cn_official": OFFICIAL, "cn_country": COUNTRY, "cn_weak": WEAK,
}


def _mentions(sentence: str) -> Iterator[tuple[str, str]]:
    """(kind, matched text) for each mention, longest phrase first, left to right."""
    tokens = _TOKEN.findall(sentence)
    # Lower each token, not the sentence: "u.s." would split into other tokens and shift every index.
    lowered_tokens = [token.lower() for token in tokens]
    i, n = 0, len(tokens)
    while i < n:
        low = lowered_tokens[i]
        # Most words start no phrase: two dict probes and move on (this loop runs on every item).
        if tokens[i] not in _CASED_TRIE and low not in _UNCASED_TRIE:
            if len(low) > 4 and low.startswith(_TOPIC_STEMS):
                yield "topic", tokens[i]
            i += 1
            continue
        found = _match_at(tokens, lowered_tokens, i)
        length = found[1] if found else 1
        if found is not None:
            yield found[0], " ".join(tokens[i : i + length])
        i += length


def _match_at(tokens: list[str], lowered: list[str], i: int) -> tuple[str, int] | None:
    """The longest phrase starting at token i (exact case first, then any case)."""
    cased = _longest(_CASED_TRIE, tokens, i)
    uncased = _longest(_UNCASED_TRIE, lowered, i)
    if uncased is not None and (cased is None or uncased[1] > cased[1]):
        return uncased
    return cased


def _longest(trie: _Trie, tokens: list[str], i: int) -> tuple[str, int] | None:
    best, node, j = None, trie, i
    while j < len(tokens):
        child = node.get(tokens[j])
        if not isinstance(child, dict):
            break
        node, j = child, j + 1
        kind = node.get(_KIND)
        if isinstance(kind, str):
            best = (kind, j - i)
    return best


@dataclass
class _Sentence:
    """What one sentence (or the headline) says about the two sides."""

    us: float = 0.0
    cn: float = 0.0
    bilateral: bool = False
    implicit: bool = False
    third: bool = False
    third_pair: bool = False
    topics: set[str] = field(default_factory=set)
    sport: bool = False
    us_firm: bool = False
    aimed: bool = False

    def names_a_measure(self) -> bool:
        """Whether a topic of the sentence is a government measure (a ban, a listing, sanctions...)."""
        return bool(self.topics & _MEASURES) or any(t.startswith(_MEASURE_STEMS) for t in self.topics)

    def link(self) -> float:
        """How strongly this sentence ties the US and China together (0..1 before placement)."""
        if self.bilateral:
            return 1.0
        # A US measure aimed at China by its terms ties the sides (third countries are checked per item).
        aimed = COUNTRY if self.aimed else 0.0
        if self.us and self.cn:
            if max(self.us, self.cn) == OFFICIAL and self.names_a_measure():
                # A government's measure aimed at the other side's firms ("Commerce put Huawei on the
                # Entity List", "Beijing's probe of Nvidia") is relations, not business news.
                return COUNTRY
            return max(aimed, min(self.us, self.cn))
        if self.implicit and self.cn and not self.third:
            return 0.8  # "the trade war" next to China, no third country: the US is the other side
        return aimed


@dataclass
class _Reasons:
    """The first mention of each kind, for a human-readable explanation."""

    found: dict[str, str] = field(default_factory=dict)
    strength: dict[str, float] = field(default_factory=dict)

    def note(self, kind: str, text: str, strength: float = 0.0) -> None:
        """Keep the first mention of a kind, or a stronger one (an official over a country name)."""
        if kind not in self.found or strength > self.strength[kind]:
            self.found[kind] = " ".join(text.split())
            self.strength[kind] = strength


def assess_relevance(
    title: str,
    text: str,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    watch_terms: Sequence[str] = (),
    mute_terms: Sequence[str] = (),
) -> Relevance:
    """Judge whether (title, text) is substantially about US–China relations; score 0..1 with reasons."""
    muted = _first_term(mute_terms, title, text)
    if muted is not None:
        return Relevance(relevant=False, score=0.0, reasons=(f"muted: {muted}",), muted=True)
    if names_china_side(title) or names_china_side(text):
        reasons = _Reasons()
        body = [_tag(text[a:b], reasons) for a, b in sentence_spans(text)]
        if _BACKGROUND.search(text) and not any(s.names_a_measure() for s in [_tag(title, _Reasons()), *body]):
            # No measure in the item: the two sides named only as its background do not make it theirs
            # (a measure "amid tensions with Washington" is most often aimed at the other side).
            reasons = _Reasons()
            body = [_tag(_without_background(text[a:b]), reasons) for a, b in sentence_spans(text)]
        # Without a headline (a bare summary, a pasted passage) the first sentence is the one that says
        # what the item is about.
        head = _tag(title, reasons) if title.strip() else (body.pop(0) if body else _Sentence())
        _aim_elsewhere([head, *body])
        score, explanation = _score(head, body[:LEDE_SENTENCES], body[LEDE_SENTENCES:]), _explain(reasons)
    else:
        score, explanation = 0.0, ("no China-side actor",)
    watched = [term for term in watch_terms if _contains_term(term, title, text)]
    score = min(1.0, score + 0.25 * len(watched))
    explanation += tuple(f"watch: {term}" for term in watched)
    return Relevance(relevant=score >= threshold, score=round(score, 3), reasons=explanation)


# "The central bank cut rates to bolster the economy amid trade tensions with the United States": what a
# sentence sets its news against is not what it is about.
_BACKGROUND = re.compile(r"\b(?:amid|amidst|against (?:the|a) backdrop of|in the wake of|given the)\b[^,;:]*|"
                         # "a shift away from China as Washington-Beijing tensions grow", "as it navigates
                         # disruptions from a trade war between Beijing and Washington"
                         r"\bas\s+(?:[\w.’'-]+\s+){0,6}(?:tensions|trade war|rivalry)\b[^,;:]*", re.I)


def _without_background(sentence: str) -> str:
    return _BACKGROUND.sub("", sentence)


def _tag(sentence: str, reasons: _Reasons) -> _Sentence:
    tags = _Sentence()
    for kind, found in _mentions(sentence):
        if kind in _STRENGTH:
            side = kind[:2]
            setattr(tags, side, max(getattr(tags, side), _STRENGTH[kind]))
            reasons.note(f"{'US' if side == 'us' else 'China'} actor", found, _STRENGTH[kind])
        elif kind == "third_body":
            tags.third = True
            reasons.note("third", found)
        elif kind in ("bilateral", "implicit", "third", "third_pair", "sport", "aimed"):
            setattr(tags, kind, True)
            reasons.note(kind, found)
            if kind in ("implicit", "aimed"):
                tags.topics.add(found.lower())
        elif kind == "topic":
            tags.topics.add(found.lower())
            reasons.note(f"topic:{found.lower()}", found)
        elif kind == "us_firm":
            tags.us_firm = True
            reasons.note("US firm", found)
        elif kind == "compare":
            reasons.note("comparison only", found)
    if tags.us_firm and not tags.us and (tags.names_a_measure() or tags.cn == OFFICIAL):
        tags.us = WEAK
    if "executive order" in tags.topics and tags.cn and not tags.us and not tags.third:
        # "The executive order lowered fees for shipments from China": a president's order is the US's
        tags.us = COUNTRY
    return tags


def _score(head: _Sentence, lede: list[_Sentence], rest: list[_Sentence]) -> float:
    link = _link(head, lede, rest)
    if link == 0.0:
        return 0.0
    score = link * _topic_factor(head, lede, rest)
    # ("Biden wants to show Asia-Pacific leaders he is focused on the region despite the war in Ukraine. His
    # meeting with Chinese President Xi Jinping is the main event": the lede's officials of both sides say what
    # the item is about.)
    if _about_third_country(head) and not any((s.us == OFFICIAL and s.cn == OFFICIAL)
                                              or (s.us and s.cn and s.names_a_measure()) for s in lede):
        score *= 0.55
    if head.sport:
        score *= 0.5
    return min(1.0, score)


def _link(head: _Sentence, lede: list[_Sentence], rest: list[_Sentence]) -> float:
    """The strongest tie between the sides, by where it stands; repeated ties in the body add a little."""
    candidates = [0.9 * head.link() if not head.bilateral else 1.0]
    candidates += [0.8 * s.link() if not s.bilateral else 0.9 for s in lede]
    body_links = [s.link() for s in rest if s.link() > 0]
    candidates += [0.45 * x if x < 1.0 else 0.5 for x in body_links]
    opening = [head, *lede]
    us_open = max(s.us for s in opening)
    cn_open = max(s.cn for s in opening)
    if us_open and cn_open:
        measure = max(us_open, cn_open) == OFFICIAL and any(s.names_a_measure() for s in opening)
        candidates.append(0.7 * (COUNTRY if measure else min(us_open, cn_open)))
    everywhere = [*opening, *rest]
    if max(s.us for s in everywhere) and max(s.cn for s in everywhere):
        candidates.append(0.25)
    bonus = 0.05 * max(0, len(body_links) + sum(s.link() > 0 for s in opening) - 1)
    return min(1.0, max(candidates) + min(bonus, 0.2)) if max(candidates) else 0.0


_TAIWAN_ARMS_TOPICS = frozenset(phrase.lower() for phrase in _TAIWAN_ARMS)


def _aim_elsewhere(sentences: list[_Sentence]) -> None:
    """A third country anywhere in the item may be what a US measure is aimed at (Section 301 on the EU, the
    Entity List on Russian firms): then the measure names no China side of its own."""
    if any(s.third or s.third_pair for s in sentences):
        for s in sentences:
            s.aimed = s.aimed and not s.topics.isdisjoint(_TAIWAN_ARMS_TOPICS)


def _topic_factor(head: _Sentence, lede: list[_Sentence], rest: list[_Sentence]) -> float:
    opening_topics = set().union(head.topics, *(s.topics for s in lede))
    if opening_topics:
        return 1.0 + (0.1 if len(opening_topics) >= 2 else 0.0)
    if any(s.topics for s in rest):
        return 0.85
    # Two governments' officials in one headline are relations even without a policy word.
    officials = [head, *lede]
    both_official = any(s.us == OFFICIAL and s.cn == OFFICIAL for s in officials)
    return 0.6 if both_official else 0.5


def _about_third_country(head: _Sentence) -> bool:
    """The headline pairs one side with a third country (US–Japan, EU–China) and leaves the other out."""
    if head.bilateral:
        return False
    return (head.third or head.third_pair) and not (head.us and head.cn)


def _explain(reasons: _Reasons) -> tuple[str, ...]:
    lines = []
    for kind, text in reasons.found.items():
        if kind.startswith("topic:"):
            lines.append(f"topic: {text}")
        elif kind == "third":
            lines.append(f"third country: {text}")
        elif kind == "implicit":
            lines.append(f"topic: {text}")
        elif kind == "aimed":
            lines.append(f"US measure on China: {text}")
        else:
            lines.append(f"{kind.replace('_', ' ')}: {text}")
    return tuple(lines[:12])


def _term_pattern(term: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(term.strip()) + r"(?!\w)", re.IGNORECASE)


def _contains_term(term: str, title: str, text: str) -> bool:
    if not term.strip():
        return False
    pattern = _term_pattern(term)
    return bool(pattern.search(title) or pattern.search(text))


def _first_term(terms: Sequence[str], title: str, text: str) -> str | None:
    return next((term for term in terms if _contains_term(term, title, text)), None)


_WIDER_SCOPE = word_pattern(WIDER_SCOPE, flags=re.I)
# A quick look before any sentence is tagged: a measure's first word ("export" of "export - control") among the
# item's words (a set lookup: one regex of every measure phrase costs more than tagging saves), or a word that
# starts with a measure's stem (a substring search for " stem" in the words joined by spaces, faster than a
# regex with a lookbehind). Punctuation becomes spaces by a regex, since `str.translate` with a table holding
# curly quotes takes a slow path (2.6× the time on feed items).
_MEASURE_HEADS = frozenset(measure.split()[0] for measure in _MEASURES)
_PUNCTUATION = re.compile("[" + re.escape("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~“”‘’—–") + "]")
_STEMS_AT_A_WORD_START = tuple(" " + stem for stem in _MEASURE_STEMS)
# "tariffs on Chinese electric vehicles", "the additional tariffs on American soybeans": a measure aimed at the
# other side's goods or firms, whoever makes it.
_AIMED_AT_THE_OTHER_SIDE = re.compile(
    r"\b(?:tariffs?|duties|levies|ban|bans|restrictions|curbs|controls|sanctions|limits)\s+(?:on|against|"
    r"targeting)\s+(?:(?:all|some|certain|more|most)\s+)?(?:Chinese|China's|China-made|China-based|"
    r"(?:American|U\.?S\.?)\s+(?:goods|products|imports|exports|firms|companies|farm|agricultural|"
    r"soybeans|chips)|(?:imports|goods|products) from (?:China|the (?:U\.?S\.?|United States)))", re.I)


# A word (between spaces and punctuation) that is a measure's head, or starts with a stem, is a run of letters
# in the lower-cased text, or starts one: looking at the runs first rules out most items a third cheaper.
assert all(re.fullmatch("[a-z]+", word) for word in (*_MEASURE_HEADS, *_MEASURE_STEMS))
_MEASURE_HEAD_RUNS = frozenset(head.encode() for head in _MEASURE_HEADS)
_STEM_RUNS = tuple(stem.encode() for stem in _STEMS_AT_A_WORD_START)


def _may_name_a_measure(text: str) -> bool:
    if not _letters_may_name_a_measure(_lower_letters(text)):
        return False
    words = _PUNCTUATION.sub(" ", text.lower()).split()
    if not _MEASURE_HEADS.isdisjoint(words):
        return True
    spaced = " " + " ".join(words)
    return any(stem in spaced for stem in _STEMS_AT_A_WORD_START)


def _lower_letters(text: str) -> bytes:
    """`only_letters(text.lower())`. Only "K" (Kelvin) and "İ" lower to an ASCII letter: without them, lowering
    the bytes is the same, and cheaper."""
    if text.isascii() or ("\u212a" not in text and "\u0130" not in text):
        return only_letters(text).lower()
    return only_letters(text.lower())


def _letters_may_name_a_measure(letters: bytes) -> bool:
    if not _MEASURE_HEAD_RUNS.isdisjoint(letters.split()):
        return True
    return contains_any(b" " + letters, _STEM_RUNS)  # (a run starts after a space)


def one_sided_measure(title: str, text: str) -> bool:
    """Whether the item names one government's measure (a tariff, an export control, a listing) and no other
    party: nobody of the other side, no third country, not "trading partners" or "worldwide". Without an
    official or agency of that government, the measure must be aimed at the other side's goods or firms
    ("tariffs on Chinese electric vehicles").

    Cut from its article, such a passage ("The U.S. Trade Representative is proposing an additional 10
    percent tariff on ... $200 billion worth of imports") is far more often the next paragraph of a US–China
    story than anything else; its caller still wants a sure dated deadline in it before it counts.
    """
    if not _may_name_a_measure(f"{title}\n{text}"):
        return False  # most items
    if _WIDER_SCOPE.search(title) or _WIDER_SCOPE.search(text):
        return False
    sentences = [title, *(text[a:b] for a, b in sentence_spans(text))]
    tags = [_tag(sentence, _Reasons()) for sentence in sentences if sentence.strip()]
    us, cn = max((s.us for s in tags), default=0.0), max((s.cn for s in tags), default=0.0)
    if any(s.third or s.third_pair for s in tags) or min(us, cn) > 0:
        return False
    if max(us, cn) < OFFICIAL:
        # "tariffs on Chinese electric vehicles ... will take effect on September 27": aimed at China's goods
        # or firms, the measure is the other side's even unnamed.
        return any(_AIMED_AT_THE_OTHER_SIDE.search(sentence) for sentence in sentences)
    return any(s.names_a_measure() for s in tags)


def names_a_side_or_measure(title: str, text: str) -> bool:
    """Whether the item may name a US or Chinese actor or a measure (a tariff, an export control): one that does
    neither (sport, weather) is not a report of a US–China story, whatever words it shares with one. (A cheap
    test of words that such names must hold, as `names_china_side`'s.)"""
    whole = f"{title}\n{text}"
    return (not _EITHER_SIDE_WORDS.isdisjoint(letter_runs(whole))
            or any(spelled in whole for spelled in _EITHER_SIDE_SPELLED) or _may_name_a_measure(whole))


def actor_mentions(sentence: str) -> int:
    """How many US or China actors and bilateral phrases a sentence names (summaries prefer them)."""
    return sum(1 for kind, _ in _mentions(sentence) if kind in _STRENGTH or kind == "bilateral")


def first_matching_term(terms: Sequence[str], title: str, text: str) -> str | None:
    """The first of a channel's watch or mute terms that the title or text mentions, as a whole word."""
    return _first_term(terms, title, text)
