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

    def drawing(self, items: Sequence[tuple[str, Path]]) -> Drawing:
        return Drawing(self, items)


class Drawing:
    """The attachments of one build, `(kind, path)` each, written by `finish`.

    Drawing is most of a build's time: when both charts must be drawn (neither is in the chart
    cache), the timeline is drawn on a second CPU while this process draws the radar chart.  (Starting
    it earlier, beside the other documents' DOCX, measured slower: the forked child's pages are
    copied as this process writes.)  `abandon` after an error elsewhere."""

    def __init__(self, supplies: Supplies, items: Sequence[tuple[str, Path]]):
        self.supplies, self.items, self._done = supplies, list(items), False
        self._child: tuple[Path, Any] | None = None  # (the timeline's path, the charts.ChildJob drawing it)

    def finish(self) -> None:
        if self._done:
            return
        from readiness import charts

        s = self.supplies
        timelines = [path for kind, path in self.items if kind == "timeline_chart"]
        if timelines and any(kind == "radar_chart" for kind, _ in self.items) and not (
                charts.timeline_is_cached(s.plan, title=s.timeline_title)
                or charts.radar_is_cached(s.scores, title=s.radar_title)):
            path = timelines[0]
            self._child = (path, charts.ChildJob(lambda: charts.timeline_chart(s.plan, path, title=s.timeline_title),
                                                 path))
        for kind, path in self.items:
            if kind == "radar_chart":
                charts.radar_chart(s.scores, path, title=s.radar_title)
            elif kind == "plan_csv":
                from readiness.planning.export import to_csv

                Path(path).write_text(to_csv(s.plan), encoding="utf-8")
        for kind, path in self.items:
            if kind == "timeline_chart":
                if self._child is not None and self._child[0] == path:
                    self._child[1].finish()
                    self._child = None
                else:
                    charts.timeline_chart(s.plan, path, title=s.timeline_title)
        self._done = True

    def abandon(self) -> None:
        if self._child is not None:
            self._child[1].abandon()
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
