"""Sentence splitting, clause scoping and the word cues that tell future plans from past reports."""

from __future__ import annotations

import re

_ABBREVIATIONS = re.compile(
    r"(?:\b(?:U\.S|U\.K|U\.N|Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|St|No|Inc|Corp|Ltd|Co|vs|e\.g|i\.e|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)|\b[A-Z])\.$"
)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]*\s+(?=[\"“‘(]?[A-Z0-9])|\n+")

US = re.compile(
    r"\b(?:U\.S\.?|US|USA|United States|Americans?|Washington|Trump|Biden|White House|Bessent|Lutnick|"
    r"Rubio|Greer|USTR|Pentagon|Congress|State Department|Commerce Department|Treasury)\b"
)
CHINA = re.compile(
    r"\b(?:China|Chinese|Beijing|Xi|He Lifeng|Wang Yi|Li Qiang|Li Chenggang|MOFCOM|PRC|Sino|"
    # Chinese companies at the centre of US measures stand for the Chinese side of a sentence.
    r"ByteDance|TikTok|Huawei|SMIC|ZTE|CATL|BYD|DJI|Hikvision|DeepSeek|Alibaba|Tencent|Temu|Shein)\b"
)
# Other countries: a sentence naming one is only ours when it names both the US and China.
OTHER_COUNTRY = re.compile(
    r"\b(?:Japan(?:ese)?|India(?:n)?|EU|European Union|Europe(?:an)?|Canad(?:a|ian)|Mexic(?:o|an)|"
    r"(?:South )?Korea(?:n)?|Vietnam(?:ese)?|UK|Britain|British|German(?:y)?|France|French|Dutch|Netherlands|"
    r"Australia(?:n)?|Brazil(?:ian)?|Russia(?:n)?|Ukrain(?:e|ian)|"
    r"Indonesia(?:n)?|Thai(?:land)?|Philippines|Taiwan(?:ese)?)\b"
)

FUTURE = re.compile(
    r"\b(?:will|would|shall|may|might|could|(?:is|are|was|were) (?:expected|set|due|scheduled|slated|"
    r"poised|likely|going) to|expected|plans? to|planned|planning|scheduled|slated|upcoming|"
    r"(?:agreed|aims?|hopes?|intends?|wants?|vowed|pledged|threatened|promised|decided) to|"
    r"effective|takes? effect|starting|starts?|kicks? in|comes? into (?:force|effect)|"
    r"from|begins?|until|through|ahead of|before|deadline|expires?|"
    r"ends?|runs? out|lapses?|by|next|coming|later this|later in|to be held|to meet|to visit|to resume)\b",
    re.IGNORECASE,
)
PAST = re.compile(
    r"\b(?:last|ago|yesterday|earlier|previously|since|was held|were held|took place|took effect|"
    r"went into effect|came into force|introduced|began|started|postponed|called off|"
    r"had been (?:scheduled|set|due|planned|expected))\b",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r"[,;:—–()]|\s(?:that|but|while|after|when|which|who|as)\s", re.IGNORECASE)


def split_sentences(text: str) -> list[str]:
    """Sentences of news text, keeping abbreviations such as "U.S." and "Aug." inside their sentence."""
    pieces: list[str] = []
    position = 0
    for match in _SENTENCE_END.finditer(text):
        chunk = text[position : match.start()]
        if _ABBREVIATIONS.search(chunk) and not match.group().startswith("\n"):
            continue
        pieces.append(chunk)
        position = match.end()
    pieces.append(text[position:])
    return [p.strip() for p in pieces if p.strip()]


def clause_around(sentence: str, start: int, end: int) -> str:
    """The clause holding sentence[start:end]; a short leading phrase ("On Monday,") takes the next clause."""
    breaks = [0, *(m.start() for m in _CLAUSE_BREAK.finditer(sentence)), len(sentence)]
    left = max(b for b in breaks if b <= start)
    right = min(b for b in breaks if b >= end)
    clause = sentence[left:right]
    if len(clause.split()) - len(sentence[start:end].split()) < 3:
        following = [b for b in breaks if b > right]
        clause = sentence[left : following[0] if following else len(sentence)]
    return clause


def is_ours(sentence: str) -> bool:
    """False for a sentence about another country's affairs without both the US and China in it."""
    if OTHER_COUNTRY.search(sentence):
        return bool(US.search(sentence) and CHINA.search(sentence))
    return True


def mentions_us_and_china(text: str) -> bool:
    """True when the text names both sides somewhere."""
    return bool(US.search(text) and CHINA.search(text))
