"""The assessment's result types: frozen, plain data that reports and documents read."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

# Named stages on the 0-100 score; (lowest score, name, what it means). Documented in the README.
STAGES: tuple[tuple[float, str, str], ...] = (
    (0, "Exploring", "interest exists; key partners are not yet committed"),
    (30, "Building partnerships", "key partners are at the table; agreements and services are still missing"),
    (50, "Planning", "partners are committed; agreements, staffing and protocols are being put in place"),
    (70, "Ready with conditions", "launch is possible once the listed conditions are met"),
    (85, "Ready to launch", "every launch requirement is met; remaining gaps can be closed after launch"),
)
READY_SCORE = 70.0
PROVISIONAL_BELOW = 0.7  # completeness under the "medium" confidence threshold makes the stage provisional
GATE_CAP_STAGE = "Ready with conditions"  # the highest stage while a launch requirement is unmet


def stage_for(score: Optional[float]) -> str:
    if score is None:
        return "Not assessed"
    name = STAGES[0][1]
    for floor, stage, _ in STAGES:
        if score >= floor:
            name = stage
    return name


def stage_index(name: str) -> int:
    return next((i for i, (_, stage, _) in enumerate(STAGES) if stage == name), -1)


@dataclass(frozen=True)
class RespondentAnswer:
    """One interviewee's answer to a respondent question, as scored."""

    respondent: str
    role: Optional[str]
    value: Any
    display: str
    score: Optional[float]
    note: Optional[str] = None
    evidence: Optional[str] = None
    date: Optional[str] = None  # the respondent's interview date
    status: str = "answered"  # the answer's status (kernel.statuses): answered or unknown


@dataclass(frozen=True)
class QuestionResult:
    """One question's outcome: whether it applies, its status, its answer and its score."""

    id: str
    domain: str
    status: str  # answered | unknown | skipped | not_applicable | unanswered
    applicable: bool
    score: Optional[float]  # 0..1 when scored and answered (unknown scores 0)
    value: Any = None
    display: str = ""
    respondents: tuple[RespondentAnswer, ...] = ()
    note: Optional[str] = None  # site answers: the note, evidence and who/when recorded with the answer
    evidence: Optional[str] = None
    by: Optional[str] = None
    at: Optional[str] = None


@dataclass(frozen=True)
class DomainResult:
    """One domain's weighted score and stage, and how many of its questions are answered."""

    id: str
    title: str
    weight: float
    score: Optional[float]  # 0..100, None when nothing in it applies
    stage: str
    answered: int
    applicable: int
    unknown: int


@dataclass(frozen=True)
class GateResult:
    """A launch requirement and whether the answers meet it."""

    id: str
    title: str
    domain: str
    status: str  # passed | failed | unknown | not_applicable
    why: Optional[str] = None
    answer: str = ""


@dataclass(frozen=True)
class GapItem:
    """A shortfall (or an answer nobody knew) to close, with its action, owner and urgency."""

    question: str
    domain: str
    severity: str
    title: str
    action: str
    owner: str
    phase: str
    weeks: int
    kind: str  # gap (the answer shows a shortfall) | verify (nobody knew)
    blocks_launch: bool
    score: Optional[float]


@dataclass(frozen=True)
class Disagreement:
    """A respondent question on which the interviewees' answers score far apart."""

    question: str
    text: str
    spread: float  # max - min of respondents' scores, 0..1
    answers: tuple[RespondentAnswer, ...]


@dataclass(frozen=True)
class AnswerCounts:
    """How far the answers go; the one definition that `score`, the report and the interview's
    closing screen all use (README, "Counting answers"):
    - applicable: questions that apply now (their condition holds and nobody marked them not
      applicable); respondent questions count once, however many people answered them;
    - answered: applicable questions with an answer (a value; a respondent question once anyone
      gave one);
    - unknown: applicable questions answered "don't know";
    - open: the rest (skipped, or not asked yet)."""

    applicable: int = 0
    answered: int = 0
    unknown: int = 0

    @property
    def open(self) -> int:
        return self.applicable - self.answered - self.unknown

    @property
    def share(self) -> float:
        return self.answered / self.applicable if self.applicable else 0.0

    def tally(self) -> str:
        """E.g. "70 of 125, 12 don't know, 43 still open"."""
        rest = ([f"{self.unknown} don't know"] if self.unknown else []) + ([f"{self.open} still open"] if self.open else [])
        return ", ".join([f"{self.answered} of {self.applicable}"] + rest)

    def sentence(self, what: str = "applicable questions") -> str:
        """E.g. "70 of 125 applicable questions answered (56%); 12 don't know, 43 still open"."""
        text = f"{self.answered} of {self.applicable} {what} answered ({self.share:.0%})"
        rest = self.tally().split(", ", 1)[1:]
        return text + ("; " + rest[0] if rest else "")


@dataclass(frozen=True)
class Assessment:
    """A site's assessment: score, stage, launch requirements, domains, gaps and disagreements."""

    site: str
    state: str
    questionnaire_id: str
    questionnaire_version: str
    score: Optional[float]
    stage: str
    launch_ready: bool
    completeness: float  # answered / applicable, 0..1
    confidence: str  # high | medium | low
    domains: tuple[DomainResult, ...]
    gates: tuple[GateResult, ...]
    gaps: tuple[GapItem, ...]
    disagreements: tuple[Disagreement, ...]
    questions: dict[str, QuestionResult] = field(default_factory=dict)
    respondents: tuple[dict, ...] = ()
    score_answered_only: Optional[float] = None  # the same weighting over answered questions only
    counts: AnswerCounts = AnswerCounts()  # every applicable question; completeness is counts.share
    site_counts: AnswerCounts = AnswerCounts()  # the site questions only (what `interview SITE` asks)

    @property
    def provisional(self) -> bool:
        """Too few questions answered for the stage to be more than a first reading."""
        return self.completeness < PROVISIONAL_BELOW

    @property
    def stage_label(self) -> str:
        """The stage, with a note when it is provisional."""
        if not self.provisional:
            return self.stage
        return f"{self.stage} (provisional: {self.completeness:.0%} of applicable questions answered)"

    @property
    def failed_gates(self) -> tuple[GateResult, ...]:
        return tuple(g for g in self.gates if g.status in ("failed", "unknown"))

    def domain(self, domain_id: str) -> DomainResult:
        return next(d for d in self.domains if d.id == domain_id)
