"""The questionnaire file format, validated at the YAML boundary.

Unknown keys are refused everywhere (the kernel's `Strict` base) so a misspelt key is reported, not
ignored. Models are frozen after loading: the rest of the pipeline only reads them.
"""
from __future__ import annotations

import re
from typing import Literal, Optional

from pydantic import Field, field_validator, model_validator

from readiness.kernel.models import Strict
from readiness.kernel.patterns import FACT_PATTERN, FILE_ID_PATTERN, ID_PATTERN, VERSION_PATTERN

QuestionType = Literal["yes_no", "choice", "multi", "scale", "number", "text", "date", "records"]
SCORABLE_TYPES = {"yes_no", "choice", "multi", "scale", "number"}
Severity = Literal["critical", "high", "medium", "low"]
SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}
Phase = Literal["exploration", "design", "agreements", "hiring_training", "launch", "stabilize"]
PHASES: tuple[str, ...] = ("exploration", "design", "agreements", "hiring_training", "launch", "stabilize")
# Phase ids renamed for US spelling: a questionnaire or standard-tasks file written with the old id still loads.
LEGACY_PHASES = {"stabilise": "stabilize"}


def current_phase(value):
    """A phase id as it is now: an old spelling ("stabilise") becomes its new one ("stabilize")."""
    return LEGACY_PHASES.get(value, value) if isinstance(value, str) else value


class Choice(Strict):
    value: str = Field(pattern=ID_PATTERN, description="Stored value; lower_snake_case.")
    label: str = Field(min_length=1, description="What the interviewer sees.")
    score: Optional[float] = Field(None, ge=0, le=1, description="0..1; omit for unscored questions.")
    help: Optional[str] = None

    @field_validator("label", mode="before")
    @classmethod
    def _coerce_label(cls, v):
        # `label: Yes` is read by YAML as true; show it as the word that was written.
        return ("Yes" if v else "No") if isinstance(v, bool) else v

    @field_validator("value", mode="before")
    @classmethod
    def _coerce_value(cls, v):
        # YAML turns bare yes/no/true into booleans; accept them as the obvious strings.
        if isinstance(v, bool):
            return "yes" if v else "no"
        return v


class Band(Strict):
    """A score band for a number answer: the first band whose bounds contain the value wins."""

    min: Optional[float] = None
    max: Optional[float] = None
    score: float = Field(ge=0, le=1)
    label: Optional[str] = None

    def contains(self, value: float) -> bool:
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)


class NumberSpec(Strict):
    min: Optional[float] = None
    max: Optional[float] = None
    integer: bool = True
    unit: Optional[str] = None
    bands: list[Band] = Field(default_factory=list, description="Score bands, first match wins.")


class ScaleSpec(Strict):
    min: int = 1
    max: int = 5
    labels: dict[int, str] = Field(default_factory=dict, description="Label for some or all points.")

    @model_validator(mode="after")
    def _ordered(self):
        if self.max <= self.min:
            raise ValueError("scale max must be greater than min")
        for point in self.labels:
            if not self.min <= point <= self.max:
                raise ValueError(f"label for {point} is outside the scale {self.min}..{self.max}")
        return self


class Field_(Strict):
    """One field of a `records` question (for example a partner agency's name)."""

    id: str = Field(pattern=ID_PATTERN)
    label: str
    type: Literal["text", "choice", "number", "date", "yes_no"] = "text"
    required: bool = False
    choices: list[Choice] = Field(default_factory=list)
    help: Optional[str] = None


class Gate(Strict):
    """A launch blocker: unless the question scores at least `pass_at`, the site is not launch-ready."""

    title: str
    pass_at: float = Field(1.0, gt=0, le=1)
    why: Optional[str] = None


class GapAnswer(Strict):
    """How one particular answer changes the gap: its own title, action and, if need be, severity."""

    title: Optional[str] = Field(None, min_length=3, description="Short statement of the gap for this answer.")
    action: Optional[str] = Field(None, min_length=10, description="What to do when this answer was given.")
    severity: Optional[Severity] = None
    owner: Optional[str] = Field(None, min_length=2)
    phase: Optional[Phase] = None
    weeks: Optional[int] = Field(None, ge=1, le=104)

    @field_validator("phase", mode="before")
    @classmethod
    def _current_phase(cls, v):
        return current_phase(v)


