"""What the readiness report and the implementation plan need beyond the shared render context,
computed here, below the document writer, and handed to it.

Both are ordinary documents of the pack; `pack.yaml` says what each one needs:

    needs: [report, plan]          # the `report` and `plan` names its template sees
    attachments:                   # files written beside it, which its Markdown and DOCX embed or name
      - {kind: radar_chart, file: readiness-report-radar.png}

`Supplies` holds, for one build, the plan (the pack's own standard tasks first), the report's
figures and what the attachments show; each is computed on first use, so a build of other documents
pays for none of it.  `Drawing` writes the attachments into the version folder when the writer
(documents.build) asks.  Nothing here imports the document code: the data is plain, and the
writer turns it into template names.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Literal, Sequence

Need = Literal["plan", "report"]
AttachmentKind = Literal["radar_chart", "timeline_chart", "plan_csv"]
ATTACHMENT_SUFFIX: dict[str, str] = {"radar_chart": ".png", "timeline_chart": ".png", "plan_csv": ".csv"}


@dataclass(frozen=True)
class Links:
    """The files of this build that the report and plan data name ('' when the build has none)."""

    radar: str = ""  # the radar chart
    timeline: str = ""  # the timeline chart
    csv: str = ""  # the plan as CSV
    plan_document: str = ""  # the Word file (else Markdown) of the document that carries the plan's CSV


class Supplies:
    """The plan, the report's figures and the charts' texts for one build, computed on first use."""

    def __init__(self, questionnaire, assessment, values: dict[str, Any], *, site_name: str,
                 make_plan: Callable[[], Any], make_moves: Callable[[Any], list] | None = None,
                 titles: dict[str, str] | None = None):
        self.questionnaire, self.assessment, self.values = questionnaire, assessment, values
        self.site_name = site_name
        self.titles = titles  # the site's `{prosecutor}`-style names; None: neutral
        self._make_plan = make_plan
        self._make_moves = make_moves
        self._drawing: Drawing | None = None  # the attachments being drawn (`start_drawing`)

    @classmethod
    def for_site(cls, site, assessment, today: _dt.date, folders: Sequence[Path]) -> Supplies:
        """A site's supplies; the standard tasks come from the first of `folders` that has them."""
        from readiness.questionnaire.conditions import condition_values
        from readiness.planning import plan_for_site
        from readiness.report.whatif import Outlook, best_moves

        from readiness.jurisdiction import wording

        values = condition_values(site.questionnaire, site.answers, list(site.respondents.values()))
        titles = wording(site.profile.state, site.state_dirs, site.profile.institution_overrides())
        return cls(site.questionnaire, assessment, values, site_name=site.name,
                   make_plan=lambda: plan_for_site(site, assessment, today, dirs=list(folders)),
                   make_moves=lambda plan: best_moves(site, Outlook(assessment, plan), today, list(folders)),
                   titles=titles)

    @cached_property
    def plan(self):
        return self._make_plan()

    @cached_property
    def moves(self) -> list:
        """The answers that would bring the launch date closest (report/whatif.best_moves)."""
        return self._make_moves(self.plan) if self._make_moves else []

    @cached_property
    def scores(self):
        from readiness.report.context import domain_scores

        return domain_scores(self.assessment)

    @property
    def radar_title(self) -> str:
        return f"Readiness by domain: {self.site_name}"

    @property
    def timeline_title(self) -> str:
        return f"Implementation timeline: {self.site_name}"

    def prepare(self, kinds: Sequence[str]) -> None:
        """Compute now what these attachments will be drawn from, so its problems (a consultant's
        standard tasks file, say) come up while nothing is written yet."""
        if any(kind != "radar_chart" for kind in kinds):
            self.plan  # noqa: B018 - computed and kept

    def data(self, needs: Sequence[str], links: Links) -> dict[str, dict]:
        """{name: plain data} for the names a document's template needs."""
        from readiness import charts
        from readiness.report.context import plan_data, report_data

        out: dict[str, dict] = {}
        if "report" in needs:
            out["report"] = report_data(self.assessment, self.questionnaire, self.plan, self.values,
                                        radar_file=links.radar, radar_alt=charts.radar_alt_text(self.site_name, self.scores),
                                        plan_file=links.plan_document, moves=self.moves, titles=self.titles)
        if "plan" in needs:
            out["plan"] = plan_data(self.plan, timeline_file=links.timeline,
                                    timeline_alt=charts.timeline_alt_text(self.plan), csv_file=links.csv)
        return out

    def drawing(self, items: Sequence[tuple[str, str]]) -> Drawing:
        """The drawing of these attachments, `(kind, file name)` each: the one `start_drawing` began
        for the same attachments, else a new one."""
        drawing = self._drawing
        if drawing is not None and drawing.items == list(items):
            return drawing
        if drawing is not None:
            drawing.abandon()
        self._drawing = Drawing(self, items)
        return self._drawing

    def abandon_drawing(self) -> None:
        """Stop the drawing `start_drawing` began (the build failed before writing its attachments)."""
        if self._drawing is not None:
            self._drawing.abandon()

    def start_drawing(self, items: Sequence[tuple[str, str]]) -> Drawing:
        """Begin drawing these attachments' charts now, on a second CPU, while the documents are
        rendered and written (`Drawing.start`)."""
        drawing = self.drawing(items)
        drawing.start()
        return drawing


