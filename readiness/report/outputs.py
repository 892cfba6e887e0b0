"""The report and the plan in every build: Markdown, DOCX, charts and the plan's CSV.

`build_outputs` is the build hook `build_drafts` passes to documents.build.build_site: it gets the assessed
site and the temporary version folder, and returns manifest entries.  The report comes first, so
it is what `demo` says to open first.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

REPORT = ("readiness_report", "Readiness Assessment Report", "plans/readiness-report.md.j2",
          "the Policy Coordinating Group and every partner agency")
PLAN = ("implementation_plan", "Implementation Plan", "plans/implementation-plan.md.j2",
        "the project manager and the Policy Coordinating Group")
RADAR_FILE = "readiness-report-radar.png"
TIMELINE_FILE = "implementation-plan-timeline.png"


@dataclass(frozen=True)
class Rendered:
    id: str
    title: str
    stem: str
    markdown: str


def _tidy(markdown: str) -> str:
    return re.sub(r"\n{3,}", "\n\n", markdown).strip("\n") + "\n"


def render_report_and_plan(site, assessment, context, folders, *, version: int, today, plan=None,
                           charts_dir: Optional[Path] = None) -> tuple[Rendered, Rendered, object]:
    """Render both documents to Markdown (and draw their charts into `charts_dir` when given).

    `context` is the build's RenderContext; `folders` the template folders, consultant first.
    When both charts must be drawn (not copied from the chart cache), the timeline is drawn on a
    second CPU while this process draws the radar chart and renders the templates."""
    from readiness import charts
    from readiness.planning import plan_for_site
    from readiness.report.context import domain_scores

    plan = plan or plan_for_site(site, assessment, today, dirs=folders)
    scores = domain_scores(assessment)
    radar_alt = charts.radar_alt_text(site.name, scores)
    timeline_alt = charts.timeline_alt_text(plan)
    if charts_dir is None:
        return _render_both(site, assessment, context, folders, plan, version, today, radar_alt, timeline_alt)
    radar_title, timeline_title = f"Readiness by domain: {site.name}", f"Implementation timeline: {site.name}"
    timeline_path = Path(charts_dir) / TIMELINE_FILE

    def draw_timeline() -> Path:
        return charts.timeline_chart(plan, timeline_path, title=timeline_title)

    both_drawn = not (charts.timeline_is_cached(plan, title=timeline_title)
                      or charts.radar_is_cached(scores, title=radar_title))
    timeline_job = charts.ChildJob(draw_timeline, timeline_path) if both_drawn else None
    try:
        charts.radar_chart(scores, Path(charts_dir) / RADAR_FILE, title=radar_title)
        rendered = _render_both(site, assessment, context, folders, plan, version, today, radar_alt, timeline_alt)
        if timeline_job is not None:
            timeline_job.finish()
        else:
            draw_timeline()
        return rendered
    finally:
        if timeline_job is not None:
            timeline_job.abandon()


def _render_both(site, assessment, context, folders, plan, version, today, radar_alt, timeline_alt):
    from readiness.assessment.scoring import condition_values
    from readiness.documents.context import DocInfo
    from readiness.documents.environment import make_environment, render_template
    from readiness.report.context import plan_data, report_data, template_variables

    values = condition_values(site.questionnaire, site.answers, list(site.respondents.values()))
    plan_vars = plan_data(plan, timeline_file=TIMELINE_FILE, timeline_alt=timeline_alt,
                          csv_file=_stem(PLAN[0]) + ".csv")
    report_vars = report_data(assessment, site.questionnaire, plan, values, radar_file=RADAR_FILE,
                              radar_alt=radar_alt, plan_file=_stem(PLAN[0]) + ".docx")
    env = make_environment(folders)
    out = []
    for doc_id, title, template, audience in (REPORT, PLAN):
        variables = context.for_document(DocInfo(doc_id, title, version, today, audience))
        variables.update(template_variables(report_vars, plan_vars))
        markdown = _tidy(render_template(env, template, variables, folders))
        out.append(Rendered(doc_id, title, _stem(doc_id), markdown))
    return out[0], out[1], plan


def _stem(doc_id: str) -> str:
    return doc_id.replace("_", "-")


def pack_has_plans(folders) -> bool:
    """A standalone consultant pack without the planning templates builds its documents only."""
    from readiness.planning.tasks import STANDARD_TASKS_FILE

    needed = (REPORT[2], PLAN[2], STANDARD_TASKS_FILE)
    return all(any((Path(f) / name).is_file() for f in folders) for name in needed)


def build_drafts(site_root: Path, **options):
    """A whole build: the pack's documents plus the readiness report and the plan (what `build` runs)."""
    from readiness.documents.build import build_site

    return build_site(site_root, extra_outputs=[build_outputs], **options)


def build_outputs(job) -> list[dict]:
    """The build hook: write the report and the plan into the version folder."""
    from readiness.documents.build import FOOTER, HEADER, sha256_file
    from readiness.documents.docx_writer import write_docx
    from readiness.documents.facts import date_long
    from readiness.planning.export import to_csv

    if not pack_has_plans(job.pack.folders):
        return []
    folder = Path(job.folder)
    report, plan_doc, plan = render_report_and_plan(job.site, job.assessment, job.context, job.pack.folders,
                                                    version=job.version, today=job.today, charts_dir=folder)
    header = HEADER.format(n=job.version)
    footer = FOOTER.format(date=date_long(job.today))
    entries = []
    for doc, extra in ((report, {"png": RADAR_FILE}), (plan_doc, {"csv": plan_doc.stem + ".csv",
                                                                  "png": TIMELINE_FILE})):
        names = {"md": doc.stem + ".md", "docx": doc.stem + ".docx", **extra}
        (folder / names["md"]).write_text(doc.markdown, encoding="utf-8")
        if "csv" in names:
            (folder / names["csv"]).write_text(to_csv(plan), encoding="utf-8")
        write_docx(doc.markdown, folder / names["docx"], title=doc.title, header_text=header, footer_text=footer,
                   reference_docx=job.pack.reference_docx, image_dir=folder)
        entries.append({"id": doc.id, "title": doc.title, "names": names,
                        "files": {fmt: sha256_file(folder / name) for fmt, name in names.items()},
                        "open_items": job.context.open_items(doc.markdown)})
    return entries


def lint_variables(q, folders) -> dict[str, dict]:
    """For `lint`: the extra names the report and plan templates see, as sample values built from
    an unanswered site, by template name. If the standard tasks cannot be loaded the names are
    still known (their attributes are then not checked)."""
    import datetime as _dt

    from readiness.assessment import assess
    from readiness.planning import schedule, standard_tasks_path
    from readiness.planning.tasks import load_standard_tasks
    from readiness.report.context import plan_data, report_data, template_variables

    try:
        a = assess(q, {}, [], site="lint", state="NC")
        spec = load_standard_tasks(standard_tasks_path(list(folders))).spec
        plan = schedule.build_plan(a, spec, _dt.date.today())
        extra = template_variables(
            report_data(a, q, plan, {}, radar_file=RADAR_FILE, radar_alt="", plan_file=""),
            plan_data(plan, timeline_file=TIMELINE_FILE, timeline_alt="", csv_file=""))
    except Exception:  # noqa: BLE001 - lint reports the tasks file's own problems elsewhere
        extra = {"report": None, "plan": None}
    return {REPORT[2]: extra, PLAN[2]: extra}


build_outputs.ids = ("readiness_report", "implementation_plan")  # what `build --only` may name
