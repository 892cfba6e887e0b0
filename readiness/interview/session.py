"""Runs one `lead-readiness interview`: checks, the session lock, the engine, and the closing summary.

The command never waits on a missing terminal: without one (or with --no-input) it either takes
`--answers FILE` or stops at once, saying how to run it.  Ctrl-C is the normal way to stop: it
raises `Stopped`, which the command line prints calmly (every answer is already saved) with exit 130.
"""
from __future__ import annotations

import contextlib
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional

from readiness.errors import ReadinessError

if TYPE_CHECKING:  # the checks below run before anything heavy is imported, so a refusal is instant
    from readiness.interview.engine import Interview, Outcome
    from readiness.workspace.store import Respondent, Site

FIRST_MEETING = "first_meeting"  # the questionnaire set `--first-meeting` asks


class Stopped(Exception):
    """The person pressed Ctrl-C: not an error. `message` says what is saved and how to go on."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def interview(site_dir: Path, *, respondent: Optional[str] = None, role: Optional[str] = None,
              agency: Optional[str] = None, domain: Optional[str] = None, answers: Optional[Path] = None,
              no_input: bool = False, questionnaire: Optional[Path] = None, first_meeting: bool = False,
              role_kind: Optional[str] = None, date: Optional[str] = None, stdin=None,
              make_asker: Optional[Callable[[], Any]] = None, echo: Optional[Callable[[str], None]] = None) -> None:
    """The whole command; raises ReadinessError for anything the person must fix, Stopped on Ctrl-C."""
    echo = echo or _echo
    if (role or agency or role_kind or date) and not respondent:
        what = "--role and --agency" if role or agency else "--role-kind and --date"
        raise ReadinessError(f"{what} describe a respondent",
                             hint=f'add --respondent "Their Name": lead-readiness interview {_q(site_dir)} '
                                  f'--respondent "Their Name" --role "{role or "Police Chief"}"')
    if first_meeting and (respondent or domain):
        raise ReadinessError("--first-meeting asks the site questions of a first meeting",
                             hint="leave out " + ("--respondent" if respondent else "--domain"))
    date = _check_date(date)
    if answers is not None:
        _from_file(site_dir, answers, respondent, role, agency, questionnaire, echo, role_kind, date)
        return
    stdin = sys.stdin if stdin is None else stdin
    if no_input or not _is_tty(stdin):
        why = "--no-input was given" if no_input else "input is not a terminal"
        raise ReadinessError(f"the interview asks questions and needs a terminal ({why})",
                             hint=f"run it in a terminal: lead-readiness interview {_q(site_dir)}\n"
                                  f"  or give the answers in a file: lead-readiness interview {_q(site_dir)} "
                                  "--answers answers.yaml (shaped like the site's answers.yaml)")
    from readiness.interview.engine import Interview
    from readiness.workspace.store import open_site, refuse_questionnaire_switch, session_lock

    site = open_site(site_dir, questionnaire)
    refuse_questionnaire_switch(site, questionnaire)
    part = _check_part(site, site_dir) if first_meeting else None
    from readiness.workspace.answering import check_role_kind

    kind = check_role_kind(site, role_kind, site_dir)
    who = _respondent(site, respondent, role, agency)
    _check_domain(site, domain, who, site_dir)
    engine = None
    try:
        with session_lock(site.root):
            if who is not None:
                _settle_respondent(site, who, kind, date)
            engine = Interview(site, who, domain, part=part, role_kind=who.role_kind if who else None)
            if make_asker is None:
                from readiness.interview.prompts import TerminalAsker, fast_prompts

                speed: contextlib.AbstractContextManager[Any]
                asker, speed = TerminalAsker(), fast_prompts()
            else:
                asker, speed = make_asker(), contextlib.nullcontext()
            for notice in site.notices:
                echo(f"Note: {notice}")
            echo(_intro(site, who, domain, part))
            with speed:
                outcome = engine.run(asker)
        for line in closing_lines(site, engine, outcome, site_dir):
            echo(line)
    except KeyboardInterrupt:
        raise Stopped(stopped_message(engine, site_dir, who, part)) from None


def stopped_message(engine: Optional[Interview], site_dir, who: Optional[Respondent], part: Optional[str]) -> str:
    """What Ctrl-C prints: how many answers this sitting saved and the command that goes on."""
    saved = engine.saved if engine is not None else 0
    return (f"Stopped. {saved} answer{'s' if saved != 1 else ''} saved; run `{_again(site_dir, who, part)}` "
            "to go on.")


def _again(site_dir, who: Optional[Respondent], part: Optional[str]) -> str:
    return (f"lead-readiness interview {_q(site_dir)}" + (f" --respondent {_q(who.name)}" if who else "")
            + (" --first-meeting" if part == FIRST_MEETING else ""))


def _check_date(date: Optional[str]) -> Optional[str]:
    if date is None:
        return None
    import datetime as _dt

    try:
        return _dt.date.fromisoformat(date.strip()).isoformat()
    except ValueError:
        raise ReadinessError(f"--date '{date}' is not a date written YYYY-MM-DD",
                             hint="for example --date 2027-03-01") from None


def _check_part(site: Site, site_dir) -> str:
    q = site.questionnaire
    if FIRST_MEETING not in q.sets:
        raise ReadinessError(f"questionnaire {q.ref} has no first-meeting questions (no `sets: first_meeting:`)",
                             hint=f"run the full interview: lead-readiness interview {_q(site_dir)}")
    return FIRST_MEETING


def _settle_respondent(site: Site, who: Respondent, kind: Optional[str], date: Optional[str]) -> None:
    """The interview date (--date, else the one on file, else today) and the kind of respondent
    (--role-kind, else the one on file, else found from --role), saved with the respondent."""
    import datetime as _dt

    from readiness.workspace.store import set_respondent_details

    q = site.questionnaire
    date = date or who.date or _dt.date.today().isoformat()
    kind = kind or (who.role_kind if who.role_kind in {r.id for r in q.respondent_roles} else None) \
        or q.role_for(None, who.role)
    if (date, kind) != (who.date, who.role_kind):
        set_respondent_details(site, who, date=date, role_kind=kind)


def _from_file(site_dir, path, respondent, role, agency, questionnaire, echo, role_kind: Optional[str] = None,
               date: Optional[str] = None) -> None:
    from readiness.interview.answers_file import apply_answers_file, read_answers_file
    from readiness.interview.engine import Interview, Outcome
    from readiness.workspace.store import open_site, refuse_questionnaire_switch

    site = open_site(site_dir, questionnaire)
    refuse_questionnaire_switch(site, questionnaire)
    from readiness.workspace.answering import check_role_kind

    kind = check_role_kind(site, role_kind, site_dir)
    imported = read_answers_file(site, path, respondent, role, agency)
    who = imported.respondent
    if who is not None and (kind or date or who.role_kind is None):
        _settle_respondent(site, who, kind, date)  # the date and the kind of respondent, as a typed sitting
    count = apply_answers_file(site, imported)
    echo(f"Saved {count} answer{'s' if count != 1 else ''} from {path}"
         + (f" for {who.name}" if who else "") + f" to {site.name}.")
    engine = Interview(site, who)
    live = engine.live_ids()
    kept = [qid for qid, a in imported.answers.items() if qid not in live and a.status != "not_applicable"]
    if kept:
        echo(f"{len(kept)} of them answer questions that do not apply with the current answers; they are kept: "
             + ", ".join(kept))
    for line in closing_lines(site, engine, Outcome(True, count), site_dir):
        echo(line)


def _is_tty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _respondent(site: Site, name: Optional[str], role: Optional[str], agency: Optional[str]) -> Optional[Respondent]:
    if not name:
        return None
    if not name.strip():
        raise ReadinessError("--respondent needs a name", hint='for example --respondent "Jordan Lee"')
    import datetime as _dt

    from readiness.workspace.store import respondent_for

    return respondent_for(site, name, role, agency, _dt.date.today().isoformat())


def _check_domain(site: Site, domain: Optional[str], who: Optional[Respondent], site_dir) -> None:
    q = site.questionnaire
    scope = "respondent" if who else "site"
    if domain is None:
        if not any(x.scope == scope for x in q.questions):
            other = f'interview a stakeholder: lead-readiness interview {_q(site_dir)} --respondent "Name"'
            raise ReadinessError(f"questionnaire {q.ref} has no {scope} questions",
                                 hint="leave out --respondent" if who else other)
        return
    if domain not in q.domains_by_id:
        from readiness.kernel.problems import did_you_mean

        raise ReadinessError(f"unknown domain '{domain}'",
                             hint=did_you_mean(domain, q.domains_by_id) or
                             "domains: " + ", ".join(d.id for d in q.domains))
    if not any(x.domain == domain and x.scope == scope for x in q.questions):
        other = "respondent" if scope == "site" else "site"
        hint = ('its questions are asked of each respondent: add --respondent "Name"' if other == "respondent"
                else "its questions are site questions: leave out --respondent")
        raise ReadinessError(f"domain '{domain}' has no {scope} questions", hint=hint)


def _intro(site: Site, who: Optional[Respondent], domain: Optional[str], set_id: Optional[str] = None) -> str:
    q = site.questionnaire
    part = f" - {q.domains_by_id[domain].title} only" if domain else ""
    if set_id is not None:
        chosen = q.sets[set_id]
        head = f"{site.name}: {chosen.title.lower()} ({q.title})."
        if chosen.description:
            head += "\n" + " ".join(chosen.description.split())
    elif who is None:
        head = f"{site.name}: site questions ({q.title}){part}."
    else:
        about = ", ".join(x for x in (who.role, who.agency) if x)
        head = f"{site.name}: interviewing {who.name}" + (f" ({about})" if about else "") + f" on {who.date}{part}."
        label = next((r.label for r in q.respondent_roles if r.id == who.role_kind), None)
        if label:
            head += (f"\nQuestions worded for: {label.lower()}"
                     " (another kind: --role-kind " + ", ".join(r.id for r in q.respondent_roles) + ").")
    return head + "\nEach answer is saved as soon as you give it; press Ctrl-C at any time to stop."


def closing_lines(site: Site, engine: Interview, outcome: Outcome, site_dir) -> list[str]:
    """What the person reads at the end: where things stand, and the next command to run.  Every
    count is an AnswerCounts, the definition `score` and the report use."""
    from readiness.assessment import assess_site
    from readiness.assessment.scoring import count_answers

    who = engine.respondent
    lines = [""]
    saved = f"{outcome.saved} answer{'s' if outcome.saved != 1 else ''} saved in this sitting"
    what = (f"questions for {who.name}" if who else f"{site.questionnaire.sets[engine.part].title.lower()} questions"
            if engine.part else "site questions")
    a = assess_site(site)
    # one person's answers are theirs alone; the site's are counted from the assessment, as `score` counts
    counts = engine.counts() if who else count_answers(site.questionnaire, a.questions, "site",
                                                       [x.id for x in engine.scope_questions] if engine.part else None)
    lines.append(f"{saved}; {counts.sentence(what)}.")
    score = "not scored yet" if a.score is None else f"{a.score:.1f}/100"
    verdict = "launch-ready" if a.launch_ready else "not launch-ready"
    per_person = sum(1 for x in site.questionnaire.questions if x.scope == "respondent")
    lines.append(f"Score {score} - stage {a.stage} - {verdict}.")
    counted = (f" (the {per_person} question{'s' if per_person != 1 else ''} asked of each respondent "
               f"count{'s' if per_person == 1 else ''} once)") if per_person else ""
    lines.append(f"Completeness {a.completeness:.0%} of applicable questions answered: {a.counts.tally()}{counted}.")
    site_arg = _q(site_dir)
    if engine.part is not None:
        lines += established_lines(site, a, engine)
        rest = a.site_counts
        if rest.open:
            lines.append(f"Still to do: the full interview asks the {rest.open} site questions still open "
                         "(nothing answered already is asked again):")
            lines.append(f"  lead-readiness interview {site_arg}")
        lines.append(f"Next: lead-readiness score {site_arg}    (the full assessment)")
        lines += _respondent_hint(site, who, site_arg)
        return lines
    failed = a.failed_gates
    if failed:
        words = {"failed": "not met", "unknown": "not known yet"}
        ordered = sorted(failed, key=lambda g: g.status != "failed")  # the ones known to fail first
        shown = "; ".join(f"{g.title} ({words[g.status]})" for g in ordered[:3])
        more = f"; and {len(failed) - 3} more" if len(failed) > 3 else ""
        lines.append(f"Launch blockers ({len(failed)}): {shown}{more}")
    if a.gaps:
        lines.append("Top gaps:")
        for n, g in enumerate(a.gaps[:3], 1):
            blocks = ", blocks launch" if g.blocks_launch else ""
            lines.append(f"  {n}. {g.action} ({g.owner}; {g.severity}{blocks})")
    if not outcome.finished:
        lines.append(f"To carry on where you stopped: {_again(site_dir, who, engine.part)}")
    lines.append(f"Next: lead-readiness score {site_arg}    (the full assessment)")
    lines.append(f"Later: lead-readiness build {site_arg}    (draft MOU, policies and report)")
    lines += _respondent_hint(site, who, site_arg)
    return lines


def established_lines(site: Site, a, engine: Interview) -> list[str]:
    """What a first meeting established: each launch requirement met, not met or not known yet,
    and, party by party (the questionnaire's domains), which of the set's commitments are in place."""
    from readiness.interview.screens import short

    q = site.questionnaire
    lines = ["What this meeting established:"]
    groups: dict[str, list[str]] = {"passed": [], "failed": [], "unknown": []}
    for g in a.gates:
        if g.status in groups:
            groups[g.status].append(g.title)
    lines.append(f"  Launch requirements ({sum(len(v) for v in groups.values())}): {len(groups['passed'])} met, "
                 f"{len(groups['failed'])} not met, {len(groups['unknown'])} not known yet")
    for status, word in (("passed", "Met"), ("failed", "Not met"), ("unknown", "Not known yet")):
        if groups[status]:
            lines.append(f"    {word}: " + "; ".join(groups[status]))
    lines.append("  Commitments, party by party:")
    in_set = [x for x in engine.scope_questions if x.is_scorable and q.domains_by_id[x.domain].scored]
    for d in q.domains:
        members = [x for x in in_set if x.domain == d.id and a.questions[x.id].applicable]
        if not members:
            continue
        placed = unknown = 0
        missing = []
        for x in members:
            r = a.questions[x.id]
            if r.status == "answered" and r.score is not None and r.score >= 1 - 1e-9:
                placed += 1
            elif r.status == "answered":
                missing.append(x.gate.title if x.gate else x.gap.title if x.gap and x.gap.title else short(x.label, 60))
            else:
                unknown += 1
        text = f"    {d.title}: {placed} of {len(members)} in place"
        if missing:
            text += "; not yet: " + "; ".join(missing)
        if unknown:
            text += f"; {unknown} not known yet"
        lines.append(text)
    return lines


def _respondent_hint(site: Site, who: Optional[Respondent], site_arg: str) -> list[str]:
    per_person = [x for x in site.questionnaire.questions if x.scope == "respondent"]
    if not per_person:
        return []
    people = sorted(site.respondents.values(), key=lambda r: r.name.lower())
    lines = []
    if people:
        lines.append("Interviewed so far (questions answered): " + "; ".join(
            f"{r.name}" + (f" ({r.role})" if r.role else "")
            + f" {sum(1 for x in per_person if x.id in r.answers and r.answers[x.id].status == 'answered')}"
            f"/{len(per_person)}" for r in people))
    label = "Interview the next stakeholder" if who else "Then interview each stakeholder"
    lines.append(f"{label} ({len(per_person)} question{'s' if len(per_person) != 1 else ''} each, "
                 "e.g. police chief, prosecutor, health department):")
    lines.append(f'  lead-readiness interview {site_arg} --respondent "Full Name" --role "Their role" '
                 '--agency "Their agency"')
    return lines


def _q(value) -> str:
    return shlex.quote(str(value))


def _echo(text: str) -> None:
    from readiness.console import out

    console = out()
    # In a terminal rich wraps at word boundaries; in a log or pipe, lines stay whole.
    console.print(text, highlight=False, markup=False, soft_wrap=not console.is_terminal)

