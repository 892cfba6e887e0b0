"""A render-time check of the drafted text: the sentence faults that answers pasted into templates
produce and a reviewer notices at once.

`check_markdown(markdown, document, answers)` returns one `Finding` per fault with the document and
the line (1-based, in the Markdown file). `build` prints them as warnings and never fails on them;
the tests fail when an example build has any. Rules (`RULES`):

- double_punctuation: "9 a.m..", ",,", ". ." (an ellipsis "..." is fine);
- lowercase_clause: a numbered clause or heading whose text starts in lower case ("2.3 the PCG");
- nested_parentheses: "(Harbor County PORT (Harbor County EMS ...))" (a subsection reference such
  as "3(b)" and a Markdown link target are not parentheses);
- repeated_word: "the the";
- label_yes_no: a sentence that is only a label and yes or no ("Community Leadership Team: no.");
- title_repeats_county: a title naming the county twice ("...: Harbor County LEAD, Harbor County");
- capitalized_answer: an answer written as a sentence fragment ("Password-protected spreadsheet")
  pasted after a lower-case word ("recorded in Password-protected spreadsheet").

Pure text in, findings out: no file, no template, no answer store.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

RULES = {
    "double_punctuation": "double punctuation",
    "lowercase_clause": "clause starts in lower case",
    "nested_parentheses": "parentheses inside parentheses",
    "repeated_word": "repeated word",
    "label_yes_no": "a label and yes/no is not a sentence",
    "title_repeats_county": "title names the county twice",
    "capitalized_answer": "answer pasted mid-sentence with a capital",
}


@dataclass(frozen=True)
class Finding:
    document: str
    line: int
    rule: str
    excerpt: str

    def message(self) -> str:
        return f"{self.document}, line {self.line}: {RULES[self.rule]}: \"{self.excerpt}\""


_DOUBLE = re.compile(r"(?<![.])\.\.(?![.])|[,;:]\s*[,;.]|\.\s+[.,;]|[?!]\.|,\s*,")
_HEADING_CLAUSE = re.compile(r"^#{1,6}\s+\d+(?:\.\d+)*\.?\s+([a-z])")
_NUMBERED = re.compile(r"^\d+\.\d+(?:\.\d+)*\.?\s+(?:\*\*)?([a-z])")
_LINK_TARGET = re.compile(r"\]\([^)\s]*\)")
_SUBSECTION = re.compile(r"(?<=[\w\])])\([A-Za-z0-9]{1,4}\)")
_REPEATED = re.compile(r"\b([A-Za-z]+)\s+\1\b", re.IGNORECASE)
_LABEL_YES_NO = re.compile(r"(?:^|(?<=[.!?]\s))(?:[-*+]\s+|\d+\.\s+)?(?:\*\*)?([A-Z][^.:!?|]{0,80}?):?(?:\*\*)?:\s+(?:\*\*)?"
                           r"(yes|no|Yes|No|YES|NO)(?:\*\*)?(?:[.!;]|\s*$)")
_COUNTY = re.compile(r"\b((?:[A-Z][\w'’.-]*\s+){0,3}?[A-Z][\w'’.-]*)\s+(?:County|Parish|Borough)\b")
_EMPHASIS = re.compile(r"\*\*|__|`")
_PLACEHOLDER = re.compile(r"\[TO CONFIRM:[^\]]*\]")
_HYPHEN_CAPITAL = re.compile(r"(?<=[a-z,] )([A-Z][a-z]+-[a-z]+)(?= [a-z])")


def _plain(line: str) -> str:
    return _EMPHASIS.sub("", line)


def _is_table(line: str) -> bool:
    return line.lstrip().startswith("|")


def _excerpt(line: str, start: int, end: int, pad: int = 30) -> str:
    a, b = max(0, start - pad), min(len(line), end + pad)
    return ("..." if a else "") + line[a:b].strip() + ("..." if b < len(line) else "")


def sentence_answers(values: Iterable[object]) -> list[str]:
    """The answers that read as a sentence fragment rather than a name: a capital, then only lower-case
    words, at least two words ("Password-protected spreadsheet", not "Harbor Recovery Services")."""
    out = []
    for value in values:
        if not isinstance(value, str):
            continue
        text = " ".join(value.split())
        words = text.split(" ")
        if len(words) < 2 or not re.match(r"[A-Z][a-z]", words[0]):
            continue
        if all(not re.match(r"[A-Z]", w) for w in words[1:3]):
            out.append(text)
    return out


def _check_line(line: str, number: int, document: str, answers: list[str], first_title: bool) -> list[Finding]:
    found: list[Finding] = []

    def add(rule: str, m_start: int, m_end: int, source: str) -> None:
        found.append(Finding(document, number, rule, _excerpt(source, m_start, m_end)))

    text = _PLACEHOLDER.sub("[TO CONFIRM]", line)
    plain = _plain(text)
    body = plain.lstrip("> ").rstrip()
    for m in _DOUBLE.finditer(body):
        add("double_punctuation", m.start(), m.end(), body)
    clause = _HEADING_CLAUSE.match(body) or _NUMBERED.match(body)
    if clause:
        add("lowercase_clause", 0, clause.end(), body)
    scan = _SUBSECTION.sub("", _LINK_TARGET.sub("]", body))
    depth = 0
    for i, ch in enumerate(scan):
        if ch == "(":
            depth += 1
            if depth == 2:
                add("nested_parentheses", i, i + 1, scan)
        elif ch == ")":
            depth = max(0, depth - 1)
    if not _is_table(body):
        for m in _REPEATED.finditer(body):
            add("repeated_word", m.start(), m.end(), body)
        for m in _LABEL_YES_NO.finditer(body):
            add("label_yes_no", m.start(), m.end(), body)
    if first_title:
        counties = _COUNTY.findall(body)
        for stem in dict.fromkeys(counties):
            if len(re.findall(r"\b" + re.escape(stem) + r"\b", body)) > 1:
                add("title_repeats_county", 0, len(body), body)
                break
    for answer in answers:
        start = 0
        while (at := body.find(answer, start)) >= 0:
            start = at + 1
            if re.search(r"[a-z],?$", body[:at].rstrip(" *_\"“")):  # after a lower-case word: mid-sentence
                add("capitalized_answer", at, at + len(answer), body)
    if not _is_table(body):  # a table cell may list labels as they are
        for m in _HYPHEN_CAPITAL.finditer(body):
            if not any(m.group(1) in a for a in answers):
                add("capitalized_answer", m.start(), m.end(), body)
    return found


def check_markdown(markdown: str, document: str, answers: Iterable[object] = ()) -> list[Finding]:
    """Every finding in one document's Markdown; `answers` are the site's answer values (only the ones
    that read as sentence fragments are looked for, see `sentence_answers`)."""
    fragments = sentence_answers(answers)
    findings: list[Finding] = []
    title_seen = False
    fenced = False
    for number, line in enumerate(markdown.splitlines(), start=1):
        if line.startswith("```"):
            fenced = not fenced
            continue
        if fenced or not line.strip():
            continue
        first_title = not title_seen and line.startswith("# ")
        title_seen = title_seen or first_title
        findings.extend(_check_line(line, number, document, fragments, first_title))
    return findings
