"""Step 2 of deadline extraction: what the words around a candidate say about it, as named features.

Each feature is a reading rule (tense, modality, the verb that governs the date, how far ahead it falls,
the side and scope of its clause); the learned model in `model.py` weighs them. Keeping the rules as features, not
as gates, is what lets one corpus decide how much each is worth.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from bot.analysis.cues import (
    ENDS,
    MONTH_DAY,
    MOVE_WORDS,
    REPORTED,
    REPORTING_VERBS,
    WEEKDAY,
    case_blind,
    contains_any,
)
from bot.analysis.deadlines.candidates import FROM_THE_REPORT, Candidate
from bot.analysis.deadlines.text import CHINA, US, about_other_party, clause_around, names_other_party
from bot.analysis.deadlines.windows import EXPLICIT_YEAR, TIME_TO_ACT, yearly_repeats

_CUES: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern, re.I)
    for name, pattern in {
        "will": r"\b(?:will|shall|'ll)\b",
        "would": r"\bwould\b",
        "scheduled": r"\b(?:(?:is|are) (?:set|due|scheduled|slated|poised|going) to|scheduled|slated|due to|"
        r"set to|to be held|upcoming)\b",
        "expected": r"\b(?:expected|likely|anticipated|planned|plans? to|planning|intends?|aims? to|hopes? to)\b",
        "hedge": r"\b(?:may|might|could|possibl[ey]|consider(?:ing|s)?|weighing|mulling|reportedly)\b",
        # "a potential summit", "the possibility of fresh talks next month", "another pause remains an option"
        "potential": r"\b(?:potential(?:ly)?|possibility|options?)\b",
        "agreed": r"\b(?:agreed|agree|agreement|pledged|promised|vowed|decided|committed)\b",
        "effect": r"\b(?:takes? effect|take effect|effective|kicks? in|(?:come|comes|coming) into (?:force|effect)|"
        r"in force|(?:goes|go|going) into effect|enter(?:s|ing)? into force|entry into force|apply|applies)\b",
        "ends": rf"\b(?:{ENDS}|expiry|expiration|deadline)\b",
        "extend": rf"\b(?:{MOVE_WORDS})\b",
        "past_marker": r"\b(?:last|ago|yesterday|earlier|previous|previously|prior|since|already|took place|"
        r"took effect|went into effect|came into (?:force|effect)|was held|were held|began|started)\b|"
        # "a visit by then-House Speaker Nancy Pelosi in August": a title held then, an event gone
        r"\bthen-(?=\w)",
        "had": r"\b(?:had|has been|have been|was|were)\b",
        "counterfactual": r"\b(?:would have|could have|might have|had been (?:set|due|scheduled|expected|planned)|"
        r"(?:was|were) (?:set|due|scheduled|slated|supposed) to|(?<!will )(?<!would )(?:originally|initially))\b",
        "condition": r"\b(?:if|unless|otherwise|absent|without a deal|threat\w*|warn\w*|ultimatum)\b",
        "cancelled": r"\b(?:cancel\w*|call(?:ed)? off|scrap\w*|avert\w*|averted|suspend\w*|shelv\w*|"
        r"drop(?:ped)?|abandon\w*|paus\w*|halt\w*|revok\w*|rescind\w*|lift\w*|waiv\w*)\b",
        "negation": r"\b(?:not|no|never|no longer|n't)\b",
        "said": r"\b(?:said|says|told|announced|stated|noted|wrote|posted|reported|confirmed)\b",
        # the public's comments on a rule, not a spokesman's ("declined to comment", "Trump's comments on")
        "comment": r"\b(?:(?<!declined to )(?<!refused to )(?<!request for )(?<!requests for )(?<!['’]s )"
        r"(?<!his )(?<!her )(?<!their )comments?(?! on\b)|comment period|hearing|public input|submissions?)\b",
        "infinitive": r"\bto (?:visit|meet|travel|hold|sign|host|attend|resume|impose|take|go|come|begin|start|"
        r"launch|announce|speak|talk|expire|end|finali[sz]e|publish|divest|sell|comply)\b",
        "invitation": r"\b(?:invit\w*|accept\w*)\b",
        # people meeting, not a measure: one held on the day of the report is still ahead when told
        "meeting": r"\b(?:meet|meets|meeting|talks|visit\w*|summit|travel\w*|trip|arriv\w*|leave for|"
        r"consultations|dialogue|sign|signs|signing)\b",
    }.items()
}
# Words every match of each cue holds one of, in `case_blind`'s lower case: most clauses hold few of the cues, and
# a substring test is far cheaper than the regex. (tests/test_word_checks.py proves every such list of words.)
_CUE_WORDS: dict[str, tuple[str, ...]] = {
    "will": ("will", "shall", "'ll"),
    "would": ("would",),
    "scheduled": ("set to", "due to", "scheduled", "slated", "poised to", "going to", "to be held", "upcoming"),
    "expected": ("expected", "likely", "anticipated", "plan", "intend", "aim", "hope"),
    "hedge": ("may", "might", "could", "possibl", "consider", "weighing", "mulling", "reportedly"),
    "potential": ("potential", "possibility", "option"),
    "agreed": ("agree", "pledged", "promised", "vowed", "decided", "committed"),
    "effect": ("effect", "kick", "force", "appl"),
    "ends": ("expir", "end", "laps", "run", "deadline"),
    "extend": ("exten", "prolong", "postpon", "delay", "back", "defer", "resched", "mov"),
    "past_marker": ("last", "ago", "yesterday", "earlier", "previous", "prior", "since", "already", "took ",
                    "went into effect", "came into ", "held", "began", "started", "then-"),
    "had": ("had", "has been", "have been", "was", "were"),
    "counterfactual": ("would have", "could have", "might have", "had been ", "was ", "were ", "originally",
                       "initially"),
    "condition": ("if", "unless", "otherwise", "absent", "without a deal", "threat", "warn", "ultimatum"),
    "cancelled": ("cancel", "call", "scrap", "avert", "suspend", "shelv", "drop", "abandon", "paus", "halt",
                  "revok", "rescind", "lift", "waiv"),
    "negation": ("no", "never", "n't"),
    "said": ("said", "says", "told", "announced", "stated", "noted", "wrote", "posted", "reported", "confirmed"),
    "comment": ("comment", "hearing", "public input", "submission"),
    "infinitive": ("to ",),
    "invitation": ("invit", "accept"),
    "meeting": ("meet", "talks", "visit", "summit", "travel", "trip", "arriv", "leave for", "consultations",
                "dialogue", "sign"),
}
assert _CUE_WORDS.keys() == _CUES.keys()
# "Trump said he would go to China in April": a plan told in reported speech, its "will" put in the past by the
# reporting verb; not when a condition stands between "would" and the date ("said it would, if talks fail, ...")
_REPORTED_WOULD = re.compile(rf"{REPORTED.pattern},?(?: that)?(?: [\w’'.-]+){{1,4}} would\b"
                             r"(?! have)(?![^,;]*\b(?:if|unless)\b)", re.I)
# A past-tense verb not governed by an auxiliary or "to": a report of what someone did. (The word boundary comes
# first, so the look-behinds are tried at the start of words only: half the time.)
_PAST_VERB = re.compile(
    r"\b(?<!\bto )(?<!\bbe )(?<!\bis )(?<!\bare )(?<!\bwas )(?<!\bwere )(?<!\bbeen )(?<!\bwill )(?<!\bwould )"
    r"(?:\w{3,}ed|met|held|spoke|took|made|sent|won|gave|struck|began|came|went|saw|rose|fell)\b"
    # "Beijing added rare earths to its control list" is a doing; ", he added." and "added that" report speech.
    r"(?!(?<=\badded)\s*(?:[,.;:\"”]|that\b|$))"
    # "ships owned or operated by US entities": a participle before "by" describes, it reports nothing.
    r"(?!(?:,? (?:or|and) \w+ed)? by\b)",
    re.I,
)
_NOT_PAST_ED = frozenset({"expected", "scheduled", "planned", "proposed", "slated", "delayed", "needed", "based",
                          "related", "tied", "aimed", "limited", "united", "red", "bed", "need", "speed",
                          "indeed", "proceed", "exceed", "succeed", "reduced", "increased", "raised",
                          "extended", "suspended", "agreed", "reported", "called",
                          # reporting verbs say when something was said, not when it happens
                          "announced", "stated", "noted", "warned", "claimed", "confirmed"})
# The word right before the expression: "on Friday" (an event), "by Friday" (a deadline), "since May".
_PREPOSITIONS = {
    "by": r"(?:by|before|no later than)", "until": r"(?:until|till|through|to)", "on": r"on", "in": r"in",
    "from": r"(?:from|starting|beginning|effective|as of)", "since": r"(?:since|after)", "at": r"(?:at|during)",
}
_PREPOSITION_BEFORE = {name: re.compile(rf"\b{words}\s+(?:the\s+)?$", re.I) for name, words in _PREPOSITIONS.items()}
_PREPOSITION_OPENING = {name: re.compile(rf"{words}\b", re.I) for name, words in _PREPOSITIONS.items()}
_REPORTED_DATE = re.compile(
    r"\b(?<!\bbe )(?:said|says|told|announced|added|stated|noted|wrote|posted|met|held|earlier|introduced|began|"
    r"started|signed|unveiled|released|issued|published|approved|imposed|passed|launched|proposed|filed|"
    r"hosted|delivered|lifted|took effect|went into effect|came into force)\s+(?:on\s+|in\s+|at\s+)?$",
    re.I,
)
# ("the Wednesday (Sep 17) deadline": the day in brackets names it too)
_DEADLINE_AFTER = re.compile(r"\)?\s*(?:['’]s\s+)?(?:deadline|cut-?off)s?\b", re.I)
_DEADLINE_BEFORE = re.compile(r"\b(?:deadline|cut-?off)s?\s+(?:(?:of|on|is|was|for|set for|later|falls on)\s+)?$",
                              re.I)
_AHEAD_OF = re.compile(r"\bahead of\s+(?:(?:the|a|an|his|her|their|its|next|this)\s+)?(?:[\w’'-]+\s+){0,5}$", re.I)
_LATER = re.compile(r"\blater\s+(?:on\s+|in\s+the\s+day\s+on\s+)?$", re.I)
# "a vote could come as early as Sept. 4", "as soon as this week": the first day something may happen, which
# a report names only while it is still ahead
_EARLIEST = re.compile(r"\b(?:as early as|as soon as|no earlier than)\s+$", re.I)
# "the April 23 notice", "a July 14th Executive Order", "its March announcement": a date naming a document is
# the day it was issued, which is behind the item, whatever year the bare date reads as.
_DOCUMENT_AFTER = re.compile(r"\s*(?:executive |final |interim |joint |press )?(?:notice|order|memo|memorandum|"
                             r"statement|announcement|letter|decision|proclamation|directive|filing|guidance|"
                             r"release|notification|determination|ruling|circular|decree|rules?)\b", re.I)
_DETERMINER_BEFORE = re.compile(r"\b(?:the|its|their|his|her|an?|this|that)\s+$", re.I)
_SINCE = re.compile(r"\b(?:since|after|following|ago)\b", re.I)
_RELATIVE = re.compile(r"\b(?:next|coming|this|later|within|in (?:\w+ )?(?:days?|weeks?|months?|years?))\b", re.I)
_MONTH = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?", re.I)
_MOVED_TO = re.compile(rf"\b(?:{MOVE_WORDS})\b[^;]{{0,90}}\b(?:to|until|till|through)\s+$", re.I)
# A move's verb, not its noun ("the current delay is set to expire this Thursday", "another extension will be
# signed this week": the date belongs to the delay, not to what was delayed); "a one-week extension, from
# November 27" tells the old day after a comma.
_MOVED_FROM = re.compile(rf"\b(?<!\bthe )(?<!\ban )(?<!\ba )(?<!\bcurrent )(?<!\banother )(?<!\bthis )(?<!-day )"
                         rf"(?:{MOVE_WORDS}|cancel\w*|call\w* off|scrap\w*|instead of)\b,?[^,;:]{{0,60}}$", re.I)
_WAS_DUE = re.compile(r"\b(?:was|were|had been|originally|initially|previously)\s+(?:\w+\s+)?(?:due|set|scheduled|"
                      r"slated|planned|expected|supposed)\b[^,;:]{0,50}$|"
                      # "the original date of compliance was September 25"
                      r"\b(?:original|initial|previous|earlier|old|former)\s+(?:\w+\s+)?(?:date|deadline|schedule|"
                      r"timeline|expiry|expiration)\b[^,;:]{0,40}$", re.I)
# "will not be raised to $200 next month", "won't go ahead with plans to ... next week", "no reason to meet"
_NOT_HAPPENING = re.compile(r"\b(?:will|would|shall|does|do|did) not\b|\b(?:won't|wouldn't|no longer|not go ahead|"
                            r"no reason to|off the table|as previously planned|as planned earlier)\b", re.I)
_ON_OR_AFTER = re.compile(r"\bon or after\b[^.;,]{0,30}$", re.I)
_UNTIL_BEFORE = re.compile(r"\b(?:until|till)\s+(?:the\s+)?$", re.I)
_AHEAD_BUCKETS = ((0, "today"), (7, "week"), (31, "month"), (120, "quarter"), (366, "year"))


def features(candidate: Candidate, published: date, item: Sequence[Candidate] = ()) -> dict[str, float]:
    """The named features of one candidate, read with the other candidates of its `item`; absent names are 0."""
    candidate = _without_asides(candidate)
    span, sentence = candidate.span, candidate.sentence
    clause = clause_around(sentence, span.pos, span.end_pos)
    before = sentence[max(0, span.pos - 60) : span.pos]
    out: dict[str, float] = {"bias_" + candidate.kind: 1.0, f"granularity_{span.granularity}": 1.0}
    if candidate.anchor:
        out[f"anchor_{candidate.anchor}"] = 1.0
    if candidate.counted:
        # Only a length counted from the report needs its kind: a stated start already says when it runs.
        out[f"length_{_length_kind(span.body)}"] = 1.0
    out.update(_when(candidate, published))
    # Cues count in the date's own clause only: the rest of a sentence speaks of other things as often as
    # not, and cross-validation on the corpus scores the model better without them.
    tense = governing_tense(sentence, span.pos, span.end_pos)
    # "he had agreed to visit China in April": the date belongs to the visit; the tense of the agreeing
    # says nothing of it.
    event_words = _infinitive_phrase(clause, span.body) if tense == "infinitive" else clause
    out.update(_cues(clause, event_words))
    if any(m.group().lower() not in _NOT_PAST_ED for m in _PAST_VERB.finditer(event_words)):
        out["clause_past_verb"] = 1.0
    for name, pattern in _PREPOSITION_BEFORE.items():
        if pattern.search(before) or _PREPOSITION_OPENING[name].match(span.body):
            out[f"prep_{name}"] = 1.0
    on_or_after = bool(_ON_OR_AFTER.search(before + span.body[:5]))
    if on_or_after:
        # "goods entered on or after 12:01 am on Monday, November 10": from that day on, not since it
        out.pop("prep_since", None)
        out["prep_from"] = 1.0
    if _REPORTED_DATE.search(before):
        out["reported_date"] = 1.0
    if _SINCE.search(before[-30:]) and not on_or_after:
        out["since_before"] = 1.0
    if _DEADLINE_AFTER.match(sentence, span.end_pos) or _DEADLINE_BEFORE.search(before):
        out["names_deadline"] = 1.0  # "the June 19 deadline", "a Wednesday deadline", "the deadline of Sept. 15"
    if _DOCUMENT_AFTER.match(sentence, span.end_pos) and _DETERMINER_BEFORE.search(before):
        out["names_document"] = 1.0
    if _LATER.search(before):
        out["later_before"] = 1.0  # "talks set to resume later on Friday": later the same day is ahead
    if _EARLIEST.search(before):
        out["earliest"] = 1.0
    if _AHEAD_OF.search(before):
        out["ahead_of"] = 1.0  # "gestures ahead of talks next month": what the news comes before is ahead
    # The move's verb may stand further back than `before` reaches ("postpone the increase of certain
    # tariffs on Chinese goods from October 1 to October 15").
    lead = _lead(candidate)
    moved_to = _moved_to(candidate)
    if moved_to:
        out["moved_to"] = 1.0
    elif (candidate.kind == "date" and _moved_from(lead)) or _WAS_DUE.search(lead):
        # "delay a trip in early April", "exclusions that were due to expire on Nov. 29 will be extended":
        # the old date of something moved or called off ("delay enforcement for 75 days" is the new length).
        out["moved_from"] = 1.0
    if _NOT_HAPPENING.search(clause):
        # "will not take effect until Dec. 15" says when it does happen; "will not meet on Friday" that it won't.
        out["not_until" if _UNTIL_BEFORE.search(before + span.body.split()[0] + " ") else "not_happening"] = 1.0
    out.update(_status(candidate, clause, lead, moved_to))
    if _superseded(candidate, item, out):
        out["superseded"] = 1.0
    if _weekday_told_past(candidate, item):
        out["weekday_told_past"] = 1.0
    out.update(_sides(sentence, clause, span.pos))
    out["lede"] = float(candidate.index < 2)
    if tense == "would" and _REPORTED_WOULD.search(sentence[: span.pos]):
        tense = "future"
    out[f"governed_{tense}"] = 1.0
    out.update(_together(out))
    out.update(_words_around(sentence, clause, span.pos, span.end_pos))
    return out


_WORD = re.compile(r"[a-z]+(?:['’][a-z]+)?")
# Words are many and each is rare, so each counts a tenth of a reading rule: the model's one strength (C) then
# holds them ten times tighter, and cross-validation on both halves of the corpus' tuning part liked a tenth
# better than a twentieth or a fifth.
_WORD_WEIGHT = 0.1


def _words_around(sentence: str, clause: str, start: int, end: int) -> dict[str, float]:
    """The three words before the date and two after it, by place ("w-1=until", "w+1=deadline"), and every
    word of its clause ("c=postponed"): what the reading rules do not name, the corpus can still weigh."""
    before = _WORD.findall(sentence[max(0, start - 40):start].lower())[-3:]
    after = _WORD.findall(sentence[end:end + 30].lower())[:2]
    out = {f"w-{len(before) - i}={word}": _WORD_WEIGHT for i, word in enumerate(before)}
    out.update({f"w+{i + 1}={word}": _WORD_WEIGHT for i, word in enumerate(after)})
    out.update({f"c={word}": _WORD_WEIGHT for word in set(_WORD.findall(clause.lower()))})
    return out


# "responding to Trump's threat to impose tariffs starting Jan. 20", "warned of tariffs beginning Nov. 1": what
# is threatened is a lever, not a plan (the corpus has no upcoming deadline read under one).
_THREAT = re.compile(r"\b(?:threat\w*|warn\w*|ultimatum)\b", re.I)
# "firms deemed a security threat", "if they are deemed to threaten American national security": a danger
# named, not a measure held over someone
_SECURITY_THREAT = re.compile(r"\b(?:security|cyber|espionage)\s+threats?\b|"
                              r"\bthreat\w*\s+(?:to\s+)?(?:\w+\s+){0,2}(?:national\s+)?security\b|"
                              r"\bpos(?:e|es|ed|ing)\s+(?:an?\s+)?(?:\w+\s+)?threats?\b", re.I)
# "warned that he may cancel his meeting with Xi, planned for later this month": a threat to call something off
# leaves it planned.
_THREAT_TO_CALL_OFF = re.compile(r"\b(?:threat\w*|warn\w*)\b[^.;]{0,40}?\b(?:cancel\w*|call\w* off|scrap\w*|"
                                 r"pull\w* out|skip\w*)", re.I)
# A plan told in the past ("had planned to visit Beijing in October", "was due to host the summit on Nov. 16"):
# it held then; an item mostly tells it because it no longer does.
_PAST_PLAN = re.compile(r"\b(?:had (?:planned|hoped|intended|wanted)|(?:was|were) (?:to|supposed to|meant to|"
                        r"due to|set to|scheduled|slated|expected to)|had been (?:set|due|scheduled|slated|expected|"
                        r"planned|supposed))\b", re.I)
# "Lutnick said talks were expected to start in early August": in reported speech the past is the reporter's
# tense, not the plan's ("had planned" stays a past plan either way).
# Where the words that govern a date begin: a new part of the sentence, or a verb of its own ("exclusions
# that were due to lapse will be extended to Aug. 31": the new date is no past plan).
_PART_START = re.compile(r";|\b(?:but|will|would|shall)\b", re.I)


# "have seven days to file", "within 30 days", "45 days from now": time given to act runs from the order, mostly
# the report's day; "a 90-day truce", "for one year" name a measure's period, whose start is as often days
# before the report.
_NAMED_PERIOD = re.compile(r"^\w+[- ](?:day|week|month|year)(?:-long)? ", re.I)


def _length_kind(body: str) -> str:
    if TIME_TO_ACT.match(body) or FROM_THE_REPORT.search(body):
        return "to_act"
    return "named" if _NAMED_PERIOD.match(body) else "for"


def _threatens(words: str) -> bool:
    """A threat word in `words` that is not a danger named (the substitution only where a threat word is)."""
    return bool(_THREAT.search(words)) and bool(_THREAT.search(_SECURITY_THREAT.sub(" ", words)))


def _status(candidate: Candidate, clause: str, lead: str, moved_to: bool) -> dict[str, float]:
    """Whether the words before a date say it no longer holds, or never was a plan: a threat, a plan told in
    the past (not the date something was moved to)."""
    out: dict[str, float] = {}
    if (_threatens(clause) or _threatens(lead[-60:])) and not _THREAT_TO_CALL_OFF.search(candidate.sentence):
        out["threat"] = 1.0
    part = lead[max([0, *(m.end() for m in _PART_START.finditer(lead))]) :]
    plan = _PAST_PLAN.search(part)
    if plan and not moved_to:
        told = candidate.sentence[: candidate.span.pos - len(part) + plan.start()]
        if plan.group().lower().startswith("had") or not REPORTED.search(told):
            out["past_plan"] = 1.0
    return out


# A short aside in brackets ("(signed previously by Trump)", "at 1.01 pm (0501GMT) on Nov. 10") is read past:
# its words are not the clause's, and its brackets do not end the clause.
_ASIDE = re.compile(r"\([^()]{1,80}\)")


# "goods entered for consumption, or withdrawn from warehouse for consumption, on or after June 1": customs words
# for goods brought in, not a report of what someone did
_CUSTOMS_ENTRY = re.compile(r"\b(?:entered|withdrawn)(?:,? or withdrawn)?(?: from (?:a )?warehouse)?"
                            r"(?: for consumption)?(?=,? (?:or withdrawn|on or after|beginning|from|after|starting)\b)",
                            re.I)


def _without_asides(candidate: Candidate) -> Candidate:
    """The candidate with the asides of its sentence blanked (positions kept), except one holding the date, and
    the customs words for goods brought in blanked too."""
    pos = candidate.span.pos
    blanked = _ASIDE.sub(lambda m: m.group() if m.start() <= pos < m.end() else " " * len(m.group()),
                         candidate.sentence)
    blanked = _CUSTOMS_ENTRY.sub(lambda m: " " * len(m.group()), blanked)
    return candidate if blanked == candidate.sentence else replace(candidate, sentence=blanked)


def _superseded(candidate: Candidate, item: Sequence[Candidate], read: dict[str, float]) -> bool:
    """An end the item moves on: another of its dates, later, is one something was extended or delayed to
    ("exemptions ... until Dec. 31" beside "after the extension, they last until July 31")."""
    if not ("clause_ends" in read or "prep_until" in read) or "moved_to" in read:
        return False
    # "ends on July 15, but can be extended till January": a move that may come leaves the end standing.
    return any(other.span.start > candidate.span.end and _moved_to(other)
               and governing_tense(other.sentence, other.span.pos, other.span.end_pos) != "modal" for other in item)


def _weekday_told_past(candidate: Candidate, item: Sequence[Candidate]) -> bool:
    """Whether the item names the same bare weekday elsewhere as a day something was done or said ("announced
    on Sunday ... the suspension is effective from Sunday"): a report rarely means two different Sundays."""
    day = WEEKDAY.search(candidate.span.body)
    if day is None or _NEXT.search(candidate.span.body):
        return False
    for other in item:
        if other is candidate or other.kind != "date":
            continue
        same = WEEKDAY.search(other.span.body)
        if (same and same.group().lower() == day.group().lower() and not _NEXT.search(other.span.body)
                and governing_tense(other.sentence, other.span.pos, other.span.end_pos) in ("past", "reported")):
            return True
    return False


_NEXT = re.compile(r"\bnext\b", re.I)
_WEEKDAY_FAR = 5
# "over the weekend" in a Monday or Tuesday story: the weekend just past, read as the coming one
_WEEKEND = re.compile(r"\bweekend\b", re.I)
_WEEKEND_FAR = 3


def _moved_to(candidate: Candidate) -> bool:
    """Whether a date is the one something is moved to: "postponed ... until Dec. 15" (the preposition may
    be the expression's own first word or stand just before it; the verb may stand well back)."""
    lead = _lead(candidate)
    return bool(_MOVED_TO.search(lead) or _MOVED_TO.search(lead + candidate.span.body.split()[0] + " "))


# "the latest TikTok extension is set to expire Wednesday": the move's noun is what runs out on the date.
_MOVE_NOUN_ENDS = re.compile(r"^(?:extension|delay|postponement|deferral)s?\b[^,;:]{0,40}?\b(?:(?:is|are|will be) "
                             rf"(?:set|due|scheduled|slated) to (?:expire|end|lapse|run out)|{ENDS})\s+(?:on\s+)?$",
                             re.I)


def _moved_from(lead: str) -> bool:
    """Whether the words before a date tell it as the old date of something moved or called off."""
    move = _MOVED_FROM.search(lead)
    return move is not None and not _MOVE_NOUN_ENDS.match(move.group())


def _lead(candidate: Candidate) -> str:
    """The 100 characters before a date, where the verb of a move or a past plan may stand."""
    return candidate.sentence[max(0, candidate.span.pos - 100) : candidate.span.pos]


_TENSE_CUES = frozenset({"had", "past_marker", "said"})


def _cues(clause: str, event_words: str) -> dict[str, float]:
    """The cues the clause holds, in `_CUES` order: the tense cues read in the event's words only."""
    lowered = case_blind(clause)
    # the event's words are most often the whole clause: lower it once
    lowered_event = lowered if event_words == clause else case_blind(event_words)
    read = {False: (clause, lowered), True: (event_words, lowered_event)}
    out: dict[str, float] = {}
    for name, pattern in _CUES.items():
        words, lowered = read[name in _TENSE_CUES]
        if contains_any(lowered, _CUE_WORDS[name]) and pattern.search(words):
            out[f"clause_{name}"] = 1.0
    return out


_TO_VERB = re.compile(r"\bto [a-z]+\b")


def _infinitive_phrase(clause: str, body: str) -> str:
    """The clause from the last "to <verb>" before the date on: the event the date belongs to."""
    head = clause[: max(0, clause.find(body))] if body in clause else clause
    starts = [m.start() for m in _TO_VERB.finditer(head)]
    return clause[starts[-1] :] if starts else clause


_TENSE_OF = {
    **dict.fromkeys("will shall 'll won't".split(), "future"),
    **dict.fromkeys("would".split(), "would"),
    **dict.fromkeys("may might could can should must".split(), "modal"),
    **dict.fromkeys("set due scheduled slated expected planned poised likely plans intends aims".split(),
                    "scheduled"),
    **dict.fromkeys("is are am takes begins expires ends starts runs comes goes lasts remains applies".split(),
                    "present"),
    **dict.fromkeys("was were had has have did met held took made sent gave struck began came went saw rose "
                    "fell spoke ran began".split(), "past"),
    # A reporting verb ("said Tuesday it will ...") dates the report, not the event it reports.
    **dict.fromkeys(REPORTING_VERBS, "reported"),
}
_LINKS = frozenset("to until till through on by from before".split())
_ADDING = frozenset("with and plus including".split())
_TENSE_WORD = re.compile(r"[A-Za-z']+|[,;:()—–]")
_SCAN_WORDS = 16


def governing_tense(sentence: str, start: int, end: int) -> str:
    """The tense of the verb that governs a time expression: the nearest verb before it in its clause, or
    for an expression that opens its clause ("On Friday, the two sides will meet") the first after it:
    future, would, modal, scheduled, infinitive ("to visit ... in April"), present, past, reported ("said
    Tuesday") or none."""
    before = _TENSE_WORD.findall(sentence[:start])[::-1][:_SCAN_WORDS]
    if WEEKDAY.search(sentence, start, end) and _done_that_day(before):
        return "past"
    opening = 0
    for index, word in enumerate(before):
        if word in ",;:()—–":
            if 0 < index == opening and (all(w.lower() in _LINKS for w in before[:index])
                                         or before[index - 1].lower() in _ADDING):
                # "extended the truce by 90 days, to Nov. 10", "will take comments, with a hearing on
                # Sept. 15": a phrase without a verb of its own takes the one before the comma.
                continue
            break
        tense = _tense(word, before, index, backwards=True)
        if tense:
            return tense
        opening += 1
    if opening > 2:
        return "none"
    after = _TENSE_WORD.findall(sentence[end:].lstrip(" ,"))[:_SCAN_WORDS]
    opens_sentence = opening == len(before)
    for index, word in enumerate(after):
        # "On Wednesday, Biden's envoy, Janet Yellen, is scheduled to leave": an apposition's commas do
        # not end the clause the date opens
        if word == "," and opens_sentence:
            continue
        if word in ";:()—–":
            break
        tense = _tense(word, after, index, backwards=False)
        if tense:
            return tense
    return "none"


def _done_that_day(before: list[str]) -> bool:
    """Whether the first verb before a weekday, in its clause, is one of doing told actively ("agreed on
    Wednesday", "raised punitive tariffs on Friday"), not a passive ("will be raised on Friday") nor a verb
    of its own between ("agreed to meet on Wednesday")."""
    for index, word in enumerate(before):
        if word in ",;:()—–":
            return False
        # "set a fast-track schedule on Tuesday" is a doing; "talks set for Friday" a plan
        set_something = word.lower() == "set" and index > 0 and before[index - 1].lower() in _NOT_VERBS
        if word.lower() in _DONE_ON_THE_DAY or set_something:
            return not (index + 1 < len(before) and before[index + 1].lower() in _BE)
        if _tense(word, before, index, backwards=True):
            return False
    return False


def _tense(token: str, words: list[str], index: int, backwards: bool) -> str:
    word = token.lower()
    previous = words[index + 1].lower() if backwards and index + 1 < len(words) else ""
    # "talks will be held on Monday", "a deal to be signed on Wednesday": a passive's participle is no past;
    # the tense is in the words before "be"
    passive = previous in _BE
    if word == "added" and not passive and _has_an_object(words, index, backwards):
        return "past"  # "Beijing added rare earths to its list in April" did something; "he added" spoke
    if word in _TENSE_OF:
        return "" if passive and _TENSE_OF[word] == "past" else _TENSE_OF[word]
    # "to visit", not "to Beijing" or "to the": a verb after "to" is in lower case and not a determiner.
    if previous == "to" and token.isalpha() and token.islower() and word not in _NOT_VERBS:
        return "infinitive"
    # "to suspend heightened tariffs until Nov. 10": a participle right after an infinitive is its object's
    # word, and the infinitive governs the date
    if (backwards and word.endswith("ed") and index + 2 < len(words) and words[index + 2].lower() == "to"
            and previous.isalpha() and previous.islower() and previous not in _NOT_VERBS):
        return "infinitive"
    # "the expanded controls", "its revised rule": after a determiner a participle names, it reports nothing
    if (word.endswith("ed") and len(word) > 4 and word not in _NOT_PAST_ED and not passive
            and not (backwards and (_describes(words, index) or previous in _NOT_VERBS))):
        return "past"
    return ""


def _has_an_object(words: list[str], index: int, backwards: bool) -> bool:
    """Whether the verb at `index` is followed by a word other than "that" (not by punctuation nor the end)."""
    following = index - 1 if backwards else index + 1
    word = words[following] if 0 <= following < len(words) else ""
    return word.isalpha() and word.lower() != "that"


def _describes(words: list[str], index: int) -> bool:
    """Whether the participle at `index` of words read backwards is followed by "by" ("ships owned or
    operated by US entities"), describing a noun rather than reporting what was done."""
    following = [w.lower() for w in words[max(0, index - 3) : index][::-1]]
    return following[:1] == ["by"] or (following[:1] in (["or"], ["and"]) and following[2:3] == ["by"])


_BE = frozenset("be being".split())
# "agreed on Wednesday to resume talks", "extended Friday": right before a weekday such a verb tells when it was
# done; further off it may be what a later day is about ("agreed to meet on Wednesday"), so it is left out of
# the past verbs that govern from afar.
_DONE_ON_THE_DAY = frozenset("agreed extended suspended reduced increased raised called".split())
_NOT_VERBS = frozenset("the a an its their his her our this that these those all some any both each".split())


# Readings that only mean something together: a weekday in a report of what was done is this week's past
# day; a month read far ahead in a past-tense clause is one already gone.
_PAIRS = (("weekday", "clause_past_verb"), ("month_likely_past", "clause_past_verb"),
          ("month_likely_past", "clause_will"), ("month_likely_past", "clause_infinitive"),
          # "gives ByteDance until January 19 to sell" in May: a time granted runs ahead, however far
          ("month_likely_past", "prep_until"), ("month_likely_past", "prep_by"),
          ("bias_duration", "clause_extend"),
          ("bias_duration", "clause_cancelled"), ("prep_until", "clause_extend"), ("prep_on", "clause_past_verb"),
          # "extended from August 17 to September 5": the date after "from" is the one left behind
          ("prep_from", "moved_from"),
          ("clause_effect", "clause_past_verb"),
          # a date on the publication day is mostly what was said or done that day, unless it is still ahead
          ("ahead_today", "clause_scheduled"), ("ahead_today", "clause_expected"), ("ahead_today", "clause_will"),
          ("ahead_today", "governed_future"), ("ahead_today", "governed_infinitive"),
          # a measure that takes effect on the day of the report has taken effect
          ("ahead_today", "clause_effect"), ("ahead_today", "prep_from"), ("ahead_today", "clause_meeting"),
          ("weekday", "governed_past"), ("weekday", "governed_future"), ("month_likely_past", "governed_past"),
          ("month_likely_past", "governed_future"), ("month_likely_past", "governed_infinitive"),
          ("weekday", "governed_scheduled"), ("ahead_today", "governed_reported"), ("weekday", "governed_reported"),
          # a length counts from a start that may be past ("implemented a 90-day suspension"): its end is not
          ("bias_duration", "governed_past"), ("bias_duration", "governed_infinitive"),
          # "Yellen was scheduled to arrive in China on Thursday": a plan for a day this week, told in the news's
          # past tense, mostly still holds (a plan for a month gone by mostly does not)
          ("past_plan", "weekday"),
          # "a trade deal to be signed on Wednesday", "will issue an order on Thursday": a weekday told of what
          # is still to be done is this week's coming day
          ("weekday", "governed_infinitive"), ("weekday", "clause_will"))


def _together(out: dict[str, float]) -> dict[str, float]:
    return {f"{a}&{b}": 1.0 for a, b in _PAIRS if a in out and b in out}


_NEXT_YEAR_SOON = 183  # days: a month nearer ahead than behind is no past month rolled forward
_DAY_OF_MONTH = re.compile(MONTH_DAY, re.I)
_YEAR_WRITTEN = re.compile(rf"{EXPLICIT_YEAR.pattern}|\b(?:this|next|coming) year\b", re.I)


def _when(candidate: Candidate, published: date) -> dict[str, float]:
    span = candidate.span
    out: dict[str, float] = {}
    ahead = (span.start - published).days
    if span.start <= published < span.end:
        # A window open now ("later this month", "by the end of the year") is judged by where it ends.
        out["open_window"] = 1.0
        ahead = (span.end - published).days
    bucket = next((name for limit, name in _AHEAD_BUCKETS if ahead <= limit), "beyond")
    out[f"ahead_{bucket}"] = 1.0
    if span.start < published:
        out["starts_before_publication"] = 1.0
    body = span.body
    if EXPLICIT_YEAR.search(body):
        out["explicit_year"] = 1.0
    if _RELATIVE.search(body):
        out["relative"] = 1.0
    # A weekday with its date ("on Wednesday, May 14") is as plain as the date; a bare one ("on Thursday") is
    # most often the day something was said or done.
    if WEEKDAY.search(body) and not _DAY_OF_MONTH.search(body):
        out["weekday"] = 1.0
        if not _NEXT.search(body) and ahead > 0:
            # A bare weekday is read ahead; five or six days ahead, it names a day of the past week as well
            # ("on Sunday" in a Monday story), which news tells far more often than the coming one.
            far = _WEEKEND_FAR if _WEEKEND.search(body) else _WEEKDAY_FAR
            out["weekday_far" if ahead >= far else "weekday_near"] = 1.0
    # ("Jan. 1 of each of the next two years": the sentence gives the years.)
    if (_MONTH.search(body) and not _YEAR_WRITTEN.search(body) and ahead > _NEXT_YEAR_SOON
            and not yearly_repeats(candidate.sentence, span)):
        # A month without a year read more than half a year ahead ("early April" in a May story, "December 15"
        # in a February one) is most often a past one; January in a December story is just next month.
        out["month_likely_past"] = 1.0
    return out


# Where the part of a sentence a date belongs to begins: "The EU said talks with China resume in June,
# while Washington and Beijing said their truce takes effect on Wednesday."
_PART_BREAK = re.compile(r";|,? (?:while|whereas|but|and meanwhile)\b|, and\b", re.I)


def _sides(sentence: str, clause: str, start: int) -> dict[str, float]:
    out: dict[str, float] = {}
    us, china = bool(US.search(sentence)), bool(CHINA.search(sentence))
    out["sentence_us_and_china" if us and china else "sentence_one_side" if us or china else "sentence_no_side"] = 1
    part = sentence[max([0, *(m.end() for m in _PART_BREAK.finditer(sentence, 0, start))]) : start]
    if about_other_party(clause):
        out["clause_other_country"] = 1.0
    elif about_other_party(part):
        out["part_other_country"] = 1.0
    elif names_other_party(sentence):
        out["sentence_other_country"] = 1.0
    return out
