"""Checking and converting answer values against their question.

One function, `check_value`, decides what a valid answer is, whether it arrives as a YAML value
from an answers file, as text typed on the command line, or from an interview prompt.
"""
from __future__ import annotations

import datetime as _dt
import re
from typing import Any

from readiness.questionnaire.models import Field_, Question

TRUE_WORDS = {"yes", "y", "true", "1"}
FALSE_WORDS = {"no", "n", "false", "0"}


_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")


class ValueProblem(ValueError):
    """The value does not fit the question; the message says what would."""


def _choice_hint(choices) -> str:
    return ", ".join(c.value for c in choices)


def _yes_no(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in TRUE_WORDS | FALSE_WORDS:
        return raw.strip().lower() in TRUE_WORDS
    raise ValueProblem("expected yes or no")


def _number(raw: Any, spec) -> float | int:
    if isinstance(raw, bool):
        raise ValueProblem("expected a number")
    if isinstance(raw, str):
        text = raw.strip()
        if "," in text:
            if not _GROUPED.fullmatch(text):  # `1,5` is not 15: say how to write it instead of guessing
                raise ValueProblem(f"expected a number, got '{text}': write decimals with a point (1.5) "
                                   "and commas only between thousands (1,500)")
            text = text.replace(",", "")
        try:
            raw = float(text)
        except ValueError:
            raise ValueProblem(f"expected a number, got '{raw.strip()}'") from None
    if not isinstance(raw, (int, float)) or raw != raw or raw in (float("inf"), float("-inf")):
        raise ValueProblem("expected a number")
    integer = spec.integer if spec else False
    if integer:
        if float(raw) != int(raw):
            raise ValueProblem(f"expected a whole number, got {raw}")
        raw = int(raw)
    if spec and spec.min is not None and raw < spec.min:
        raise ValueProblem(f"{raw} is below the minimum of {spec.min:g}")
    if spec and spec.max is not None and raw > spec.max:
        raise ValueProblem(f"{raw} is above the maximum of {spec.max:g}")
    return raw


def _date(raw: Any) -> str:
    if isinstance(raw, (_dt.date, _dt.datetime)):
        return raw.isoformat()[:10]
    if isinstance(raw, str):
        text = raw.strip()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            try:
                return _dt.date.fromisoformat(text).isoformat()
            except ValueError:
                pass
    raise ValueProblem("expected a date as YYYY-MM-DD, for example 2027-03-01")


def _choice(raw: Any, choices) -> str:
    if isinstance(raw, bool):
        raw = "yes" if raw else "no"
    text = str(raw).strip() if raw is not None else ""
    for c in choices:
        if text == c.value or text.lower() == c.label.lower():
            return c.value
    raise ValueProblem(f"'{text}' is not one of the choices: {_choice_hint(choices)}")


# The longest text answer and the most entries a records answer may hold. A long answer is a page or
# two (~5,000 characters); past these, drafts would be refused by the template sandbox's size limits
# (readiness/sandbox.py MAX_SIZE) and the message would blame a bundled template, not the answer.
MAX_TEXT_CHARS = 20_000
MAX_RECORDS = 500


def _text(raw: Any) -> str:
    if isinstance(raw, (dict, list)):
        raise ValueProblem("expected text")
    if raw is None:
        raise ValueProblem("expected text")
    text = str(raw).strip()
    if not text:
        raise ValueProblem("the answer is empty")
    if len(text) > MAX_TEXT_CHARS:
        raise ValueProblem(f"the answer is too long ({len(text):,} characters; the limit is {MAX_TEXT_CHARS:,}): "
                           "keep the details in a separate document and refer to it")
    return text


def _field(field: Field_, raw: Any) -> Any:
    kind = field.type
    if kind == "text":
        return _text(raw)
    if kind == "number":
        return _number(raw, None)
    if kind == "date":
        return _date(raw)
    if kind == "yes_no":
        return _yes_no(raw)
    return _choice(raw, field.choices)


def _records(question: Question, raw: Any) -> list[dict]:
    if not isinstance(raw, list):
        raise ValueProblem("expected a list of entries")
    if len(raw) > MAX_RECORDS:
        raise ValueProblem(f"too many entries ({len(raw):,}; the limit is {MAX_RECORDS:,})")
    known = {f.id: f for f in question.fields}
    out = []
    for n, entry in enumerate(raw, 1):
        if not isinstance(entry, dict):
            raise ValueProblem(f"entry {n} should be a mapping of {', '.join(known)}")
        unknown = [k for k in entry if k not in known]
        if unknown:
            raise ValueProblem(f"entry {n} has unknown field '{unknown[0]}' (fields: {', '.join(known)})")
        clean = {}
        for fid, field in known.items():
            value = entry.get(fid)
            if value is None or value == "":
                if field.required:
                    raise ValueProblem(f"entry {n} is missing '{field.label}'")
                continue
            try:
                clean[fid] = _field(field, value)
            except ValueProblem as exc:
                raise ValueProblem(f"entry {n}, {field.label}: {exc}") from None
        out.append(clean)
    return out


def check_value(question: Question, raw: Any) -> Any:
    """The stored form of `raw` for `question`; raises ValueProblem saying what would fit."""
    t = question.type
    if t == "yes_no":
        return _yes_no(raw)
    if t == "choice":
        return _choice(raw, question.choices)
    if t == "multi":
        items = raw
        if isinstance(raw, str):
            items = [part for part in re.split(r"[,;]", raw) if part.strip()]
        if not isinstance(items, list):
            raise ValueProblem(f"expected a list of choices from: {_choice_hint(question.choices)}")
        values = [_choice(item, question.choices) for item in items]
        return [c.value for c in question.choices if c.value in values]  # questionnaire order, no repeats
    if t == "scale":
        spec = question.scale
        lo, hi = (spec.min, spec.max) if spec else (1, 5)
        try:
            value = _number(raw, None)
        except ValueProblem:
            raise ValueProblem(f"expected a whole number from {lo} to {hi}") from None
        if value != int(value) or not lo <= value <= hi:
            raise ValueProblem(f"expected a whole number from {lo} to {hi}, got {value}")
        return int(value)
    if t == "number":
        return _number(raw, question.number)
    if t == "date":
        return _date(raw)
    if t == "text":
        return _text(raw)
    return _records(question, raw)


MAX_NESTING = 20  # a records value is a list of mappings: two levels


def _nesting(text: str) -> int:
    """How deeply brackets nest in YAML flow text (quoted text aside, roughly: enough to refuse a bomb)."""
    depth = deepest = 0
    quote = ""
    for ch in text:
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def parse_cli_value(question: Question, text: str) -> Any:
    """Command-line text to a value; records accept YAML/JSON such as '[{name: A}]'."""
    if question.type == "records":
        from pathlib import Path

        from readiness.errors import FileProblems
        from readiness.files import parse_yaml

        if _nesting(text) > MAX_NESTING:  # PyYAML recurses per level: thousands end in a RecursionError
            raise ValueProblem(f"the value is nested too deeply (more than {MAX_NESTING} levels of brackets); "
                               "expected a list of entries, e.g. '[{name: Example}]'")
        # The same strict reading as answers.yaml: values as typed, no tags (`!!binary`), no alias bombs.
        try:
            raw = parse_yaml(text, Path("VALUE"), "the value", allow_empty=True, as_text=True).data
        except RecursionError:  # nesting by indentation or dashes (`- - - - x`) rather than brackets
            raise ValueProblem("the value is nested too deeply; expected a list of entries, "
                               "e.g. '[{name: Example}]'") from None
        except FileProblems as exc:
            raise ValueProblem(f"{exc.problems[0].message}; expected a list of entries in YAML or JSON, "
                               "e.g. '[{name: Example}]'") from None
        return check_value(question, raw)
    return check_value(question, text)


def display(question: Question, value: Any) -> str:
    """A person-readable rendering of a stored value."""
    if value is None:
        return ""
    t = question.type
    if t == "yes_no":
        return "Yes" if value else "No"
    if t == "choice":
        c = question.choice(value)
        return c.label if c else str(value)
    if t == "multi":
        return "; ".join((c.label if (c := question.choice(v)) else str(v)) for v in value) or "None"
    if t == "scale" and question.scale and value in question.scale.labels:
        return f"{value} - {question.scale.labels[value]}"
    if t == "number" and question.number and question.number.unit:
        return f"{value:g} {question.number.unit}" if isinstance(value, float) else f"{value} {question.number.unit}"
    if t == "records":
        return "; ".join(", ".join(str(v) for v in entry.values()) for entry in value) or "None"
    return str(value)