class Drawing:
    """The attachments of one build, `(kind, file name)` each, written into the version folder by `finish`.

    Drawing the charts is most of a build's time: `start` (as soon as the build knows which documents
    it drafts) hands every chart that is not in the chart cache to one child process
    (readiness/forked.py), which imports matplotlib and draws while this process renders and writes the
    other documents; `finish` collects them (or draws here what the child could not).  A child the
    build command started early (forked.warm: matplotlib imported beside the build's own start) takes
    the charts when there is one.  `abandon` after an error elsewhere."""

    def __init__(self, supplies: Supplies, items: Sequence[tuple[str, str]]):
        self.supplies, self.items = supplies, list(items)
        self._child: Any = None  # the forked.ForkedJobs drawing the charts not in the cache
        self._started = self._done = False

    def _jobs(self) -> dict[str, Callable[[Path], Path]]:
        """{file name: draw the chart at a path} for every chart of the attachments."""
        from readiness import charts

        s = self.supplies
        jobs: dict[str, Callable[[Path], Path]] = {}
        for kind, name in self.items:
            if kind == "radar_chart":
                jobs[name] = lambda path: charts.radar_chart(s.scores, path, title=s.radar_title)
            elif kind == "timeline_chart":
                jobs[name] = lambda path: charts.timeline_chart(s.plan, path, title=s.timeline_title)
        return jobs

    def _specs(self) -> dict[str, tuple]:
        """The charts' jobs as picklable specs (forked.Spec: function, arguments, keywords), for a
        child started before this build's data existed (forked.warm)."""
        from readiness import charts

        s = self.supplies
        specs: dict[str, tuple] = {}
        for kind, name in self.items:
            if kind == "radar_chart":
                specs[name] = (charts.radar_chart, (list(s.scores),), {"title": s.radar_title})
            elif kind == "timeline_chart":
                specs[name] = (charts.timeline_chart_of, (charts.timeline_spec(s.plan, title=s.timeline_title),), {})
        return specs

    def start(self) -> None:
        if self._started:
            return
        from readiness import charts

        self._started = True
        s = self.supplies
        cached = {"radar_chart": lambda: charts.radar_is_cached(s.scores, title=s.radar_title),
                  "timeline_chart": lambda: charts.timeline_is_cached(s.plan, title=s.timeline_title)}
        kinds = {name: kind for kind, name in self.items}
        jobs = {name: job for name, job in self._jobs().items() if not cached[kinds[name]]()}
        from readiness import forked

        if jobs:
            specs = self._specs()
            self._child = forked.ForkedJobs(jobs, suffix=".png", specs={name: specs[name] for name in jobs})
        else:
            forked.end_warm()  # every chart comes from the cache: a child started early has nothing to do

    def busy(self) -> bool:
        """Whether a child process is drawing charts now, on the second CPU."""
        return self._child is not None and self._child.busy()

    def finish(self, folder: Path) -> None:
        """Write every attachment into `folder`: the charts the child drew, the rest drawn (or copied
        from the chart cache) here, the plan's CSV; once."""
        if self._done:
            return
        self._done = True
        jobs = self._jobs()
        try:
            for kind, name in self.items:
                path = Path(folder) / name
                if kind == "plan_csv":
                    from readiness.planning.export import to_csv

                    path.write_text(to_csv(self.supplies.plan), encoding="utf-8")
                elif self._child is not None and name in self._child.jobs:
                    self._child.take(name, path)
                else:
                    jobs[name](path)
        finally:
            self.abandon()

    def abandon(self) -> None:
        if self._child is not None:
            self._child.close()
            self._child = None


def sample_supplies(questionnaire, folders: Sequence[Path], today: _dt.date | None = None):
    """For `lint`: supplies of an unanswered site, so the report and plan templates' names and
    attributes can be checked. Returns (supplies, problems of the pack's standard tasks file); when
    that file has problems the names are checked against the bundled tasks."""
    from readiness import resources
    from readiness.assessment import assess
    from readiness.errors import FileProblems
    from readiness.planning import schedule, standard_tasks_path
    from readiness.planning.tasks import STANDARD_TASKS_FILE, load_standard_tasks

    a = assess(questionnaire, {}, [], site="lint", state="NC")
    problems: list = []

    def make_plan():
        try:
            spec = load_standard_tasks(standard_tasks_path(list(folders))).spec
        except FileProblems as exc:
            problems.extend(exc.problems)
            spec = load_standard_tasks(resources.templates_dir() / STANDARD_TASKS_FILE).spec
        return schedule.build_plan(a, spec, today or _dt.date.today())

    return Supplies(questionnaire, a, {}, site_name="lint", make_plan=make_plan), problems
