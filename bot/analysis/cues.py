"""The one list of cue words the analysis reads: moves, cancellations, hedges, reliefs, reporting verbs, months.

Deadline features, event names, the in-item merge and the merge of tracked deadlines across reports all
read these, so "prolonged" is a move and "averted" a cancellation everywhere at once.
"""

from __future__ import annotations

import re
from typing import AnyStr

# A date or event moved: "extended the truce", "postponed the talks", "pushed back the deadline".
MOVE_WORDS = r"extend\w*|extension|prolong\w*|postpon\w*|delay\w*|push\w* back|defer\w*|resched\w*|mov(?:e|ed|es)"
MOVED = re.compile(rf"\b(?:{MOVE_WORDS})\b", re.I)
# An event called off (a plain report, not "could be cancelled if ...": see HEDGE_BEFORE).
CANCELLED = re.compile(r"\b(?:cancel(?:l)?ed|called off|scrapped|scrubbed|abandoned)\b", re.I)
HEDGE_BEFORE = re.compile(r"\b(?:may|might|could|would|threaten\w*|warn\w*|consider\w*|if|unless)\b[^.]{0,30}$",
                          re.I)
# A relief whose length runs out: what a stated length usually measures.
RELIEF = re.compile(r"\b(?:truce|reprieve|pause[sd]?|paus\w+|suspen\w+|halt(?:s|ed|ing)?|exempt\w*|exclusions?|"
                    r"waivers?|extension|delay\w*|grace period|reduc\w+|lower\w*|cut|slash\w*)\b", re.I)
# A period's end: "the truce expires", "a pause ending July 9", "before the deadline runs out"; what has ended.
ENDS = r"expires?|expiring|ends?|ending|lapses?|lapsing|runs? out"
ENDED = r"expired|ended|lapsed|ran out"
TAKES_EFFECT = re.compile(r"\b(?:tak(?:e|es|en|ing)|took) effect\b", re.I)
WEEKDAY_NAME = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"  # a pattern's part, to be compiled case-blind
# A day named without "next" or "last" points either way.
WEEKDAY = re.compile(rf"\b(?:{WEEKDAY_NAME}|weekend)\b", re.I)
# Verbs that date a report, not the event it reports ("said Tuesday it will ...").
REPORTING_VERBS = frozenset("said says told announced stated confirmed added noted wrote posted reported".split())
# One of them in a sentence: who is named after it takes part; a past told after it is the reporter's tense.
REPORTED = re.compile(rf"\b(?:{'|'.join(sorted(REPORTING_VERBS))})\b", re.I)

# The months, for every module that reads a written date (the time parsers, the windows, story terms).
MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
               "november", "december")
# A month's name or its abbreviation, without the abbreviation's dot ("Sept" and "Sep" both).
MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
         r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
# A day of a month: "Oct. 14", "October 14th", "14 October", "14th of October" (month, day | day, month groups).
MONTH_DAY = (rf"\b(?:({MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?"
             rf"|(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({MONTH}))\b")


def case_blind(text: str) -> str:
    """`text` in lower case, holding every word that a match of a case-blind (re.I) regex in `text` holds, in
    lower case: what `str.lower` gives, but for "ı" and "ſ" (which such a regex reads as "i" and "s") and "İ"
    (which lowers to "i" and a combining dot). A substring test on it can rule a regex out cheaply."""
    lowered = text.lower()
    if lowered.isascii():
        return lowered
    return lowered.replace("ı", "i").replace("ſ", "s").replace("\u0307", "")


def contains_any(text: AnyStr, words: tuple[AnyStr, ...]) -> bool:
    """Whether `text` contains one of `words` (a loop: `any` over a generator takes twice as long)."""
    for word in words:
        if word in text:
            return True
    return False
