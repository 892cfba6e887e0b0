"""What the readiness report and the implementation plan templates see, beyond the shared render
context: `report` (the assessment summary, unknowns, pathways, 90-day actions, the radar chart)
and `plan` (dates, path to launch, phases, tasks, owners, the timeline chart).

The report's figures come from `assessment.export.to_markdown`, the same text `score --format
markdown` prints, so the two can never disagree.  Everything here is plain data (the document
writer turns it into read-only namespaces); text that came from answers or questionnaires is escaped
for Markdown.
"""
from __future__ import annotations

import dataclasses
import re
from typing import Any, Mapping, Sequence

from readiness.assessment.model import STAGES, Assessment
from readiness.kernel.statuses import UNANSWERED, AnswerStatus, status_label
from readiness.planning.export import cell, day
from readiness.planning.schedule import Plan, PlanTask
from readiness.report.pathways import SOURCES, pathways, recommendation

ACTIONS_SHOWN = 12
SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3, None: 4}


# ---------------------------------------------------------------- the assessment summary


def shareable(a: Assessment, sensitive: set[str]) -> Assessment:
    """The assessment without answers to sensitive questions (stakeholder-facing documents)."""
    gates = tuple(dataclasses.replace(g, answer="[withheld]") if g.id in sensitive else g for g in a.gates)
    disagreements = tuple(d for d in a.disagreements if d.question not in sensitive)
    return dataclasses.replace(a, gates=gates, disagreements=disagreements)


def summary_sections(a: Assessment) -> dict[str, str]:
    """`score --format markdown` cut into its parts: verdict, gates, domains, gaps, disagreements."""
    from readiness.assessment.export import to_markdown

    text = to_markdown(a, top_gaps=max(1, len(a.gaps)))
    parts = re.split(r"^## (.+)$", text, flags=re.MULTILINE)
    sections = {"verdict": "\n".join(parts[0].strip().splitlines()[1:]).strip()}
    names = {"Launch requirements": "gates", "Domains": "domains", "Gaps to close": "gaps",
             "Where interviewees disagree": "disagreements"}
    for title, body in zip(parts[1::2], parts[2::2]):
        sections[names.get(title.strip(), title.strip().lower())] = body.strip()
    for key in names.values():
        sections.setdefault(key, "")
    return sections


def _disagreements(a: Assessment) -> list[dict]:
    return [{"question": cell(d.text), "spread": round(d.spread * 100),
             "answers": [{"respondent": cell(x.respondent), "role": cell(x.role or ""), "answer": cell(x.display),
                          "note": cell(x.note or "")} for x in d.answers]}
            for d in a.disagreements]


def unknowns(a: Assessment, questionnaire) -> list[dict]:
    """Applicable questions nobody could answer, or nobody has answered yet, most important first."""
    domains = {d.id: d.title for d in questionnaire.domains}
    gaps = {g.question: g for g in a.gaps}
    out = []
    for q in questionnaire.questions:
        result = a.questions.get(q.id)
        if q.sensitive or result is None or not result.applicable:
            continue
        if result.status not in ("unknown", "unanswered", "skipped"):
            continue
        gap = gaps.get(q.id)
        out.append({"question": cell(q.text), "domain": cell(domains.get(q.domain, q.domain)),
                    "status": "Not asked yet" if result.status == UNANSWERED else status_label(result.status),
                    "who": cell(gap.owner if gap else (q.gap.owner if q.gap else "Project manager")),
                    "gate": bool(q.gate), "scored": q.is_scorable})
    out.sort(key=lambda u: (not u["gate"], not u["scored"]))
    return out


def _when(value) -> str:
    from readiness.markdown_text import date_long

    return date_long(value) if value else ""