class Gap(Strict):
    """What to do when a question scores below `below`."""

    title: Optional[str] = Field(None, min_length=3, description=(
        "Short statement of the gap, e.g. 'No signed data-sharing agreement' (not the question text)."))
    severity: Severity = "medium"
    action: str = Field(min_length=10)
    owner: str = Field(min_length=2, description="The role that owns the fix, e.g. District Attorney.")
    phase: Phase = "design"
    below: float = Field(1.0, gt=0, le=1, description="A score under this is a gap.")
    weeks: int = Field(4, ge=1, le=104, description="Rough duration of the fix, for the plan.")
    by_answer: dict[str, GapAnswer] = Field(default_factory=dict, description=(
        "Per-answer title, action, severity, owner, phase or weeks, keyed by a choice value "
        "(or yes / no); keys not given fall back to the gap's own."))

    @field_validator("phase", mode="before")
    @classmethod
    def _current_phase(cls, v):
        return current_phase(v)

    def for_answer(self, value) -> Gap:
        """This rule with the settings of the answer given (a choice value, or True/False for yes/no)."""
        key = ("yes" if value else "no") if isinstance(value, bool) else value
        override = self.by_answer.get(key) if isinstance(key, str) else None
        if override is None:
            return self
        return self.model_copy(update={k: v for k, v in override.model_dump().items() if v is not None})


class Domain(Strict):
    id: str = Field(pattern=ID_PATTERN)
    title: str
    description: Optional[str] = None
    weight: float = Field(1.0, ge=0)
    scored: bool = Field(True, description="False for profile sections that only collect facts.")


class Question(Strict):
    id: str = Field(pattern=ID_PATTERN)
    domain: str
    text: str = Field(min_length=3)
    help: Optional[str] = None
    type: QuestionType
    scope: Literal["site", "respondent"] = "site"
    choices: list[Choice] = Field(default_factory=list)
    number: Optional[NumberSpec] = None
    scale: Optional[ScaleSpec] = None
    fields: list[Field_] = Field(default_factory=list)
    allow_unknown: bool = True
    required: bool = False
    weight: float = Field(1.0, ge=0)
    gate: Optional[Gate] = None
    gap: Optional[Gap] = None
    when: Optional[str] = None
    fact: Optional[str] = Field(None, pattern=FACT_PATTERN)
    basis: Optional[str] = None
    sensitive: bool = False
    placeholder: Optional[str] = Field(None, description="How documents name this fact while unanswered.")
    hint: Optional[str] = Field(None, min_length=3, max_length=120, description=(
        "One short line on the form the answer takes, shown beside the question in the interview and "
        "in the answer sheet's help, e.g. \"The name only; the title is asked next.\""))
    text_by_role: dict[str, str] = Field(default_factory=dict, description=(
        "The question worded for a kind of respondent, keyed by a respondent_roles id; "
        "`text` is used for any other."))
    from_site: Optional[Literal["name", "state"]] = Field(None, description=(
        "The answer is what `lead-readiness new` was given (--name or --state): the interview fills it "
        "in and does not ask it."))
    derive: Optional[str] = Field(None, description=(
        "An expression over earlier answers (like `when`) that gives this answer, e.g. "
        "`funding_sources | length`; when it gives a valid value the interview records it and does not ask."))

    def worded(self, role: Optional[str]) -> str:
        """The text to show a respondent of this kind (a respondent_roles id), else `text`."""
        return self.text_by_role.get(role, self.text) if role else self.text

    @field_validator("text_by_role")
    @classmethod
    def _role_texts(cls, v):
        for key, text in v.items():
            if len(text.strip()) < 3:
                raise ValueError(f"text_by_role.{key} is too short to be a question")
        return v

    @model_validator(mode="after")
    def _type_specific(self):
        t = self.type
        if t in ("choice", "multi") and len(self.choices) < 2:
            raise ValueError(f"a {t} question needs at least two choices")
        if t not in ("choice", "multi") and self.choices:
            raise ValueError(f"'choices' only applies to choice and multi questions, not {t}")
        if t != "number" and self.number is not None:
            raise ValueError("'number' settings only apply to number questions")
        if t != "scale" and self.scale is not None:
            raise ValueError("'scale' settings only apply to scale questions")
        if t == "records" and not self.fields:
            raise ValueError("a records question needs 'fields'")
        if t != "records" and self.fields:
            raise ValueError("'fields' only applies to records questions")
        values = [c.value for c in self.choices]
        dupes = sorted({v for v in values if values.count(v) > 1})
        if dupes:
            raise ValueError(f"duplicate choice values: {', '.join(dupes)}")
        if t in ("choice", "multi") and self.choices:
            scored = [c.score is not None for c in self.choices]
            if any(scored) and not all(scored):
                raise ValueError("either every choice has a score or none does")
        if (self.gate or self.gap) and not self.is_scorable:
            raise ValueError("gates and gaps need a scored question (yes_no, scored choice/multi, scale, or number with bands)")
        if self.gap and self.gap.by_answer:
            allowed = values if t == "choice" else ["yes", "no"] if t == "yes_no" else []
            if not allowed:
                raise ValueError("'gap.by_answer' only applies to choice and yes_no questions")
            for key, override in self.gap.by_answer.items():
                if key not in allowed:
                    raise ValueError(f"gap.by_answer names '{key}', which is not an answer of this question "
                                     f"(answers: {', '.join(allowed)})")
                choice = self.choice(key)
                score = (1.0 if key == "yes" else 0.0) if t == "yes_no" else (choice.score if choice else None)
                severity = override.severity or self.gap.severity
                if self.gate and score is not None and score >= self.gate.pass_at - 1e-9 and severity == "critical":
                    raise ValueError(f"gap.by_answer.{key}: the answer '{key}' meets the launch requirement, "
                                     "so its gap cannot be critical (give it a lower severity)")
        return self

    @property
    def is_scorable(self) -> bool:
        if self.weight == 0 or self.type not in SCORABLE_TYPES:
            return False
        if self.type in ("choice", "multi"):
            return all(c.score is not None for c in self.choices)
        if self.type == "number":
            return bool(self.number and self.number.bands)
        return True

    def choice(self, value: str) -> Optional[Choice]:
        return next((c for c in self.choices if c.value == value), None)

    @property
    def label(self) -> str:
        """A short name for messages and placeholders."""
        if self.placeholder:
            return self.placeholder
        return re.sub(r"\s+", " ", self.text).rstrip("?")


