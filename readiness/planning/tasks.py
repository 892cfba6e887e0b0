"""The standard tasks file (templates/plans/standard-tasks.yaml): its format and its checks.

Consultants edit this file, so every mistake is reported with file and line: an unknown key, a
task that depends on a task that does not exist, a dependency cycle, a question id the
questionnaire does not have.
"""
from __future__ import annotations

from pathlib import Path
from typing import Literal, Optional

from pydantic import Field, field_validator

from readiness.errors import Collected
from readiness.files import Located, read_yaml
from readiness.kernel.load import load_model
from readiness.kernel.models import Strict as _Strict
from readiness.kernel.patterns import ID_PATTERN
from readiness.kernel.problems import did_you_mean
from readiness.questionnaire.models import PHASES, current_phase

STANDARD_TASKS_FILE = "plans/standard-tasks.yaml"
PhaseId = Literal["exploration", "design", "agreements", "hiring_training", "launch", "stabilize"]


class PhaseSpec(_Strict):
    id: PhaseId
    title: str = Field(min_length=1)
    opens_after: list[str] = Field(default_factory=list,
                                   description="Tasks that must end before this phase's gap tasks start.")

    @field_validator("id", mode="before")
    @classmethod
    def _current_id(cls, v):
        return current_phase(v)


class DoneForEach(_Strict):
    """A task done record by record: done only when every record of a `records` question says so."""
    question: str = Field(pattern=ID_PATTERN, description="A `records` question, one record per party.")
    field: str = Field(pattern=ID_PATTERN, description="The record's field that says it is done: yes, or a "
                                                      "number above 0.")
    name: str = Field("name", pattern=ID_PATTERN, description="The record's field the plan names it by.")


class TitleWhen(_Strict):
    """Another title for a task where the answers call for other work (an agreement already in force
    is amended, not signed anew)."""
    when: str = Field(min_length=1, description="Condition over answers (same syntax as a question's `when`).")
    title: str = Field(min_length=3)


class StandardTask(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=3)
    phase: PhaseId
    owner: str = Field(min_length=2)
    weeks: int = Field(ge=0, le=104)
    depends_on: list[str] = Field(default_factory=list)
    covers: list[str] = Field(default_factory=list, description="Question ids this task settles.")
    done_when: Optional[str] = Field(None, description="Condition over answers; true means already done.")
    done_for_each: Optional[DoneForEach] = Field(None, description="Once any record answers `field`, the task "
                                                 "is done only when every record does; the plan names the rest.")
    title_when: list[TitleWhen] = Field(default_factory=list, description="The first whose condition holds gives "
                                        "the task's title instead of `title`.")

    @field_validator("phase", mode="before")
    @classmethod
    def _current_phase(cls, v):
        return current_phase(v)


class StandardTasks(_Strict):
    version: int = 1
    phases: list[PhaseSpec]
    launch_task: str
    tasks: list[StandardTask] = Field(min_length=1)

    @property
    def by_id(self) -> dict[str, StandardTask]:
        return {t.id: t for t in self.tasks}

    def phase(self, phase_id: str) -> PhaseSpec:
        return next(p for p in self.phases if p.id == phase_id)


class LoadedTasks:
    """The checked tasks plus where each one is written, for later errors (question ids)."""

    def __init__(self, tasks: StandardTasks, located: Located):
        self.spec = tasks
        self.located = located

    def where(self, index: int, key: str) -> dict:
        return self.located.at(("tasks", index, key))


def load_standard_tasks(path: Path) -> LoadedTasks:
    located = read_yaml(Path(path), "standard tasks file")
    spec = load_model(StandardTasks, located, fields_for=_fields_for, hint="see the comments at the top of the file",
                      not_a_mapping="the standard tasks file must be a mapping with phases, launch_task and tasks")
    _cross_check(spec, located).raise_if_any(hint="see the comments at the top of the file")
    return LoadedTasks(spec, located)