def heard(a: Assessment, questionnaire) -> list[dict]:
    """What people said, by domain: each note and piece of evidence recorded with a site answer,
    and each interviewee's notes and written answers, with who said it and when.

    Sensitive questions stay out (their notes too), as everywhere in shared documents. Every text
    is escaped for Markdown."""
    by_domain: dict[str, list[dict]] = {}
    for q in questionnaire.questions:
        result = a.questions.get(q.id)
        if q.sensitive or result is None:
            continue
        items = []
        for kind, text in (("Note", result.note), ("Evidence", result.evidence)):
            if text:
                items.append({"kind": kind, "text": cell(text), "who": cell(result.by or ""),
                              "role": "", "when": cell(_when(result.at))})
        for x in result.respondents:
            said = [("Note", x.note), ("Evidence", x.evidence)]
            if q.type == "text" and x.status == AnswerStatus.ANSWERED and x.display:
                said.insert(0, ("Answer", x.display))
            for kind, text in said:
                if text:
                    items.append({"kind": kind, "text": cell(text), "who": cell(x.respondent),
                                  "role": cell(x.role or ""), "when": cell(_when(x.date))})
        if items:
            label = q.label[:1].upper() + q.label[1:]
            by_domain.setdefault(q.domain, []).append({"question": cell(label), "items": items})
    for entries in by_domain.values():
        for entry in entries:
            for item in entry["items"]:
                parts = [p for p in (item["who"], item["role"], item["when"]) if p]
                item["source"] = ", ".join(parts) if parts else "source and date not recorded"
    titles = {d.id: d.title for d in questionnaire.domains}
    return [{"domain": cell(titles.get(d.id, d.id)), "questions": by_domain[d.id]}
            for d in questionnaire.domains if d.id in by_domain]


# ---------------------------------------------------------------- the plan


def _task(t: PlanTask, phase_titles: Mapping[str, str]) -> dict:
    why = ("closes a launch requirement" if t.gate else
           f"closes a {t.severity} gap" if t.source_gap and t.kind == "gap" else
           "answers an open question" if t.kind == "verify" else "standard step")
    return {"id": t.id, "title": cell(t.title), "owner": cell(t.owner), "phase": phase_titles.get(t.phase, t.phase),
            "start": short_day(t.start), "end": short_day(t.end), "start_long": day(t.start), "end_long": day(t.end), "start_iso": t.start.isoformat(), "end_iso": t.end.isoformat(),
            "weeks": t.weeks, "milestone": t.is_milestone, "gate": t.gate, "blocks_launch": t.blocks_launch,
            "on_launch_path": t.on_launch_path, "why": why, "source_gap": t.source_gap or "",
            "depends_on": list(t.depends_on)}


def short_day(d) -> str:
    """"Jan 4, 2027": dates in tables, where a long month name would wrap."""
    return f"{d:%b} {d.day}, {d.year}"


def first_actions(plan: Plan, days: int = 90, limit: int = ACTIONS_SHOWN) -> tuple[list[PlanTask], int]:
    """The tasks to start in the first `days`: launch path and launch requirements first, then by
    severity; shown in start order. Returns (shown, how many more start in that window)."""
    window = list(plan.first_tasks(days))
    ranked = sorted(window, key=lambda t: (not t.on_launch_path, not t.gate, not t.blocks_launch,
                                           SEVERITY_RANK.get(t.severity, 4), t.start, t.id))
    shown = sorted(ranked[:limit], key=lambda t: (t.start, not t.on_launch_path, t.id))
    return shown, max(0, len(window) - limit)


def plan_data(plan: Plan, *, timeline_file: str, timeline_alt: str, csv_file: str) -> dict:
    titles = {p.id: p.title for p in plan.phases}
    tasks = [_task(t, titles) for t in plan.tasks]
    by_id = {t["id"]: t for t in tasks}
    phases = []
    for p in plan.phases:
        members = [by_id[t.id] for t in plan.tasks if t.phase == p.id]
        phases.append({"id": p.id, "title": p.title, "start": short_day(p.start) if p.start else "",
                       "end": short_day(p.end) if p.end else "", "count": len(members), "tasks": members})
    owners: dict[str, dict] = {}
    for t in plan.tasks:
        if t.is_milestone:
            continue
        entry = owners.setdefault(t.owner, {"owner": cell(t.owner), "tasks": 0, "before_launch": 0, "first": t.start})
        entry["tasks"] += 1
        entry["before_launch"] += int(t.blocks_launch)
        entry["first"] = min(entry["first"], t.start)
    owner_rows = [{**o, "first": short_day(o["first"])} for o in sorted(owners.values(), key=lambda o: (-o["tasks"],
                                                                                                   o["owner"]))]
    return {
        "start": day(plan.start), "launch": day(plan.launch), "launch_iso": plan.launch.isoformat(),
        "weeks_to_launch": plan.weeks_to_launch, "months_to_launch": round(plan.weeks_to_launch / 4.345, 1),
        "target_launch": day(plan.target_launch) if plan.target_launch else "",
        "target_shortfall_weeks": plan.target_shortfall_weeks or 0,
        "task_count": len(plan.tasks), "gate_count": len(plan.gate_tasks),
        "path": [by_id[i] for i in plan.launch_path],
        "gate_tasks": [by_id[t.id] for t in plan.gate_tasks],
        "phases": phases, "tasks": tasks, "owners": owner_rows,
        "done": [cell(t) for t in plan.done_titles],
        "timeline": {"file": timeline_file, "alt": cell(timeline_alt)},
        "csv_file": csv_file,
    }