class Migration(Strict):
    """Ids renamed since an earlier version, so old answers carry over."""

    from_version: str
    renamed: dict[str, str] = Field(default_factory=dict)


class QuestionSet(Strict):
    """A named part of the interview, asked with `interview --set ID`, in the order listed."""

    title: str = Field(min_length=3)
    description: Optional[str] = None
    questions: list[str] = Field(min_length=1, description="Site question ids, in the order they are asked.")


class RespondentRole(Strict):
    """A kind of respondent; questions may be worded for it (`text_by_role`)."""

    id: str = Field(pattern=ID_PATTERN)
    label: str = Field(min_length=2)
    matches: list[str] = Field(default_factory=list, description=(
        "Words that, found in a respondent's --role, mean this kind (e.g. chief, sheriff, director)."))


class Questionnaire(Strict):
    id: str = Field(pattern=FILE_ID_PATTERN)
    version: str = Field(pattern=VERSION_PATTERN)
    title: str
    description: Optional[str] = None
    domains: list[Domain] = Field(min_length=1)
    questions: list[Question] = Field(min_length=1)
    migrations: list[Migration] = Field(default_factory=list)
    sets: dict[str, QuestionSet] = Field(default_factory=dict, description=(
        "Named parts of the interview, e.g. first_meeting: the questions for a first meeting."))
    respondent_roles: list[RespondentRole] = Field(default_factory=list, description=(
        "Kinds of respondent that questions can be worded for; the first is the default."))

    @field_validator("version", mode="before")
    @classmethod
    def _version_str(cls, v):
        return str(v) if isinstance(v, (int, float)) else v

    # Convenience look-ups; built lazily since the model is frozen.
    def question(self, qid: str) -> Question:
        return self.by_id[qid]

    @property
    def by_id(self) -> dict[str, Question]:
        cache = self.__dict__.get("_by_id")
        if cache is None:
            cache = {q.id: q for q in self.questions}
            self.__dict__["_by_id"] = cache
        return cache

    @property
    def domains_by_id(self) -> dict[str, Domain]:
        return {d.id: d for d in self.domains}

    def role_for(self, kind: Optional[str], role: Optional[str] = None) -> Optional[str]:
        """The respondent_roles id for an explicit kind, else the one whose `matches` phrase found in
        `role` is longest ("assistant district attorney" over "district attorney"); ties go to the
        role listed first."""
        ids = {r.id for r in self.respondent_roles}
        if kind:
            return kind if kind in ids else None
        said = " " + " ".join(re.findall(r"[a-z]+", (role or "").lower())) + " "
        best: tuple[int, Optional[str]] = (0, None)
        for r in self.respondent_roles:
            for phrase in r.matches:
                words = re.findall(r"[a-z]+", phrase.lower())
                if words and f" {' '.join(words)} " in said and len(words) > best[0]:
                    best = (len(words), r.id)
        return best[1]

    def facts(self) -> dict[str, Question]:
        return {q.fact: q for q in self.questions if q.fact}

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"
