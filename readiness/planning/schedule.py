"""The implementation plan: standard tasks plus one task per open gap, scheduled from a start date.

How the schedule is made (the README says the same):
- A standard task is left out when it is already done: every question it `covers` is answered
  without a gap, or its `done_when` condition holds. A task with `done_for_each` (officers trained,
  agency by agency) is done only when every record says so once any record answers; otherwise it stays,
  and its title names the records still to do.
- When a covered question has a gap, the gap's task stands in for the standard task: it takes
  the gap's duration and the standard task's dependencies, and the tasks that depended on the
  standard task wait for it instead. A gap stands in for the first standard task that covers it;
  a later task covering the same question keeps its own place (signing a provider's contract and
  hiring its staff both depend on the contract answer, but are two pieces of work).
- Any other gap task starts when its phase opens (the phase's `opens_after` tasks are done) and
  ends before its phase ends.
- The launch milestone waits for its own dependencies and for every task that closes a failed
  launch requirement (gate), so an unmet gate pushes the launch date out.
- Each task starts as soon as everything it depends on has ended (earliest start); a done task
  counts as ended on the start date. The path to launch is the chain of tasks that set the
  launch date.
Pure functions over frozen data: no files, no terminal.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Any, Mapping, Optional

from readiness.assessment.model import Assessment, GapItem
from readiness.errors import ReadinessError
from readiness.planning.tasks import StandardTask, StandardTasks, find_cycle
from readiness.questionnaire.models import PHASES

PHASE_INDEX = {p: i for i, p in enumerate(PHASES)}
LAUNCH_PHASE = "launch"
GAP_PREFIX = "gap:"


@dataclass(frozen=True)
class PlanTask:
    id: str
    title: str
    phase: str
    owner: str
    weeks: int
    depends_on: tuple[str, ...]
    kind: str  # standard | milestone | gap | verify
    start: _dt.date
    end: _dt.date
    blocks_launch: bool  # the launch date waits for this task
    on_launch_path: bool  # one of the tasks that set the launch date
    source_gap: Optional[str] = None  # question id of the gap this task closes
    gate: bool = False  # closes a failed launch requirement
    severity: Optional[str] = None
    stands_in_for: Optional[str] = None  # the standard task this gap task replaces
    detail: str = ""

    @property
    def is_milestone(self) -> bool:
        return self.weeks == 0


@dataclass(frozen=True)
class PhaseWindow:
    id: str
    title: str
    start: Optional[_dt.date]
    end: Optional[_dt.date]
    tasks: int


@dataclass(frozen=True)
class Plan:
    site: str
    start: _dt.date
    launch: _dt.date
    launch_task: str
    tasks: tuple[PlanTask, ...]
    phases: tuple[PhaseWindow, ...]
    launch_path: tuple[str, ...]  # task ids from the first to the launch milestone
    done: tuple[str, ...]  # standard tasks left out because they are already done
    target_launch: Optional[_dt.date] = None
    done_titles: tuple[str, ...] = ()

    @property
    def weeks_to_launch(self) -> int:
        return (self.launch - self.start).days // 7

    @property
    def target_shortfall_weeks(self) -> Optional[int]:
        """How many weeks the target launch date is earlier than the plan allows (>0), else 0."""
        if self.target_launch is None:
            return None
        return max(0, -(-(self.launch - self.target_launch).days // 7))

    def task(self, task_id: str) -> PlanTask:
        return next(t for t in self.tasks if t.id == task_id)

    @property
    def gate_tasks(self) -> tuple[PlanTask, ...]:
        return tuple(t for t in self.tasks if t.gate)

    def first_tasks(self, days: int = 90) -> tuple[PlanTask, ...]:
        """Tasks starting within `days` of the plan's start, launch path first within a start date."""
        horizon = self.start + _dt.timedelta(days=days)
        picked = [t for t in self.tasks if t.start < horizon and not t.is_milestone]
        return tuple(sorted(picked, key=lambda t: (t.start, not t.on_launch_path, not t.gate, t.id)))


@dataclass
class _Node:
    id: str
    title: str
    phase: str
    owner: str
    weeks: int
    kind: str
    deps: set
    gap: Optional[GapItem] = None
    stands_in_for: Optional[str] = None
    detail: str = ""