# ---------------------------------------------------------------- everything together


def _moves(moves: Sequence, sensitive: set[str]) -> list[dict]:
    """The answers that would bring launch closest (report/whatif.best_moves), for the report."""
    return [{"question": cell(m.label[:1].upper() + m.label[1:]), "id": m.question, "answer": cell(m.answer),
             "today": cell(m.today), "weeks_saved": m.weeks_saved, "launch": day(m.launch),
             "score": "n/a" if m.score is None else f"{m.score:.0f}", "stage": m.stage, "gate": m.gate}
            for m in moves if m.question not in sensitive]


def report_data(a: Assessment, questionnaire, plan: Plan, values: Mapping[str, Any], *, radar_file: str,
                radar_alt: str, plan_file: str = "", moves: Sequence = (),
                titles: Mapping[str, str] | None = None) -> dict:
    """`titles`: the site's `{prosecutor}`-style names (readiness.jurisdiction.wording); default neutral."""
    from readiness.jurisdiction import Institutions
    from readiness.questionnaire.wording import fill

    sensitive = {q.id for q in questionnaire.questions if q.sensitive}
    shared = shareable(a, sensitive)
    names = dict(titles) if titles is not None else Institutions().resolved()
    found = tuple(dataclasses.replace(p, reasons=tuple(fill(r, names) for r in p.reasons),
                          needs=tuple(fill(n, names) for n in p.needs)) for p in pathways(values))
    actions, more = first_actions(plan)
    titles = {p.id: p.title for p in plan.phases}
    stage_meaning = next((meaning for _, name, meaning in STAGES if name == a.stage), "")
    return {
        "summary": summary_sections(shared),
        "score": None if a.score is None else f"{a.score:.0f}",
        "score_answered_only": None if a.score_answered_only is None else f"{a.score_answered_only:.0f}",
        "provisional": a.provisional,
        "completeness_pct": f"{a.completeness * 100:.0f}",
        "stage_meaning": stage_meaning,
        "stages": [{"floor": floor, "name": name, "meaning": meaning} for floor, name, meaning in STAGES],
        "failed_gate_count": len(shared.failed_gates),
        "gate_count": len(shared.gates),
        "gap_count": len(shared.gaps),
        "blocking_gap_count": sum(1 for g in shared.gaps if g.blocks_launch),
        "disagreements": _disagreements(shared),
        "unknowns": unknowns(shared, questionnaire),
        "heard": heard(shared, questionnaire),
        "sensitive_withheld": sum(1 for qid in sensitive if (r := a.questions.get(qid)) is not None
                                  and (r.status == "answered" or r.note or r.evidence
                                       or any(x.display or x.note for x in r.respondents))),
        "pathways": [{"id": p.id, "name": p.name, "trigger": p.trigger, "status": p.status,
                      "status_text": p.status_text, "reasons": [cell(r) for r in p.reasons],
                      "needs": [cell(n) for n in p.needs]} for p in found],
        "pathway_advice": cell(fill(recommendation(found, values), names)),
        "pathway_sources": SOURCES,
        "actions": [_task(t, titles) for t in actions],
        "more_actions": more,
        "radar": {"file": radar_file, "alt": cell(radar_alt)},
        "plan_file": plan_file,
        "moves": _moves(moves, sensitive),
    }


def domain_scores(a: Assessment) -> Sequence[tuple[str, Any]]:
    return [(d.title, d.score) for d in a.domains]
