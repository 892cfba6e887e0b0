"""Program terms: each number, cadence and threshold that several documents state, defined once.

A term a question answers (the caseload cap, the intake window ...) takes the site's answer; while
that question is unanswered it takes the pack's proposed default from `program-terms.yaml`, or, with
no default, stays an open item (the question's `[TO CONFIRM: ...]`).  Every other term comes from
`program-terms.yaml` alone.  A consultant folder's `program-terms.yaml` overrides the bundled one
key by key, as its templates override the bundled templates.

Templates see them as `terms.<name>`: `{{ terms.caseload_cap }}` is the bare value (as a fact
renders), `{{ terms.crisis_notice_hours.text }}` the value with its unit ("2 hours"), and
`terms.<name>.source` says where it came from: "answer", "default" or "open".
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Sequence

from pydantic import Field

from readiness.errors import Collected
from readiness.files import Located, read_yaml
from readiness.kernel.load import load_model
from readiness.kernel.models import StrictVerbatim
from readiness.documents.facts import Fact, Namespace, number_text

TERMS_FILE = "program-terms.yaml"


@dataclass(frozen=True)
class TermSpec:
    question: Optional[str]  # the question that answers it, if any
    unit: str  # "" for cadences
    label: str  # what it is, for placeholders and the drafting memo


TERMS: dict[str, TermSpec] = {
    "caseload_cap": TermSpec("caseload_cap", "participant", "caseload cap per full-time case manager"),
    "intake_window_days": TermSpec("intake_window_days", "day", "intake window after an arrest diversion"),
    "handoff_response_minutes": TermSpec("handoff_response_minutes", "minute", "hand-off response-time target"),
    "owg_cadence": TermSpec("owg_cadence", "", "Operational Work Group meeting frequency"),
    "pcg_cadence": TermSpec("pcg_cadence", "", "Policy Coordinating Group meeting frequency"),
    "port_followup_hours": TermSpec("port_followup_hours", "hour",
                                    "latest first follow-up attempt after a non-fatal overdose"),
    "crisis_notice_hours": TermSpec(None, "hour", "notice of a serious incident to the project manager and PCG chair"),
    "crisis_statement_hours": TermSpec(None, "hour", "time for the agency heads to agree a joint statement"),
    "lived_experience_seats": TermSpec(None, "seat", "PCG seats for people with lived experience"),
    "small_cell_threshold": TermSpec(None, "", "smallest count shown in a report (smaller counts are suppressed)"),
    "retention_years": TermSpec(None, "year", "retention of coordination copies after a participant's last contact"),
    "breach_notice_hours": TermSpec(None, "hour", "notice of an unauthorized use or disclosure of Program data"),
    "remote_followup_hours": TermSpec(None, "hour", "case manager's follow-up after a remote hand-off"),
    "capacity_warning_percent": TermSpec(None, "percent", "share of the caseload cap at which the provider warns the OWG"),
    "refresher_months": TermSpec(None, "month", "interval between officers' refresher trainings"),
    "eligibility_review_business_days": TermSpec(None, "business day",
                                                 "liaison prosecutor's eligibility review of a diversion"),
    "intake_notice_business_days": TermSpec(None, "business day",
                                            "case manager's notice to the liaison prosecutor that intake is complete"),
    "inactive_after_days": TermSpec(None, "day", "days without contact before a participant may be recorded inactive"),
    "training_core_minutes": TermSpec(None, "minute", "length of the officers' core training, without breaks"),
}


def _count(description: str) -> Any:
    return Field(None, ge=0, le=100000, description=description)


class ProgramTermsFile(StrictVerbatim):
    """`program-terms.yaml`: every key optional, so a consultant file may override only some."""

    caseload_cap: Optional[int] = _count("Proposed default while caseload_cap is unanswered.")
    intake_window_days: Optional[int] = _count("Proposed default while intake_window_days is unanswered.")
    handoff_response_minutes: Optional[int] = _count("Proposed default while handoff_response_minutes is unanswered.")
    owg_cadence: Optional[str] = Field(None, description="Proposed default (a choice value, e.g. weekly).")
    pcg_cadence: Optional[str] = Field(None, description="Proposed default (a choice value, e.g. monthly).")
    port_followup_hours: Optional[int] = _count("Proposed default while port_followup_hours is unanswered.")
    crisis_notice_hours: Optional[int] = _count(TERMS["crisis_notice_hours"].label)
    crisis_statement_hours: Optional[int] = _count(TERMS["crisis_statement_hours"].label)
    lived_experience_seats: Optional[int] = _count(TERMS["lived_experience_seats"].label)
    small_cell_threshold: Optional[int] = _count(TERMS["small_cell_threshold"].label)
    retention_years: Optional[int] = _count(TERMS["retention_years"].label)
    breach_notice_hours: Optional[int] = _count(TERMS["breach_notice_hours"].label)
    remote_followup_hours: Optional[int] = _count(TERMS["remote_followup_hours"].label)
    capacity_warning_percent: Optional[int] = Field(None, ge=1, le=100,
                                                    description=TERMS["capacity_warning_percent"].label)
    refresher_months: Optional[int] = _count(TERMS["refresher_months"].label)
    eligibility_review_business_days: Optional[int] = _count(TERMS["eligibility_review_business_days"].label)
    intake_notice_business_days: Optional[int] = _count(TERMS["intake_notice_business_days"].label)
    inactive_after_days: Optional[int] = _count(TERMS["inactive_after_days"].label)
    training_core_minutes: Optional[int] = _count(TERMS["training_core_minutes"].label)


assert set(ProgramTermsFile.model_fields) == set(TERMS), "every term has a key in program-terms.yaml"


@dataclass(frozen=True)
class TermDefaults:
    values: dict[str, Any]  # term -> default, only the terms some file sets
    origin: dict[str, tuple[Path, Optional[int]]]  # term -> the file and line that set it


def parse_terms_file(located: Located) -> ProgramTermsFile:
    if located.data is None:
        return ProgramTermsFile()
    return load_model(ProgramTermsFile, located, fields_for=lambda loc: list(ProgramTermsFile.model_fields),
                      not_a_mapping="a program terms file must be a mapping of term names to values",
                      hint=f"fix {TERMS_FILE}; the bundled templates/{TERMS_FILE} lists every term")


def load_term_defaults(folders: Sequence[Path]) -> TermDefaults:
    """Merge the `program-terms.yaml` of each folder (precedence order, first wins), key by key."""
    values: dict[str, Any] = {}
    origin: dict[str, tuple[Path, Optional[int]]] = {}
    for folder in reversed([Path(f) for f in folders]):
        path = folder / TERMS_FILE
        if not path.is_file():
            continue
        located = read_yaml(path, "program terms file")
        parsed = parse_terms_file(located)
        for key in parsed.model_fields_set:
            value = getattr(parsed, key)
            if value is None:
                values.pop(key, None)  # an explicit null withdraws a lower layer's default
                origin.pop(key, None)
            else:
                values[key] = value
                origin[key] = (path, located.line_of((key,)))
    return TermDefaults(values, origin)


def check_defaults(defaults: TermDefaults, questions: Mapping[str, Any]) -> Collected:
    """A cadence default must be one of its question's choices."""
    problems = Collected()
    for name, value in defaults.values.items():
        spec = TERMS[name]
        question = questions.get(spec.question) if spec.question else None
        if question is not None and question.type == "choice":
            choices = [c.value for c in question.choices]
            if value not in choices:
                path, line = defaults.origin[name]
                problems.add(f"'{name}: {value}' is not one of the choices of question '{question.id}'",
                             file=path, line=line, where=name, hint="choices: " + ", ".join(choices))
    return problems


