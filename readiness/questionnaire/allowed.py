"""What a question accepts, said for a person (an error's hint, a column of the answer sheet), and the
answer that would score best (for the what-if: which answer would move the launch date most).

Both follow `values.check_value`: what `allowed_values` describes is what it accepts.
"""
from __future__ import annotations

from typing import Any, Optional

from readiness.questionnaire.models import Question


def _num(value: float) -> str:
    return f"{value:g}"


def allowed_values(question: Question, *, with_unknown: bool = True) -> str:
    """One line: the values this question takes, as they may be typed or written in a sheet (with
    "or don't know" where the question allows it, unless `with_unknown` is False)."""
    t = question.type
    if t == "yes_no":
        text = "yes or no"
    elif t == "choice":
        text = "one of: " + "; ".join(c.label for c in question.choices)
    elif t == "multi":
        text = "one or more of (separated by ;): " + "; ".join(c.label for c in question.choices)
    elif t == "scale":
        scale = question.scale
        lo, hi = (scale.min, scale.max) if scale else (1, 5)
        labels = ", ".join(f"{p} = {label}" for p, label in sorted((scale.labels if scale else {}).items()))
        text = f"a whole number from {lo} to {hi}" + (f" ({labels})" if labels else "")
    elif t == "number":
        spec = question.number
        kind = "a whole number" if spec is None or spec.integer else "a number"
        if spec and spec.min is not None and spec.max is not None:
            kind += f" from {_num(spec.min)} to {_num(spec.max)}"
        elif spec and spec.min is not None:
            kind += f" of at least {_num(spec.min)}"
        elif spec and spec.max is not None:
            kind += f" of at most {_num(spec.max)}"
        text = kind + (f" ({spec.unit})" if spec and spec.unit else "")
    elif t == "date":
        text = "a date as YYYY-MM-DD, e.g. 2027-03-01"
    elif t == "text":
        text = "text"
    else:
        fields = ", ".join(f.id + ("" if f.required else " (optional)") for f in question.fields)
        text = f"a list of entries in YAML, e.g. [{{{question.fields[0].id if question.fields else 'name'}: ...}}]" \
               + (f"; fields: {fields}" if fields else "")
    return text + ("; or don't know" if with_unknown and question.allow_unknown else "")


def _band_score(question: Question, value: float) -> float:
    band = next((b for b in (question.number.bands if question.number else []) if b.contains(value)), None)
    return band.score if band else 0.0


def best_value(question: Question) -> Optional[Any]:
    """The answer that scores highest, in the stored form `check_value` returns; None for a question
    that is not scored (text, dates, records) or has nothing to choose from."""
    if not question.is_scorable:
        return None
    t = question.type
    if t == "yes_no":
        return True
    if t == "choice":
        scored = [c for c in question.choices if c.score is not None]
        return max(scored, key=lambda c: c.score or 0.0).value if scored else None
    if t == "multi":
        picked = [c.value for c in question.choices if (c.score or 0) > 0]
        return picked or None
    if t == "scale":
        return question.scale.max if question.scale else 5
    spec = question.number
    if spec is None or not spec.bands:
        return None
    bounds = {p for b in spec.bands for p in (b.min, b.max) if p is not None}
    points = bounds | {p for p in (spec.min, spec.max) if p is not None}
    points |= {p + d for p in list(points) for d in (-1, 1)}
    if spec.integer:
        points = {float(int(p)) for p in points}
    points = {p for p in points if (spec.min is None or p >= spec.min) and (spec.max is None or p <= spec.max)}
    if not points:
        return None
    best = max(points, key=lambda p: (_band_score(question, p), p in bounds, p))  # a band's own edge
    return int(best) if spec.integer else best
