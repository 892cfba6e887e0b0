"""The plan as stable JSON, as CSV (one row per task, with a header row) and as Markdown."""
from __future__ import annotations

import csv
import io

from readiness.planning.schedule import Plan, PlanTask

CSV_COLUMNS = ("task_id", "task", "phase", "owner", "start", "end", "weeks", "depends_on", "blocks_launch",
               "on_launch_path", "source_gap")


def _task_dict(t: PlanTask) -> dict:
    return {"id": t.id, "title": t.title, "phase": t.phase, "owner": t.owner, "start": t.start.isoformat(),
            "end": t.end.isoformat(), "weeks": t.weeks, "depends_on": list(t.depends_on), "kind": t.kind,
            "blocks_launch": t.blocks_launch, "on_launch_path": t.on_launch_path, "gate": t.gate,
            "source_gap": t.source_gap, "severity": t.severity, "stands_in_for": t.stands_in_for}


def to_dict(plan: Plan) -> dict:
    """Stable keys: site, start, launch, weeks_to_launch, target_launch, phases, launch_path, tasks, done."""
    return {
        "site": plan.site,
        "start": plan.start.isoformat(),
        "launch": plan.launch.isoformat(),
        "weeks_to_launch": plan.weeks_to_launch,
        "target_launch": plan.target_launch.isoformat() if plan.target_launch else None,
        "target_shortfall_weeks": plan.target_shortfall_weeks,
        "phases": [{"id": p.id, "title": p.title, "start": p.start.isoformat() if p.start else None,
                    "end": p.end.isoformat() if p.end else None, "tasks": p.tasks} for p in plan.phases],
        "launch_path": list(plan.launch_path),
        "tasks": [_task_dict(t) for t in plan.tasks],
        "done": list(plan.done),
    }


def to_csv(plan: Plan) -> str:
    """One row per task. Dates are ISO (YYYY-MM-DD); depends_on ids are separated by spaces;
    booleans are yes/no so spreadsheets show them plainly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for t in plan.tasks:
        writer.writerow([t.id, t.title, t.phase, t.owner, t.start.isoformat(), t.end.isoformat(), t.weeks,
                         " ".join(t.depends_on), "yes" if t.blocks_launch else "no",
                         "yes" if t.on_launch_path else "no", t.source_gap or ""])
    return buffer.getvalue()


def cell(text) -> str:
    """Text safe inside a Markdown table cell or a list item."""
    return " ".join(str(text).split()).replace("\\", "\\\\").replace("|", "\\|").replace("*", "\\*") \
        .replace("_", "\\_").replace("[", "\\[").replace("]", "\\]").replace("<", "\\<")


def day(d) -> str:
    return f"{d:%B} {d.day}, {d.year}"


def to_markdown(plan: Plan) -> str:
    """A plain plan for the terminal or a wiki: launch, path to launch, phases, tasks."""
    lines = [f"# Implementation plan: {cell(plan.site)}", "",
             f"**Start:** {day(plan.start)}  ",
             f"**Launch:** {day(plan.launch)} ({plan.weeks_to_launch} weeks)  "]
    if plan.target_launch:
        short = plan.target_shortfall_weeks
        note = f"{short} weeks earlier than this plan allows" if short else "the plan meets it"
        lines.append(f"**Site's target launch:** {day(plan.target_launch)} ({note})  ")
    lines += ["", "## Path to launch", ""]
    for n, tid in enumerate(plan.launch_path, 1):
        t = plan.task(tid)
        lines.append(f"{n}. {cell(t.title)} ({cell(t.owner)}, {day(t.start)} to {day(t.end)})")
    lines += ["", "## Phases", "", "| Phase | Start | End | Tasks |", "|---|---|---|---:|"]
    for p in plan.phases:
        lines.append(f"| {cell(p.title)} | {day(p.start) if p.start else '-'} | {day(p.end) if p.end else '-'} "
                     f"| {p.tasks} |")
    lines += ["", "## Tasks", "", "| Task | Phase | Owner | Start | End | Weeks | Launch waits for it |",
              "|---|---|---|---|---|---:|---|"]
    titles = {p.id: p.title for p in plan.phases}
    for t in plan.tasks:
        mark = "yes, on the path" if t.on_launch_path else "yes" if t.blocks_launch else "no"
        lines.append(f"| {cell(t.title)} | {titles.get(t.phase, t.phase)} | {cell(t.owner)} | {t.start.isoformat()} "
                     f"| {t.end.isoformat()} | {t.weeks} | {mark} |")
    return "\n".join(lines) + "\n"
