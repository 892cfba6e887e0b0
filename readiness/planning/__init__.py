"""Implementation planning: standard tasks plus gap tasks, scheduled to a launch date."""
from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Optional, Sequence

from readiness.planning.schedule import Plan, PlanTask, build_plan  # noqa: F401

TARGET_LAUNCH_FACT = "pilot.launch_target"
FIRST_START_YEAR, LAST_START_YEAR = 1900, 2999


def standard_tasks_path(dirs: Sequence[Path]) -> Path:
    from readiness.planning.tasks import STANDARD_TASKS_FILE

    for folder in dirs:
        candidate = Path(folder) / STANDARD_TASKS_FILE
        if candidate.exists():
            return candidate
    return Path(dirs[-1]) / STANDARD_TASKS_FILE  # reported as missing by the loader


def parse_start(text: Optional[str]) -> _dt.date:
    """`--start YYYY-MM-DD`, or today."""
    from readiness.errors import ReadinessError

    if not text:
        return _dt.date.today()
    try:
        day = _dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ReadinessError(f"--start '{text}' is not a date", hint="give it as YYYY-MM-DD, e.g. 2027-01-04") from None
    if not FIRST_START_YEAR <= day.year <= LAST_START_YEAR:
        # A plan runs for years after its start; the calendar ends in 9999.
        raise ReadinessError(f"--start '{text}' is out of range: a plan starts between {FIRST_START_YEAR} "
                             f"and {LAST_START_YEAR}", hint="give a date such as 2027-01-04")
    return day


def target_launch(site) -> Optional[_dt.date]:
    """The site's own target date for first referrals, when it gave one."""
    question = site.questionnaire.facts().get(TARGET_LAUNCH_FACT)
    answer = site.answers.get(question.id) if question else None
    if answer is None or answer.status != "answered" or not answer.value:
        return None
    try:
        return _dt.date.fromisoformat(str(answer.value)[:10])
    except ValueError:
        return None


def _worded(spec, site):
    """The tasks with their `{prosecutor}`-style titles filled in from the site's state profile."""
    from readiness.jurisdiction import wording
    from readiness.questionnaire.wording import fill_prose

    names = wording(site.profile.state, site.state_dirs, site.profile.institution_overrides())
    return type(spec).model_validate(fill_prose(spec.model_dump(), names))


def site_tasks(site, dirs: Sequence[Path] | None = None):
    """(path, loaded standard tasks) for a site, consultant folders first, checked against the site's
    questionnaire: what `plan_for_site` schedules; load once to plan the same site many times."""
    from readiness.planning.tasks import check_questions, load_standard_tasks

    from readiness import resources

    path = standard_tasks_path(dirs or resources.template_folders(site))
    loaded = load_standard_tasks(path)
    if path.resolve().parent.parent != resources.templates_dir().resolve():
        # A consultant's own tasks file must name real questions (a typo would keep a done task);
        # the bundled file may meet a consultant questionnaire without some of its questions, and a
        # task whose questions are missing simply stays in the plan.
        check_questions(loaded, site.questionnaire.by_id)
    return path, loaded


def plan_for_site(site, assessment, start: _dt.date, dirs: Sequence[Path] | None = None, tasks=None) -> Plan:
    """Load the standard tasks (consultant folders first; or take `tasks` from `site_tasks`), check
    them against the site's questionnaire and schedule the site's plan."""
    from readiness.questionnaire.conditions import condition_values

    path, loaded = tasks or site_tasks(site, dirs)
    values = condition_values(site.questionnaire, site.answers, list(site.respondents.values()))
    spec = _worded(loaded.spec, site)
    try:
        return build_plan(assessment, spec, start, values=values, target_launch=target_launch(site))
    except OverflowError:  # durations in a consultant's tasks file that run past the year 9999
        from readiness.errors import FileProblems, Problem

        raise FileProblems([Problem(f"the plan starting {start.isoformat()} would end after the year 9999",
                                    file=path, hint="check the tasks' weeks, or give an earlier --start")]) from None
