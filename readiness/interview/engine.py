"""The interview's logic without a terminal: what to ask next, progress, going back, resuming.

The engine walks one sitting's questions (site questions, or one respondent's) in questionnaire
order, asks each through an `Asker`, and saves every answer the moment it is given, so a killed
process loses at most the answer being typed.  Conditions are re-evaluated before every step:
a question that starts to apply is asked, and answers to questions that stop applying are kept
on disk and shown in the review as "kept but no longer applies".

Nothing is asked twice: a question whose answer is what `new` was given (`from_site`) or follows
from earlier answers (`derive`) is filled in and recorded, not asked.  A sitting may be one named
part of the questionnaire (`sets`, e.g. the first meeting), asked in the set's order; a full
interview later asks only what that part left open.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Protocol, Union

from readiness.assessment.model import AnswerCounts
from readiness.interview.helptext import show_value
from readiness.kernel.statuses import DONT_KNOW
from readiness.questionnaire.conditions import applicable_ids, condition_values, derive_value, names_in
from readiness.questionnaire.models import Question
from readiness.questionnaire.values import ValueProblem, check_value
from readiness.workspace.models import Answer
from readiness.workspace.store import Respondent, Site, save_answer

DONE_STATUSES = ("answered", "unknown", "not_applicable")
FILLED_BY = "lead-readiness"  # `by` of an answer the interview filled in itself (from_site, derive)


# ---------------------------------------------------------------- what an Asker sees and replies


@dataclass(frozen=True)
class Progress:
    """Where the sitting stands, shown with every question."""

    domain: str  # the domain's title
    domain_position: int
    domain_total: int
    position: int  # this question's place among the sitting's applicable questions
    total: int
    done: int
    text: Optional[str] = None  # the question as worded for this respondent (text_by_role)

    def line(self) -> str:
        return f"{self.domain} {self.domain_position}/{self.domain_total} - {self.done}/{self.total} answered"


@dataclass(frozen=True)
class Reply:
    """An answer: a value (status answered) or "don't know" (status unknown), perhaps with a note."""

    answer: Answer


@dataclass(frozen=True)
class Back:
    pass


@dataclass(frozen=True)
class Skip:
    pass


@dataclass(frozen=True)
class Quit:
    pass


@dataclass(frozen=True)
class ToReview:
    pass


@dataclass(frozen=True)
class Change:
    """From the review: ask this question again."""

    qid: str


@dataclass(frozen=True)
class Continue:
    """From the review: carry on with the questions not answered yet."""


@dataclass(frozen=True)
class Finish:
    pass


AskResult = Union[Reply, Back, Skip, Quit, ToReview]
ReviewResult = Union[Change, Continue, Finish, Quit]


@dataclass(frozen=True)
class ReviewRow:
    qid: str
    domain: str  # title
    text: str
    shown: str  # the answer as a person reads it, or a word for its state
    state: str  # answered | unknown | skipped | not_applicable | unanswered | kept


class Asker(Protocol):
    def ask(self, question: Question, current: Optional[Answer], progress: Progress) -> AskResult: ...

    def review(self, rows: list[ReviewRow], remaining: int) -> ReviewResult: ...

    def tell(self, message: str) -> None: ...


@dataclass
class Outcome:
    finished: bool  # False when the person chose to save and quit
    saved: int  # questions given an answer (a value, don't know, not applicable) in this sitting


# ---------------------------------------------------------------- the engine


@dataclass
class Interview:
    """One sitting: the site's questions, or one respondent's, optionally one domain only."""

    site: Site
    respondent: Optional[Respondent] = None
    domain: Optional[str] = None
    part: Optional[str] = None  # a questionnaire set's id, e.g. first_meeting
    role_kind: Optional[str] = None  # a respondent_roles id: the wording of the questions
    history: list[str] = field(default_factory=list)
    skipped_now: set[str] = field(default_factory=set)
    answered_now: set[str] = field(default_factory=set)
    filled: list[tuple[str, str]] = field(default_factory=list)  # (question id, why) filled in, not asked

    def __post_init__(self) -> None:
        q = self.site.questionnaire
        scope = "respondent" if self.respondent is not None else "site"
        if self.part is not None:
            self.scope_questions = [q.by_id[x] for x in q.sets[self.part].questions if q.by_id[x].scope == scope]
        else:
            self.scope_questions = [x for x in q.questions if x.scope == scope]
        self.questions = [x for x in self.scope_questions if self.domain is None or x.domain == self.domain]
        self._order = {x.id: i for i, x in enumerate(self.scope_questions)}
        self._titles = {d.id: d.title for d in q.domains}
        self._own = [x for x in q.questions if x.scope == "site" and (x.from_site or x.derive)] if scope == "site" else []
        # the answers a derive reads: changing one of them fills in again (the loader checked the names)
        self._feeds = {name for x in self._own if x.derive for name in names_in(x.derive)}

    @property
    def saved(self) -> int:
        return len(self.answered_now)

    def worded(self, question: Question) -> str:
        return question.worded(self.role_kind)

    # ------------------------------------------------------------ state

    @property
    def answers(self) -> dict[str, Answer]:
        return self.respondent.answers if self.respondent is not None else self.site.answers

    def live_ids(self) -> set[str]:
        """Ids of questions that apply now, given every answer so far."""
        q = self.site.questionnaire
        if self.respondent is not None:
            values = condition_values(q, self.site.answers, [self.respondent])
            merged = {**self.site.answers, **self.respondent.answers}
        else:
            values = condition_values(q, self.site.answers, list(self.site.respondents.values()))
            merged = self.site.answers
        return applicable_ids(q, values, merged)

    def applicable(self, live: Optional[set[str]] = None, *, everything: bool = True) -> list[Question]:
        """The sitting's applicable questions in order; `everything=False` limits to --domain."""
        live = self.live_ids() if live is None else live
        pool = self.scope_questions if everything else self.questions
        return [q for q in pool if q.id in live]

    def is_done(self, qid: str) -> bool:
        answer = self.answers.get(qid)
        return answer is not None and answer.status in DONE_STATUSES

    def progress(self, qid: str) -> Progress:
        live = self.live_ids()
        questions = self.applicable(live)
        ids = [q.id for q in questions]
        question = self.site.questionnaire.by_id[qid]
        same = [q.id for q in questions if q.domain == question.domain]
        position = ids.index(qid) + 1 if qid in ids else len(ids)
        domain_position = same.index(qid) + 1 if qid in same else len(same)
        return Progress(self._titles.get(question.domain, question.domain), domain_position, len(same),
                        position, len(ids), sum(1 for i in ids if self.is_done(i)), self.worded(question))

    def counts(self) -> AnswerCounts:
        """The sitting's answer counts, by the one definition (AnswerCounts) `score` uses too."""
        questions = self.applicable()
        status = [self.answers[q.id].status if q.id in self.answers else "unanswered" for q in questions]
        return AnswerCounts(len(questions), status.count("answered"), status.count("unknown"))

    def remaining(self) -> int:
        return sum(1 for q in self.applicable(everything=False) if not self.is_done(q.id))

    def to_ask(self) -> tuple[int, int]:
        """(how many questions this sitting asks as the answers stand, how many more its answers may
        open).  The first is what the opening announces: the sitting's applicable questions (its
        part or domain only) not yet answered, "don't know" or not applicable; skipped ones are asked
        again.  A question worked out from answers still to come (`derive`) is not counted there: it
        is filled in, not asked, unless those answers leave it open.  The second counts such
        questions and those whose condition (`when`) the answers may switch on."""
        live = self.live_ids()
        now = maybe = 0
        for q in self.questions:
            answer = self.answers.get(q.id)
            if self.is_done(q.id) or (answer is not None and answer.status == "not_applicable"):
                continue
            if q.id not in live:
                maybe += bool(q.when)
            elif q.from_site and getattr(self.site.profile, q.from_site, None):
                continue  # filled in from what `new` was given
            elif q.derive and any(n in self.site.questionnaire.by_id and not self.is_done(n)
                                  for n in names_in(q.derive)):
                maybe += 1
            else:
                now += 1
        return now, maybe

    # ------------------------------------------------------------ where to go

    def resume_point(self) -> Optional[str]:
        """The first applicable question not answered yet (skipped ones included)."""
        return next((q.id for q in self.applicable(everything=False) if not self.is_done(q.id)), None)

    def next_after(self, qid: str) -> Optional[str]:
        """The next question still to answer after `qid`, wrapping round to earlier ones once;
        questions skipped in this sitting are not asked again until the person picks them."""
        todo = [q.id for q in self.applicable(everything=False)
                if not self.is_done(q.id) and q.id not in self.skipped_now]
        here = self._order.get(qid, -1)
        later = [i for i in todo if self._order[i] > here]
        return next(iter(later or todo), None)

    def previous(self, qid: str) -> Optional[str]:
        """Where "back" goes: the question shown before this one, else the one before it in order."""
        live = self.live_ids()
        while self.history:
            candidate = self.history.pop()
            if candidate in live and candidate != qid:
                return candidate
        before = [q.id for q in self.applicable(live, everything=False) if self._order[q.id] < self._order.get(qid, 0)]
        return before[-1] if before else None

    # ------------------------------------------------------------ changing answers

    def apply(self, qid: str, answer: Answer) -> None:
        """Save one answer now (atomic, locked); an existing note is kept unless a new one is given."""
        old = self.answers.get(qid)
        update: dict[str, Any] = {}
        if old is not None and answer.note is None and old.note:
            update["note"] = old.note
        if old is not None and answer.evidence is None and old.evidence:
            update["evidence"] = old.evidence
        if answer.by is None and self.respondent is not None:
            update["by"] = self.respondent.name
        if answer.status != "answered":
            update["value"] = None
        save_answer(self.site, qid, answer.model_copy(update=update), self.respondent)
        if answer.status in DONE_STATUSES:
            self.answered_now.add(qid)
        if qid in self._feeds:
            self.fill_in()

    def fill_in(self) -> list[tuple[str, str]]:
        """Record the answers that need no asking: what `new` was given (`from_site`) and what
        follows from earlier answers (`derive`).  A person's own answer is never replaced; one
        filled in earlier is brought up to date.  Returns what was filled in now."""
        if not self._own:
            return []
        profile = self.site.profile
        values = None
        now = []
        for question in self._own:
            old = self.answers.get(question.id)
            if old is not None and old.status != "skipped" and old.by != FILLED_BY:
                continue
            if question.from_site:
                value, why = getattr(profile, question.from_site), f"from `lead-readiness new --{question.from_site}`"
            else:
                if values is None:
                    values = condition_values(self.site.questionnaire, self.site.answers, [])
                assert question.derive is not None  # _own holds questions with from_site or derive
                value = derive_value(question.derive, values)
                why = f"worked out from earlier answers ({question.derive})"
            try:
                value = None if value is None else check_value(question, value)
            except ValueProblem:
                value = None
            if value is None or (old is not None and old.status == "answered" and old.value == value):
                continue
            save_answer(self.site, question.id, Answer(value=value, by=FILLED_BY, note=why[:1].upper() + why[1:] + "."))
            values = None  # a filled-in answer may feed the next derive
            now.append((question.id, why))
        self.filled += now
        return now

    def skip(self, qid: str) -> None:
        """Leave a question for later; it is marked skipped unless it already has an answer."""
        self.skipped_now.add(qid)
        current = self.answers.get(qid)
        if current is None:
            self.apply(qid, Answer(status="skipped"))

    # ------------------------------------------------------------ review

    def review_rows(self) -> list[ReviewRow]:
        """Every question of the sitting with an answer or a place in it, grouped by domain order."""
        live = self.live_ids()
        rows = []
        for d in self.site.questionnaire.domains:
            for q in self.questions:
                if q.domain != d.id:
                    continue
                answer = self.answers.get(q.id)
                if q.id in live:
                    state: str = answer.status if answer is not None else "unanswered"
                elif answer is not None and answer.status == "not_applicable":
                    state = "not_applicable"
                elif answer is not None and answer.status != "skipped":
                    state = "kept"
                else:
                    continue
                rows.append(ReviewRow(q.id, d.title, self.worded(q), _shown(q, answer, state), state))
        return rows

    # ------------------------------------------------------------ the loop

    def opening(self) -> tuple[Optional[str], str]:
        """Where to start and what to say about it."""
        notes = ""
        for qid, why in self.fill_in():
            question = self.site.questionnaire.by_id[qid]
            notes += f"Not asked: {question.label}, {show_value(question, self.answers[qid].value)} ({why}).\n"
        start, message = self._opening()
        return start, notes + message

    def _opening(self) -> tuple[Optional[str], str]:
        start = self.resume_point()
        questions = self.applicable()
        total = len(questions)
        if start is None:
            if not questions:
                return None, "There are no questions for this sitting."
            return None, "Every question in this sitting is answered already; here is the review."
        # answers a person gave (what the interview filled in itself is not a sitting to resume)
        given = sum(1 for q in questions if self.is_done(q.id) and self.answers[q.id].by != FILLED_BY)
        position = [q.id for q in questions].index(start) + 1
        text = self.worded(self.site.questionnaire.by_id[start])
        now, maybe = self.to_ask()
        plural = "s" if now != 1 else ""
        more = f"; the answers may open up to {maybe} more" if maybe else ""
        if given or self.answers.get(start) is not None:
            return start, (f"Resuming at question {position} of {total}: {text}\n"
                           f"{now} question{plural} still to ask in this sitting{more}.")
        return start, f"{now} question{plural} in this sitting{more}."

    def run(self, asker: Asker) -> Outcome:
        current, message = self.opening()
        asker.tell(message)
        from_review = current is None
        return_to: Optional[str] = None
        while True:
            if current is None:
                reply = asker.review(self.review_rows(), self.remaining())
                if isinstance(reply, Change):
                    current, from_review = reply.qid, True
                elif isinstance(reply, Continue):
                    live = self.live_ids()
                    current = return_to if return_to in live and not self.is_done(return_to) else self.resume_point()
                    from_review, return_to = False, None
                    if current is None:
                        asker.tell("Every question in this sitting is answered.")
                else:
                    return Outcome(isinstance(reply, Finish), self.saved)
                continue
            current, from_review, return_to, stop = self._step(asker, current, from_review, return_to)
            if stop is not None:
                return stop

    def _step(self, asker: Asker, qid: str, from_review: bool, return_to: Optional[str]):
        """Ask one question and work out where to go next: (next, from_review, return_to, outcome)."""
        question = self.site.questionnaire.by_id[qid]
        result = asker.ask(question, self.answers.get(qid), self.progress(qid))
        if isinstance(result, Quit):
            return qid, from_review, return_to, Outcome(False, self.saved)
        if isinstance(result, ToReview):
            return None, False, (return_to if from_review else qid), None
        if isinstance(result, Back):
            if from_review:
                return None, False, return_to, None
            before = self.previous(qid)
            if before is None:
                asker.tell("This is the first question; there is nothing before it.")
                return qid, False, return_to, None
            return before, False, return_to, None
        if isinstance(result, Skip):
            self.skip(qid)
        else:
            self.apply(qid, result.answer)
            self.skipped_now.discard(qid)
        if from_review:
            return None, False, return_to, None
        self.history.append(qid)
        nxt = self.next_after(qid)
        if nxt is None:
            return None, False, None, None
        return nxt, False, return_to, None


def _shown(question: Question, answer: Optional[Answer], state: str) -> str:
    words = {"unanswered": "Not answered yet", "skipped": "Skipped for now", "unknown": DONT_KNOW,
             "not_applicable": "Not applicable"}
    if state in words:
        return words[state]
    if answer is not None and answer.status == "answered":
        text = show_value(question, answer.value)
    else:
        text = DONT_KNOW if answer is not None and answer.status == "unknown" else ""
    return text + ("  (kept but no longer applies)" if state == "kept" else "")