def _fields_for(loc: tuple) -> list[str]:
    if not loc:
        return list(StandardTasks.model_fields)
    if loc[0] == "phases":
        return list(PhaseSpec.model_fields)
    if len(loc) > 2 and loc[2] == "done_for_each":
        return list(DoneForEach.model_fields)
    return list(StandardTask.model_fields)


def _cross_check(spec: StandardTasks, located: Located) -> Collected:
    from readiness.questionnaire.conditions import ConditionError, compile_condition

    out = Collected()
    if [p.id for p in spec.phases] != list(PHASES):
        out.add(f"phases must be, in this order: {', '.join(PHASES)}", **located.at(("phases",)))
    ids: dict[str, int] = {}
    for i, task in enumerate(spec.tasks):
        if task.id in ids:
            out.add(f"task id '{task.id}' is used twice", where=f"tasks[{i}]", **located.at(("tasks", i, "id")))
        ids.setdefault(task.id, i)
    for i, task in enumerate(spec.tasks):
        for j, dep in enumerate(task.depends_on):
            if dep not in ids:
                out.add(f"task '{task.id}' depends on unknown task '{dep}'", where=f"tasks[{i}].depends_on",
                        hint=did_you_mean(dep, ids), **located.at(("tasks", i, "depends_on", j)))
        if task.done_when:
            try:
                compile_condition(task.done_when)
            except ConditionError as exc:
                out.add(f"task '{task.id}': done_when {exc}", **located.at(("tasks", i, "done_when")))
        for k, variant in enumerate(task.title_when):
            try:
                compile_condition(variant.when)
            except ConditionError as exc:
                out.add(f"task '{task.id}': title_when {exc}", **located.at(("tasks", i, "title_when", k, "when")))
    for i, phase in enumerate(spec.phases):
        for j, dep in enumerate(phase.opens_after):
            if dep not in ids:
                out.add(f"phase '{phase.id}' opens after unknown task '{dep}'", hint=did_you_mean(dep, ids),
                        **located.at(("phases", i, "opens_after", j)))
    if spec.launch_task not in ids:
        out.add(f"launch_task '{spec.launch_task}' is not a task", hint=did_you_mean(spec.launch_task, ids),
                **located.at(("launch_task",)))
    elif spec.tasks[ids[spec.launch_task]].weeks != 0:
        out.add(f"launch_task '{spec.launch_task}' is a milestone and needs weeks: 0",
                **located.at(("tasks", ids[spec.launch_task], "weeks")))
    if not out.problems:
        cycle = find_cycle({t.id: list(t.depends_on) for t in spec.tasks})
        if cycle:
            out.add(f"tasks depend on each other in a circle: {' -> '.join(cycle)}",
                    **located.at(("tasks", ids[cycle[0]], "depends_on")))
    return out


def check_questions(loaded: LoadedTasks, question_ids) -> None:
    """Every `covers` id must be a question of the site's questionnaire (a typo would silently
    keep a task that is already done)."""
    known = set(question_ids)
    out = Collected()
    for i, task in enumerate(loaded.spec.tasks):
        if task.done_for_each and task.done_for_each.question not in known:
            qid = task.done_for_each.question
            out.add(f"task '{task.id}': done_for_each names unknown question '{qid}'",
                    where=f"tasks[{i}].done_for_each.question",
                    hint=did_you_mean(qid, known) or "use a records question id from the site's questionnaire",
                    **loaded.located.at(("tasks", i, "done_for_each", "question")))
        for j, qid in enumerate(task.covers):
            if qid not in known:
                out.add(f"task '{task.id}' covers unknown question '{qid}'", where=f"tasks[{i}].covers",
                        hint=did_you_mean(qid, known) or "use a question id from the site's questionnaire",
                        **loaded.located.at(("tasks", i, "covers", j)))
    out.raise_if_any()


def find_cycle(deps: dict[str, list[str]]) -> list[str] | None:
    """A dependency cycle as a list of ids (first repeated at the end), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in deps.get(node, ()):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if not state.get(nxt):
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in deps:
        if not state.get(node):
            found = visit(node)
            if found:
                return found
    return None
