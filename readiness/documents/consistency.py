"""Pack consistency: every program term has one value across the rendered documents of a build.

Each term has a *context* (words that must appear in the same sentence or table row, so "30 days'
notice" is not taken for the intake window) and *value* patterns whose first group is the value.
Values are normalised ("two" -> 2, "Every other week" -> "every other week") before comparing.
The check works on the rendered Markdown, so a consultant's template that writes its own number
instead of `terms.<name>` is caught as surely as a bundled one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping

_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
          "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
          "twenty-four": 24, "thirty": 30, "forty-eight": 48, "seventy-two": 72}
NUM = r"(\d+|" + "|".join(sorted((w for w in _WORDS if w not in ("a", "an")), key=len, reverse=True)) + r")"
CADENCE = (r"(weekly|biweekly|fortnightly|every other week|every two weeks|twice a month|monthly|"
           r"every other month|every two months|bimonthly|quarterly|every quarter|yearly|annually)")
_SAME_CADENCE = {"biweekly": "every other week", "fortnightly": "every other week", "every two weeks": "every other week",
                 "every other month": "every two months", "bimonthly": "every two months",
                 "every quarter": "quarterly", "annually": "yearly"}


@dataclass(frozen=True)
class TermPattern:
    term: str
    what: str  # how people name it, for messages
    context: re.Pattern
    values: tuple[re.Pattern, ...]


def _p(term: str, what: str, context: str, *values: str) -> TermPattern:
    return TermPattern(term, what, re.compile(context, re.I), tuple(re.compile(v, re.I) for v in values))


PATTERNS: tuple[TermPattern, ...] = (
    _p("caseload_cap", "caseload cap", r"caseload|case manager",
       NUM + r" participants per (?:full-time )?case manager", r"\bcap(?: of)? " + NUM + r"\b(?! percent)"),
    _p("intake_window_days", "intake window", r"intake",
       r"(?:within|window of|window \(|: )\s*" + NUM + r" (?:calendar )?days?\b"),
    _p("handoff_response_minutes", "hand-off response target", r"hand-off|respond|response|arrive",
       r"(?:within|target(?: is| of)?|target \()\s*" + NUM + r" minutes?\b"),
    _p("owg_cadence", "Operational Work Group meetings", r"OWG|Operational Work Group",
       r"(?:OWG|Operational Work Group)[^.;\n]{0,50}?\b(?:meets|held|meeting) " + CADENCE),
    _p("pcg_cadence", "Policy Coordinating Group meetings", r"PCG|Policy Coordinating Group",
       r"(?:PCG|Policy Coordinating Group)\s*\(?(?:which )?meets " + CADENCE),
    _p("port_followup_hours", "post-overdose follow-up", r"overdose",
       r"(?:follow[- ]up|follows? up|always) within " + NUM + r" hours?\b"),
    _p("crisis_notice_hours", "notice of a serious incident", r"PCG chair|chair of the (?:PCG|Policy Coordinating Group)",
       r"within " + NUM + r" hours?\b"),
    _p("crisis_statement_hours", "joint statement after an incident", r"joint statement",
       r"within " + NUM + r" hours?\b"),
    _p("lived_experience_seats", "lived-experience seats on the PCG", r"lived experience",
       r"\b(\d+|a|one|two|three|four|five) (?:seats?|CLT members|members of the Community Leadership Team|"
       r"representatives?) (?:for|of|with)\b[^.\n]{0,20}?lived experience",
       r"\b" + NUM + r" (?:CLT members|members of the (?:CLT|Community Leadership Team))[^.\n]{0,40}?"
       r"\b(?:sit|serve)s? on the (?:PCG|Policy Coordinating Group)"),
    _p("small_cell_threshold", "small-cell suppression", r"suppress",
       r"(?:below|under|fewer than|less than) " + NUM + r"\b"),
    _p("retention_years", "retention of coordination copies", r"destroy",
       r"no later than " + NUM + r" years?\b"),
    _p("breach_notice_hours", "breach notice", r"unauthori[sz]ed use or disclosure",
       r"within " + NUM + r" hours?\b"),
    _p("remote_followup_hours", "follow-up after a remote hand-off", r"remote hand-off",
       r"(?:within|in the next) " + NUM + r" hours?\b"),
    _p("refresher_months", "officer refresher training", r"refresher",
       r"every " + NUM + r" months\b"),
    _p("eligibility_review_business_days", "eligibility review", r"eligibility",
       r"within " + NUM + r" business days?\b"),
    _p("intake_notice_business_days", "notice that intake is complete", r"intake",
       r"within " + NUM + r" business days?\b"),
)
TERMS_CHECKED = tuple(p.term for p in PATTERNS)

_SENTENCE = re.compile(r"(?<=[.!?;])\s+(?=[A-Z0-9(\[*])|\n")
_EMPHASIS = re.compile(r"\*\*|__|(?<!\w)\*(?!\s)|(?<!\s)\*(?!\w)")
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def _normalise(raw: str):
    text = raw.strip().lower()
    if text.isdigit():
        return int(text)
    if text in _WORDS:
        return _WORDS[text]
    return _SAME_CADENCE.get(text, text)


def _units(markdown: str) -> list[str]:
    """Sentences and table rows: the span a term's context and value must share."""
    text = _EMPHASIS.sub("", _COMMENT.sub("", markdown))
    return [u for u in _SENTENCE.split(text) if u.strip()]


def extract_terms(markdown: str) -> dict[str, list[tuple[object, str]]]:
    """term -> [(value, the sentence it came from)] for one document."""
    found: dict[str, list[tuple[object, str]]] = {}
    for unit in _units(markdown):
        for pattern in PATTERNS:
            if not pattern.context.search(unit):
                continue
            for value_re in pattern.values:
                for m in value_re.finditer(unit):
                    found.setdefault(pattern.term, []).append((_normalise(m.group(1)), unit.strip()))
    return found


@dataclass
class Contradiction:
    term: str
    what: str
    values: dict[object, list[str]] = field(default_factory=dict)  # value -> documents stating it
    examples: dict[object, str] = field(default_factory=dict)  # value -> one sentence stating it

    @property
    def message(self) -> str:
        parts = "; ".join(f"{_show(v)} in {', '.join(docs)}" for v, docs in self.values.items())
        return f"program term '{self.term}' ({self.what}) has {len(self.values)} values: {parts}"


def _show(value) -> str:
    return str(value) if isinstance(value, int) else f"'{value}'"


def check_consistency(documents: Mapping[str, str]) -> list[Contradiction]:
    """documents: id -> rendered Markdown.  One Contradiction per term stated with two or more values."""
    by_term: dict[str, Contradiction] = {}
    what = {p.term: p.what for p in PATTERNS}
    for doc_id, markdown in documents.items():
        for term, hits in extract_terms(markdown).items():
            c = by_term.setdefault(term, Contradiction(term, what[term]))
            for value, sentence in hits:
                docs = c.values.setdefault(value, [])
                if doc_id not in docs:
                    docs.append(doc_id)
                c.examples.setdefault(value, sentence)
    return [c for c in by_term.values() if len(c.values) > 1]


def stated_terms(documents: Mapping[str, str]) -> dict[str, dict[object, list[str]]]:
    """term -> value -> documents, for every term found (tests and the drafting memo's reviewers)."""
    out: dict[str, dict[object, list[str]]] = {}
    for doc_id, markdown in documents.items():
        for term, hits in extract_terms(markdown).items():
            for value, _ in hits:
                docs = out.setdefault(term, {}).setdefault(value, [])
                if doc_id not in docs:
                    docs.append(doc_id)
    return out