def short_action(text: str, limit: int = 160) -> str:
    """The first sentence of a gap's action, cut at a word if it is still long."""
    first = re.split(r"(?<=[.;])\s", text.strip(), maxsplit=1)[0].rstrip(".;")
    if len(first) <= limit:
        return first
    cut = first[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "..."


def _gap_node(gap: GapItem, phase: str) -> _Node:
    title = gap.title if gap.kind == "verify" else short_action(gap.action)
    return _Node(GAP_PREFIX + gap.question, title, phase, gap.owner, max(1, gap.weeks),
                 "verify" if gap.kind == "verify" else "gap", set(), gap, detail=gap.action)


def _coverage(task: StandardTask, assessment: Assessment, gaps: Mapping[str, GapItem],
              values: Mapping[str, Any]) -> tuple[str, list[GapItem]]:
    """'done', 'open' (keep the standard task) or 'gaps' (its gap tasks stand in)."""
    from readiness.questionnaire.conditions import evaluate

    if task.done_when and evaluate(task.done_when, values):
        return "done", []
    if not task.covers:
        return "open", []
    standing = [gaps[q] for q in task.covers if q in gaps]
    if standing:
        return "gaps", standing
    for qid in task.covers:
        result = assessment.questions.get(qid)
        settled = result is not None and (not result.applicable or result.status == "answered")
        if not settled:
            return "open", []
    return "done", []


def records_still_to_do(task: StandardTask, values: Mapping[str, Any]) -> list[str] | None:
    """The names of the records of `task.done_for_each` that do not say the task is done (a field
    that is not yes or a number above 0), or None when no record answers the field (the task is then
    done or not by `covers` and `done_when` alone)."""
    spec = task.done_for_each
    records = values.get(spec.question) if spec else None
    if not spec or not isinstance(records, list):
        return None
    rows = [r for r in records if isinstance(r, Mapping)]
    if not any(r.get(spec.field) is not None for r in rows):
        return None

    def done(v: Any) -> bool:
        return v is True or (isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0)

    return [str(r.get(spec.name) or f"record {i}") for i, r in enumerate(rows, start=1) if not done(r.get(spec.field))]


def task_title(task: StandardTask, values: Mapping[str, Any]) -> str:
    """The task's title for these answers: the first `title_when` whose condition holds, else `title`."""
    from readiness.questionnaire.conditions import evaluate

    return next((v.title for v in task.title_when if evaluate(v.when, values)), task.title)


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def build_plan(assessment: Assessment, standard: StandardTasks, start: _dt.date, *,
               values: Mapping[str, Any] | None = None, target_launch: Optional[_dt.date] = None) -> Plan:
    """The whole plan. `values` are the answer values conditions see (conditions.condition_values)."""
    values = values or {}
    gaps = {g.question: g for g in assessment.gaps}
    nodes: dict[str, _Node] = {}
    stands: dict[str, list[str]] = {}  # standard id -> ids of the nodes that represent it ([] = done)
    done: list[str] = []
    to_do: dict[str, list[str]] = {}  # standard id -> records still to do (done_for_each)
    for task in standard.tasks:
        state, standing = _coverage(task, assessment, gaps, values)
        if task.id == standard.launch_task:
            state = "open"
        rest = records_still_to_do(task, values)
        if rest:
            to_do[task.id] = rest
            if state == "done":
                state = "open"  # one agency trained, another not: not done
        if state == "done":
            stands[task.id] = []
            done.append(task.id)
        elif state == "open":
            kind = "milestone" if task.weeks == 0 else "standard"
            nodes[task.id] = _Node(task.id, task_title(task, values), task.phase, task.owner, task.weeks, kind, set())
            stands[task.id] = [task.id]
        else:
            standing = [g for g in standing if GAP_PREFIX + g.question not in nodes]
            if not standing:  # its gaps already stand in for an earlier task: this one still has to be done
                kind = "milestone" if task.weeks == 0 else "standard"
                nodes[task.id] = _Node(task.id, task_title(task, values), task.phase, task.owner, task.weeks, kind, set())
                stands[task.id] = [task.id]
                continue
            ids = []
            for gap in standing:
                node = nodes.get(GAP_PREFIX + gap.question) or _gap_node(gap, gap.phase)
                node.stands_in_for = node.stands_in_for or task.id
                nodes[node.id] = node
                ids.append(node.id)
            stands[task.id] = ids

    for task_id, rest in to_do.items():
        for node_id in stands[task_id]:
            nodes[node_id].title = f"{nodes[node_id].title} (still to do for {_names(rest)})"

    def represent(ids) -> set:
        return {n for i in ids for n in stands.get(i, [])}

    for task in standard.tasks:
        for node_id in stands[task.id]:
            nodes[node_id].deps |= represent(task.depends_on)

    launch_phase = PHASE_INDEX[LAUNCH_PHASE]
    for gap in assessment.gaps:
        node_id = GAP_PREFIX + gap.question
        if node_id in nodes:
            continue
        phase = gap.phase
        if gap.blocks_launch and PHASE_INDEX.get(phase, 0) > launch_phase:
            phase = LAUNCH_PHASE  # a launch requirement cannot wait until after launch
        node = _gap_node(gap, phase)
        node.deps |= represent(standard.phase(phase).opens_after)
        nodes[node_id] = node
    launch = nodes[standard.launch_task]
    launch.deps |= {GAP_PREFIX + g.question for g in assessment.gaps if g.blocks_launch}
    for node in nodes.values():
        node.deps.discard(node.id)

    cycle = find_cycle({n.id: sorted(n.deps) for n in nodes.values()})
    if cycle:
        raise ReadinessError("the plan's tasks depend on each other in a circle: " + " -> ".join(cycle),
                             hint="check the phases' opens_after lists and depends_on in plans/standard-tasks.yaml")
    return _schedule(assessment.site, nodes, standard, start, tuple(done), target_launch)


def _schedule(site: str, nodes: dict[str, _Node], standard: StandardTasks, start: _dt.date,
              done: tuple[str, ...], target_launch: Optional[_dt.date]) -> Plan:
    begin: dict[str, int] = {}
    finish: dict[str, int] = {}
    driver: dict[str, Optional[str]] = {}
    order = {t.id: i for i, t in enumerate(standard.tasks)}

    def visit(node_id: str) -> int:
        if node_id in finish:
            return finish[node_id]
        node = nodes[node_id]
        best, by = 0, None
        for dep in sorted(node.deps, key=lambda d: (order.get(d, len(order)), d)):
            end = visit(dep)
            if by is None or end > best:
                best, by = end, dep
        begin[node_id], finish[node_id], driver[node_id] = best, best + node.weeks, by
        return finish[node_id]

    for node_id in nodes:
        visit(node_id)

    path = []
    cursor: Optional[str] = standard.launch_task
    while cursor is not None:
        path.append(cursor)
        cursor = driver[cursor]
    path.reverse()
    before_launch = _ancestors(nodes, standard.launch_task)

    def day(weeks: int) -> _dt.date:
        return start + _dt.timedelta(weeks=weeks)

    def sort_key(n: _Node):
        return (begin[n.id], PHASE_INDEX.get(n.phase, 0), finish[n.id], n.id)

    tasks = tuple(PlanTask(
        id=n.id, title=n.title, phase=n.phase, owner=n.owner, weeks=n.weeks,
        depends_on=tuple(sorted(n.deps, key=lambda d: (begin[d], d))), kind=n.kind,
        start=day(begin[n.id]), end=day(finish[n.id]),
        blocks_launch=n.id in before_launch, on_launch_path=n.id in path,
        source_gap=n.gap.question if n.gap else None, gate=bool(n.gap and n.gap.blocks_launch),
        severity=n.gap.severity if n.gap else None, stands_in_for=n.stands_in_for, detail=n.detail,
    ) for n in sorted(nodes.values(), key=sort_key))

    windows = []
    for spec in standard.phases:
        members = [t for t in tasks if t.phase == spec.id]
        windows.append(PhaseWindow(spec.id, spec.title, min((t.start for t in members), default=None),
                                   max((t.end for t in members), default=None), len(members)))
    titles = {t.id: t.title for t in standard.tasks}
    return Plan(site, start, day(begin[standard.launch_task]), standard.launch_task, tasks, tuple(windows),
                tuple(path), done, target_launch, tuple(titles[i] for i in done))


def _ancestors(nodes: dict[str, _Node], node_id: str) -> set[str]:
    seen: set[str] = {node_id}
    stack = [node_id]
    while stack:
        for dep in nodes[stack.pop()].deps:
            if dep not in seen:
                seen.add(dep)
                stack.append(dep)
    return seen
