"""The words shown around a question: its help on request and a hint on what to type."""
from __future__ import annotations

from readiness.questionnaire.models import Field_, Question
from readiness.questionnaire.values import display


def _num(x: float) -> str:
    return f"{x:g}"


def type_hint(question: Question) -> str:
    """A short reminder of the expected form, shown beside typed answers: the form ([YYYY-MM-DD],
    a number's range), then the question's own `hint` ("The person's name only; ...")."""
    form = _form_hint(question)
    if question.hint:
        return f"{form} {question.hint}" if form else question.hint
    return form


def _form_hint(question: Question) -> str:
    if question.type == "date":
        return "[YYYY-MM-DD]"
    if question.type == "number":
        spec = question.number
        if spec is None:
            return "[a number]"
        unit = f" {spec.unit}" if spec.unit else ""
        if spec.min is not None and spec.max is not None:
            return f"[{_num(spec.min)}-{_num(spec.max)}{unit}]"
        if spec.min is not None:
            return f"[at least {_num(spec.min)}{unit}]"
        if spec.max is not None:
            return f"[at most {_num(spec.max)}{unit}]"
        return f"[a number{unit}]" if unit else "[a number]"
    return ""


def field_hint(field: Field_) -> str:
    return {"date": "[YYYY-MM-DD]", "number": "[a number]"}.get(field.type, "")


def help_lines(question: Question) -> list[str]:
    """Everything useful to say about a question beyond its text; empty when there is nothing."""
    lines: list[str] = []
    if question.hint:
        lines.append(question.hint)
    if question.help:
        lines.append(" ".join(question.help.split()))
    for c in question.choices:
        if c.help:
            lines.append(f"- {c.label}: {' '.join(c.help.split())}")
    if question.gate:
        why = f" {question.gate.why}" if question.gate.why else ""
        lines.append(f"This is a launch requirement ({question.gate.title}): the site is not launch-ready "
                     f"until it is fully met.{why}")
    if question.type == "number" and question.number:
        spec = question.number
        kind = "a whole number" if spec.integer else "a number"
        if spec.min is not None and spec.max is not None:
            kind += f" from {_num(spec.min)} to {_num(spec.max)}"
        elif spec.min is not None:
            kind += f" of at least {_num(spec.min)}"
        elif spec.max is not None:
            kind += f" of at most {_num(spec.max)}"
        lines.append(f"Answer with {kind}" + (f" ({spec.unit})." if spec.unit else "."))
    if question.type == "date":
        lines.append("Answer with a date written as YYYY-MM-DD, for example 2027-03-01.")
    if question.type == "records":
        names = ", ".join(f.label + ("" if f.required else " (optional)") for f in question.fields)
        lines.append(f"Add one entry at a time; each has: {names}.")
    if question.scope == "respondent":
        lines.append("Each person interviewed answers this for themselves; differences are flagged for discussion.")
    return lines


def entry_text(question: Question, entry: dict) -> str:
    """One records entry as a person reads it: choice labels, Yes/No, in field order."""
    parts = []
    for field in question.fields:
        if field.id not in entry:
            continue
        value = entry[field.id]
        if field.type == "yes_no":
            value = f"{field.label}: {'yes' if value else 'no'}"
        elif field.type == "choice":
            value = next((c.label for c in field.choices if c.value == value), value)
        parts.append(str(value))
    return ", ".join(parts)


def show_value(question: Question, value) -> str:
    """An answer as a person reads it; records list each entry with its choice labels."""
    if question.type == "records" and isinstance(value, list):
        return "; ".join(entry_text(question, e) for e in value) or "None"
    return display(question, value)