def _plural(unit: str, value: Any) -> str:
    if not unit:
        return ""
    return " " + (unit if value == 1 or unit == "percent" else unit + "s")


class Term(Fact):
    """A Fact (so `is answered`, comparisons and `T.days()` work) that also knows its source."""

    __slots__ = ("_source", "_unit", "_name")

    def __init__(self, name: str, question: str, kind: str, value: Any, source: str, placeholder_text: str,
                 labels: dict[str, str] | None = None):
        super().__init__(f"terms.{name}", question, kind, value,
                         "answered" if source != "open" else "unanswered", placeholder_text, labels)
        self._source, self._unit, self._name = source, TERMS[name].unit, name

    source = property(lambda self: self._source)
    is_default = property(lambda self: self._source == "default")
    unit = property(lambda self: self._unit)
    name = property(lambda self: self._name)
    description = property(lambda self: TERMS[self._name].label)

    @property
    def text(self) -> str:
        """The value with its unit ("2 hours", "30 days"), a cadence in lower case, or the placeholder."""
        if not self.answered:
            return self.placeholder
        if self._kind == "choice":
            return str(self).lower()
        return number_text(self._value) + _plural(self._unit, self._value)

    def __repr__(self) -> str:
        return f"<term {self._name}={self._value!r} ({self._source})>"


TERM_ATTRIBUTES = ("source", "is_default", "unit", "name", "text", "description")


def build_terms(defaults: TermDefaults, answer_of: Callable[[str], Optional[tuple[Any, str, Any]]]) -> Namespace:
    """`answer_of(question_id)` -> (question, status, value), or None when the questionnaire lacks it."""
    out: dict[str, Term] = {}
    for name, spec in TERMS.items():
        found = answer_of(spec.question) if spec.question else None
        default = defaults.values.get(name)
        if found is not None:
            question, status, value = found
            labels = {c.value: c.label for c in question.choices}
            kind, question_id, placeholder_text = question.type, question.id, question.label
            if status == "answered" and value is not None:
                out[name] = Term(name, question_id, kind, value, "answer", placeholder_text, labels)
                continue
        else:
            kind = "choice" if not spec.unit and name.endswith("cadence") else "number"
            labels, question_id, placeholder_text = {}, None, spec.label
        if default is not None:
            out[name] = Term(name, question_id, kind, default, "default", placeholder_text, labels)
        else:
            out[name] = Term(name, question_id, kind, None, "open", placeholder_text, labels)
    return Namespace("terms", out)
