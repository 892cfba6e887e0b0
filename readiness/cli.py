"""The command line: parse, call one core function, present. The one place errors become exit codes.

Core modules are imported inside each command so `--help` stays fast.
"""
from __future__ import annotations

import gc

# The garbage collector during start-up (issue 15): a command imports typer, pydantic, PyYAML and
# Jinja and builds the questionnaire's models, hundreds of thousands of long-lived objects and almost
# no reference cycles, and with the default thresholds (700, 10, 10) the collector runs over a
# hundred times over them for nothing: about 45 ms of a `score`. A higher first threshold keeps it
# collecting (every 100,000 net allocations, so a long `build` still frees its cycles) without that
# cost. Set before typer is imported (its import alone made some forty collections). The collector
# is never disabled: `interview` (a session of an hour or more) goes back to the defaults, with what
# start-up made frozen out of every later collection (`_long_session_gc`).
DEFAULT_GC_THRESHOLDS = gc.get_threshold()
START_UP_GC_THRESHOLDS = (100_000, 50, 100)
gc.set_threshold(*START_UP_GC_THRESHOLDS)

import errno  # noqa: E402 - after the collector's start-up thresholds
import functools  # noqa: E402
import sys  # noqa: E402
from enum import Enum  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, Callable, Optional  # noqa: E402

import typer  # noqa: E402
from typer.core import TyperGroup, TyperOption  # noqa: E402

from readiness import __version__  # noqa: E402
from readiness.errors import ExitCode, ReadinessError  # noqa: E402


def _long_session_gc() -> None:
    """Garbage collection for a long interactive session: what start-up made is moved out of the
    collector's way (`gc.freeze`), then the usual thresholds, so the session's garbage is freed as
    often as in any Python program."""
    gc.freeze()
    gc.set_threshold(*DEFAULT_GC_THRESHOLDS)


DEBUG_VARIABLE = "LEAD_READINESS_DEBUG"  # set (not 0): full tracebacks for unexpected errors, as --debug
GLOBAL_FLAGS = ("plain", "debug")  # accepted before the command name and after it


class _Group(TyperGroup):
    """The app's command group: each command also takes the global flags, so `score SITE --plain` is
    `--plain score SITE`. They stay out of each command's --help (the app's --help lists them)."""

    def __init__(self, **kwargs) -> None:
        import copy

        super().__init__(**kwargs)
        given = [p for p in self.params if p.name in GLOBAL_FLAGS and isinstance(p, TyperOption)]
        for command in self.commands.values():
            for param in given:
                repeated = copy.copy(param)
                repeated.hidden, repeated.expose_value = True, False
                repeated.callback = _global_flag_after_command
                command.params.append(repeated)


def _global_flag_after_command(ctx, param, value):
    if value:
        {"plain": _set_plain, "debug": _set_debug}[param.name](True)
    return value


app = typer.Typer(
    name="lead-readiness",
    cls=_Group,
    help="Assess a county's readiness for LEAD / pre-arrest diversion, and draft its documents.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

_state = {"debug": False}


def handled(fn):
    """Turn our errors into `Error: ...` on stderr with a fixed exit code; never a traceback
    unless --debug is given. What the operating system refuses (a full disk, no permission, a
    read-only folder, a closed or full standard output) is the user's to fix, not a bug: one line
    with the path. A closed pipe (`score SITE | head -1`) ends the command quietly, as Unix tools do."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from readiness.console import OutputFailed, flush_out
        from readiness.kernel.models import without_pydantic_plugins

        without_pydantic_plugins()
        try:
            _check_arguments(kwargs)
            result = fn(*args, **kwargs)
            flush_out()  # a full or closed output fails here, inside the error boundary
            return result
        except BrokenPipeError:
            _quiet_stdout()
            raise typer.Exit(int(ExitCode.BROKEN_PIPE)) from None
        except ReadinessError as exc:
            if isinstance(exc, OutputFailed):
                _quiet_stdout()
            _report(str(exc))
            raise typer.Exit(int(exc.exit_code)) from None
        except KeyboardInterrupt:
            _report("interrupted. Everything answered so far is saved.")
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except OSError as exc:
            if _state["debug"]:
                raise
            _report(os_error_message(exc))
            raise typer.Exit(int(ExitCode.BAD_INPUT)) from None
        except Exception as exc:  # a bug: say so plainly, show details only on request
            if _state["debug"]:
                raise
            _report(internal_error_message(exc))
            raise typer.Exit(int(ExitCode.INTERNAL)) from None

    return wrapper


REPORT_TO = "the lead-readiness maintainers (the project's issue tracker)"


def internal_error_message(exc: BaseException) -> str:
    """What an unexpected exception (a bug) tells the user: that it is not their doing, where to
    report it, and how to see the details."""
    return (f"unexpected internal problem ({type(exc).__name__}: {exc}). This is a fault in lead-readiness, "
            f"not in your files. Please report it to {_report_to()} with the command you ran and this message; "
            f"rerun with --debug (or {DEBUG_VARIABLE}=1) to see the details.")


def _report_to() -> str:
    """The package's issue tracker when its metadata names one (Project-URL: Issues, ...)."""
    try:
        from importlib.metadata import metadata

        for entry in metadata("lead-readiness").get_all("Project-URL") or []:
            label, _, url = entry.partition(",")
            if label.strip().lower() in ("issues", "bug tracker", "bugs", "tracker") and url.strip():
                return url.strip()
    except Exception:  # no metadata (run from a checkout): the plain words will do
        pass
    return REPORT_TO


def _check_arguments(kwargs: dict) -> None:
    """Text given on the command line that is not valid UTF-8 (the shell passed raw bytes) is refused
    before anything is saved; paths may hold any bytes the file system allows."""
    import re

    for name, value in kwargs.items():
        if isinstance(value, str) and re.search("[\ud800-\udfff]", value):
            shown = name.replace("_", "-").upper() if name in ("value", "question_id") else "--" + name.replace("_", "-")
            raise ReadinessError(f"{shown} is not valid UTF-8 text",
                                 hint="type it again; check the terminal's character encoding is UTF-8")


def _os_reason(exc: OSError) -> str:
    return (exc.strerror or str(exc) or type(exc).__name__).rstrip(".").lower()


_OS_HINTS = {
    errno.ENOSPC: "free some disk space, then run the command again; nothing half-written was kept",
    errno.EDQUOT: "free some space in your quota, then run the command again",
    errno.EROFS: "the disk is read-only: copy the site to a folder you can write to",
    errno.EACCES: "check the permissions of this file and its folder, or ask whoever shares the folder",
    errno.EPERM: "check the permissions of this file and its folder, or ask whoever shares the folder",
}


def os_error_message(exc: OSError) -> str:
    """`cannot use PATH: reason (how to fix)`, for an error the operating system raised."""
    where = f" {exc.filename}" if exc.filename is not None else ""
    if exc.filename2 is not None:
        where += f" -> {exc.filename2}"
    hint = _OS_HINTS.get(exc.errno or 0)
    return f"cannot use{where}: {_os_reason(exc)}" + (f" ({hint})" if hint else "")


def _quiet_stdout() -> None:
    """Point standard output at /dev/null so the interpreter's own final flush says nothing."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a real file (tests) or already gone
        pass


def _report(message: str) -> None:
    from rich.text import Text

    from readiness.console import err, safe_text

    # The message carries user text (names, answers, paths): never markup, never raw escapes.
    try:
        err().print(Text.assemble(("Error:", "bold red"), " ", safe_text(message)), highlight=False, soft_wrap=True)
    except (OSError, ReadinessError):  # standard error itself is closed or full: the exit code still says it
        pass


def write_out(text: str) -> None:
    from readiness.console import write_out as write

    write(text)


def _json_out(data) -> None:
    from readiness.console import json_text

    write_out(json_text(data))


def _emit(fmt: str, *, table: Callable[[], None], **makers: Optional[Callable[[], Any]]) -> None:
    """The one way a command with `--format` presents its result (see `console.emit`)."""
    from readiness.console import emit

    emit(fmt, table=table, **makers)


def _lazy(module: str, name: str) -> Callable[..., Any]:
    """`module.name`, imported when called: the terminal presenters load rich only for a table, the
    exporters are loaded only for their format."""

    def call(*args: Any, **kwargs: Any) -> Any:
        import importlib

        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    return call


def _version(value: bool) -> None:
    if value:
        typer.echo(f"lead-readiness {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks for unexpected errors."),
    plain: bool = typer.Option(False, "--plain", help="No color or box drawing (for screen readers and logs)."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    """Assess a county's readiness for LEAD / pre-arrest diversion, and draft its documents.

    Exit codes: 0 ok; 1 bad input or refused action; 2 usage error; 3 lint found problems;
    70 internal error (a bug to report); 130 interrupted (answers so far are saved); 141 the output
    pipe was closed (`score | head -1`).
    """
    _set_debug(debug)
    _set_plain(plain)


def _set_debug(debug: bool) -> None:
    import os

    _state["debug"] = debug or os.environ.get(DEBUG_VARIABLE, "") not in ("", "0")
    if not _state["debug"]:
        _quiet_libraries()


def _set_plain(plain: bool) -> None:
    """The console settings of this run: the environment's, with --plain on top (passed in, not
    written back to the environment)."""
    from readiness.console import Settings, configure

    configure(Settings.from_environment(plain=True if plain else None))


def _quiet_libraries() -> None:
    """Library warnings (matplotlib's about its cache folder or fonts, deprecations) are not the
    user's business: they never reach standard error. --debug shows them."""
    import logging
    import warnings

    warnings.simplefilter("ignore")
    root = logging.getLogger()
    if not any(isinstance(h, logging.NullHandler) for h in root.handlers):
        root.addHandler(logging.NullHandler())  # no "last resort" printing of library log records


# Each command's --format choices, in the order --help lists them.
ScoreFormat = Enum("ScoreFormat", [("table", "table"), ("json", "json"), ("markdown", "markdown")], type=str)


SITE = typer.Argument(..., help="The site folder (made by `lead-readiness new`).", show_default=False)
QUESTIONNAIRE = typer.Option(None, "--questionnaire", help="Use this questionnaire file instead of the site's.")
WHAT_IF = typer.Option(None, "--what-if", metavar="QUESTION=VALUE",
                       help="Show the score, stage, launch requirements and launch date as they would be with this "
                            "answer, beside today's; nothing is saved. Repeat for several answers. VALUE unknown "
                            "is \"don't know\", n/a is \"not applicable\".")


@app.command()
@handled
def new(
    site_dir: Path = typer.Argument(..., help="Folder to create for the site."),
    name: str = typer.Option(..., "--name", help='The site\'s name, e.g. "Example County".'),
    state: str = typer.Option(..., "--state", help="Two-letter state code, e.g. NC."),
    questionnaire: Optional[Path] = QUESTIONNAIRE,
) -> None:
    """Create a site folder to hold a county's answers and drafts."""
    from readiness import resources
    from readiness.questionnaire.loader import load_questionnaire
    from readiness.workspace.store import create_site

    q = load_questionnaire(questionnaire or resources.bundled_questionnaire())
    root = create_site(site_dir, name, state, q, questionnaire_file=questionnaire)
    from rich.text import Text

    from readiness.console import err, safe_text

    err().print(Text.assemble("Created site ", (safe_text(name), "bold"),
                              f" in {safe_text(root)} (questionnaire {safe_text(q.ref)})."))
    from readiness.jurisdiction import describe

    err().print(Text(f"State profile: {describe(state.strip().upper())}."))
    err().print(f"Next: lead-readiness interview {root}")


@app.command()
@handled
def answer(
    site_dir: Path = SITE,
    question_id: str = typer.Argument(..., help="The question's id."),
    value: Optional[str] = typer.Argument(None, help="The answer (yes/no, a choice value, a number, a date...)."),
    unknown: bool = typer.Option(False, "--unknown", help='Record "don\'t know" (raises a verify item).'),
    not_applicable: bool = typer.Option(False, "--not-applicable", help="Mark the question not applicable here."),
    note: Optional[str] = typer.Option(None, "--note", help="A note kept with the answer."),
    evidence: Optional[str] = typer.Option(None, "--evidence", help="Where the evidence is (a letter, a policy...)."),
    respondent: Optional[str] = typer.Option(None, "--respondent", help="Who gave this answer (respondent questions)."),
    role: Optional[str] = typer.Option(None, "--role", help="The respondent's role, e.g. Police Chief."),
    by: Optional[str] = typer.Option(None, "--by", help="Who gave a site answer."),
    questionnaire: Optional[Path] = QUESTIONNAIRE,
) -> None:
    """Set one answer, checked against its question's type and choices."""
    from readiness.questionnaire.values import display
    from readiness.workspace.store import open_site, record_answer, refuse_questionnaire_switch

    site = open_site(site_dir, questionnaire)
    refuse_questionnaire_switch(site, questionnaire)
    saved = record_answer(site, question_id, value, unknown=unknown, not_applicable=not_applicable, note=note,
                          evidence=evidence, respondent=respondent, role=role, by=by)
    parsed, status = saved.answer.value, saved.answer.status
    from readiness.console import err

    from readiness.kernel.statuses import status_label

    shown = display(saved.question, parsed) if value is not None else status_label(status)
    err().print(f"Saved {question_id} = {shown}" + (f" for {respondent}" if respondent else ""))


@app.command()
@handled
def score(
    site_dir: Path = SITE,
    format: ScoreFormat = typer.Option(ScoreFormat.table, "--format", "-f", help="table, json or markdown."),
    what_if: Optional[list[str]] = WHAT_IF,
    questionnaire: Optional[Path] = QUESTIONNAIRE,
) -> None:
    """Score a site: overall stage, launch blockers, domains, gaps and disagreements."""
    if what_if:
        import datetime as _dt

        _show_what_if(site_dir, questionnaire, what_if, _dt.date.today(), None, format.value)
        return
    site, a = _assessed(site_dir, questionnaire)
    _emit(format.value, table=lambda: _lazy("readiness.console", "show_assessment")(a),
          json=lambda: _lazy("readiness.assessment.export", "to_dict")(a, site.questionnaire),
          markdown=lambda: _lazy("readiness.assessment.export", "to_markdown")(a))


PlanFormat = Enum("PlanFormat", [("table", "table"), ("markdown", "markdown"), ("csv", "csv"), ("json", "json")], type=str)


@app.command()
@handled
def plan(
    site_dir: Path = SITE,
    start: Optional[str] = typer.Option(None, "--start", metavar="YYYY-MM-DD",
                                        help="First day of the plan (default: today)."),
    format: PlanFormat = typer.Option(PlanFormat.table, "--format", "-f", help="table, markdown, csv or json."),
    templates: Optional[Path] = typer.Option(None, "--templates", help="A template folder with its own plans/standard-tasks.yaml."),
    what_if: Optional[list[str]] = WHAT_IF,
    questionnaire: Optional[Path] = QUESTIONNAIRE,
) -> None:
    """Schedule the implementation plan: standard tasks plus one per gap, and the path to launch."""
    from readiness.planning import parse_start, plan_for_site
    from readiness.resources import template_folders

    begin = parse_start(start)
    if what_if:
        _show_what_if(site_dir, questionnaire, what_if, begin, templates, format.value)
        return
    site, a = _assessed(site_dir, questionnaire, templates)
    from readiness.planning import export

    schedule = plan_for_site(site, a, begin, template_folders(site, templates))
    _emit(format.value, table=lambda: _lazy("readiness.report.present", "show_plan")(schedule),
          json=lambda: export.to_dict(schedule), csv=lambda: export.to_csv(schedule),
          markdown=lambda: export.to_markdown(schedule))


CompareFormat = Enum("CompareFormat", [("table", "table"), ("json", "json"), ("csv", "csv")], type=str)


@app.command()
@handled
def compare(
    site_dirs: list[Path] = typer.Argument(..., metavar="SITE_DIR", help="The site folders to compare.",
                                           show_default=False),
    format: CompareFormat = typer.Option(CompareFormat.table, "--format", "-f", help="table, json or csv."),
    questionnaire: Optional[Path] = QUESTIONNAIRE,
) -> None:
    """Compare sites side by side, highest score first. A site that fails to load is reported and skipped."""
    from readiness.report import compare as comparison

    rows, failures = comparison.compare_sites(site_dirs, questionnaire)
    for failure in failures:
        _report(failure.message)
    _emit(format.value, table=lambda: _lazy("readiness.report.present", "show_comparison")(rows) if rows else None,
          json=lambda: comparison.to_dicts(rows), csv=lambda: comparison.to_csv(rows))
    if failures:
        raise typer.Exit(int(ExitCode.BAD_INPUT))


def _doc_ids(value: Optional[str]) -> Optional[list[str]]:
    return [x.strip() for x in value.split(",") if x.strip()] if value else None


def _show_build(result) -> None:
    from rich.text import Text

    from readiness.console import out, plain, safe_text, table

    c = out()
    t = table("Document", "Files", "Open items", title=f"Draft v{result.version} of {safe_text(result.site.name)}")
    for doc in result.documents:
        t.add_row(plain(doc.spec.title), plain(", ".join(p.name for p in doc.files.values())),
                  Text(str(len(doc.open_items))))
    c.print(t)
    for doc_id, title, reason in result.skipped:
        c.print(plain(f"Skipped {title} ({doc_id}): {reason}"))
    a = result.assessment
    score = "n/a" if a.score is None else f"{a.score:.1f}/100"
    verdict = "launch-ready" if a.launch_ready else "not launch-ready"
    c.print(Text(f"Assessment: {score}, stage {a.stage_label}, {verdict}"))
    for finding in result.text_findings:
        c.print(plain(f"Warning: {finding.message()} (reword the answer as a short phrase, or the template)"))
    c.print(plain(f"Written to {result.folder}"))
    if result.redlines_against is not None:
        from readiness.documents.versions import folder_name

        against = folder_name(result.redlines_against)
        olds = {r.against for _, r in result.redlines}
        since = against if olds == {result.redlines_against} else "each document's previous version"
        if result.redlines:
            c.print(plain(f"Redlines (changes since {since} as Word tracked changes) for {len(result.redlines)} "
                          f"document(s): {result.folder / 'redlines'}"))
        else:
            c.print(plain(f"No document changed since {against}: no redlines."))
        for note in result.redline_notes:
            c.print(plain(f"Note: {note}"))


@app.command()
@handled
def build(
    site_dir: Path = SITE,
    only: Optional[str] = typer.Option(None, "--only", help="Build only these documents: ids, comma-separated."),
    templates: Optional[Path] = typer.Option(None, "--templates", help="A template folder layered over the bundled pack."),
    questionnaire: Optional[Path] = QUESTIONNAIRE,
) -> None:
    """Draft the site's documents (Markdown and DOCX) into a new version folder, drafts/vNNN."""
    from readiness import charts, forked

    # matplotlib's import starts now, in a child on the second CPU, beside this process's own start
    # (issue 15). Whether the charts must be drawn is known only once the site is assessed: a build
    # that finds them all in the chart cache, or drafts no document with a chart, stops the child then.
    # That costs the second CPU a few tenths of a second it had free; a first build gains about 0.3 s.
    forked.warm(charts.prepare_drawing)
    from readiness.console import progress
    from readiness.documents.build import build_site

    try:
        with progress(f"Building {site_dir}") as step:
            result = build_site(site_dir, only=_doc_ids(only), templates_dir=templates, questionnaire=questionnaire,
                                step=step)
    finally:
        forked.end_warm()
    _notices(result.site)
    _show_build(result)


@app.command()
@handled
def diff(
    site_dir: Path = SITE,
    old: Optional[str] = typer.Argument(None, help="The older version: v1, v001 or 1 (default: the second newest)."),
    new: Optional[str] = typer.Argument(None, help="The newer version (default: the newest)."),
    docx: bool = typer.Option(False, "--docx", help="Also write, for each changed document, a Word file of the "
                              "newer version with the changes as tracked changes (in drafts/vNNN/redlines)."),
) -> None:
    """Show what changed between two draft versions, and which answers changed with them."""
    from rich.text import Text

    from readiness.console import out, plain, safe_text
    from readiness.documents.diff import diff_versions, report_lines

    c = out()
    for text, style in report_lines(diff_versions(site_dir, old, new)):
        c.print(Text(safe_text(text), style=style), soft_wrap=True)
    if docx:
        from readiness.documents.redline import redlines_between
        from readiness.documents.versions import folder_name

        n_old, n_new, folder, made, notes = redlines_between(site_dir, old, new)
        c.print(plain(""))
        for note in notes:
            c.print(plain(f"Note: {note}"))
        if not made:
            c.print(plain(f"No document changed between {folder_name(n_old)} and {folder_name(n_new)}: no redlines written."))
        for r in made:
            s = r.stats
            c.print(plain(f"Redline of {r.title}: {folder / r.name} ({s.inserted_words} word(s) inserted, "
                          f"{s.deleted_words} deleted, {s.inserted_rows + s.deleted_rows} table row(s) changed)"))


ReviewFormat = Enum("ReviewFormat", [("table", "table"), ("markdown", "markdown"), ("json", "json")], type=str)


@app.command()
@handled
def review(
    site_dir: Path = SITE,
    files: list[Path] = typer.Argument(..., metavar="FILE.docx...", help="Drafts of this site returned by reviewers.",
                                       show_default=False),
    format: ReviewFormat = typer.Option(ReviewFormat.table, "--format", "-f", help="table, markdown or json."),
    apply: bool = typer.Option(False, "--apply", help="Record the reviewers' valid answers to open items "
                               "(with the reviewer and the file as evidence). Without it nothing is recorded."),
    only: Optional[str] = typer.Option(None, "--only", help="With --apply: record only the answers to these "
                                       "questions (ids, comma-separated)."),
    questionnaire: Optional[Path] = QUESTIONNAIRE,
) -> None:
    """List the comments, replies and tracked changes reviewers left in returned drafts, by document and
    section, and the answers they gave to open items ([TO CONFIRM: ...])."""
    from readiness.documents.review import apply_proposals, review_files
    from readiness.workspace.store import open_site

    site = open_site(site_dir, questionnaire)
    _notices(site)
    if only and not apply:
        from readiness.errors import ReadinessError

        raise ReadinessError("--only chooses which answers --apply records", hint="add --apply, or leave out --only")
    result = review_files(site, files)
    applied = apply_proposals(site, result, _doc_ids(only)) if apply else []
    from readiness.documents import review as reviewing

    _emit(format.value, table=lambda: _show_review(result, applied),
          json=lambda: reviewing.to_dict(result, applied), markdown=lambda: reviewing.to_markdown(result, applied))
    from readiness.console import err, plain

    for note in result.notes:
        err().print(plain(f"Note: {note}"))
    usable = [p for p in result.proposals if p.problem is None]
    if apply:
        err().print(plain(f"Recorded {len(applied)} answer(s) from the review."
                          + (f" Next: lead-readiness build {site_dir}" if applied else "")))
    elif usable:
        err().print(plain(f"{len(usable)} answer(s) can be recorded: run again with --apply to record them."))


def _show_review(result, applied) -> None:
    from readiness.console import out, plain, table
    from readiness.documents.review import grouped

    c = out()
    if not result.remarks:
        c.print(plain("No comments, replies or tracked changes from reviewers."))
    kinds = {"comment": "Comment", "reply": "Reply", "insertion": "Inserted", "deletion": "Deleted"}
    for doc, sections in grouped(result):
        t = table("Section", "Kind", "Author", "Date", "Text", title=plain(doc).plain)
        for section, remarks in sections:
            for r in remarks:
                text = r.text + (f"  [on: {r.anchor}]" if r.anchor and r.kind == "comment" else "")
                text += f"  [to: {r.reply_to}]" if r.kind == "reply" else ""
                t.add_row(plain(section), plain(kinds[r.kind]), plain(r.author), plain(r.date[:10]), plain(text))
        c.print(t)
    if result.proposals:
        done = {id(p) for p in applied}
        t = table("Question", "Answer", "Open item", "From", "Status", title="Answers proposed for open items")
        for p in result.proposals:
            status = "recorded" if id(p) in done else (f"not usable: {p.problem}" if p.problem else "valid")
            t.add_row(plain(p.question or "-"), plain(p.text), plain(p.item), plain(p.evidence), plain(status))
        c.print(t)


@app.command()
@handled
def demo(
    out_dir: Path = typer.Argument(Path("lead-readiness-demo"), help="Where to put the demo site."),
) -> None:
    """Copy the fictional example site (Harbor County) and build its whole document pack."""
    from readiness.console import out, plain, progress
    from readiness.documents.build import build_site
    from readiness.documents.demo import DEMO_EXAMPLE, prepare_demo

    with progress(f"Building the demo in {out_dir}") as step:
        folder, copied = prepare_demo(out_dir)
        result = build_site(folder, step=step)
    _show_build(result)
    c = out()
    if copied:
        c.print(plain(f"The demo site is the fictional example '{DEMO_EXAMPLE}', copied to {folder}."))
    else:
        c.print(plain(f"{folder} is already a site: built a new draft version in it."))
    c.print(plain(f"Open first: {result.open_first}"))
    c.print(plain("Every [TO CONFIRM: ...] is an open item and carries a Word comment. Change an answer with "
                 f"`lead-readiness answer {folder} QUESTION VALUE`, build again, then run "
                 f"`lead-readiness diff {folder}` to see what changed and why."))


@app.command()
@handled
def interview(
    site_dir: Path = SITE,
    respondent: Optional[str] = typer.Option(None, "--respondent", help="Interview this stakeholder: asks the questions put to each respondent."),
    role: Optional[str] = typer.Option(None, "--role", help="The respondent's role, e.g. Police Chief."),
    agency: Optional[str] = typer.Option(None, "--agency", help="The respondent's agency, e.g. City Police Department."),
    domain: Optional[str] = typer.Option(None, "--domain", help="Ask only this domain's questions (its id)."),
    answers: Optional[Path] = typer.Option(None, "--answers", help="Take the answers from this file instead of asking: YAML shaped like answers.yaml or a respondent file, or an answer sheet (.xlsx or .csv, see answer-sheet)."),
    no_input: bool = typer.Option(False, "--no-input", help="Never prompt: fail at once unless --answers is given."),
    first_meeting: bool = typer.Option(False, "--first-meeting", help="Ask only what a first meeting needs (about 35 questions): the launch requirements, each party's commitments and the facts the first drafts use. A full interview later asks the rest."),
    role_kind: Optional[str] = typer.Option(None, "--role-kind", help="How the respondent's questions are worded: agency_head, frontline_staff, union_representative, community_member or lived_experience (default: found from --role)."),
    date: Optional[str] = typer.Option(None, "--date", metavar="YYYY-MM-DD", help="The respondent's interview date (default: today, or the date already on file)."),
    questionnaire: Optional[Path] = QUESTIONNAIRE,
) -> None:
    """Interview a site, question by question; each answer is saved at once and a rerun resumes.

    Ctrl-C stops at once (exit 130); every answer given is kept and a rerun goes on from there."""
    from readiness.interview.session import Stopped, interview as run_interview

    _long_session_gc()
    try:
        run_interview(site_dir, respondent=respondent, role=role, agency=agency, domain=domain, answers=answers,
                      no_input=no_input, questionnaire=questionnaire, first_meeting=first_meeting,
                      role_kind=role_kind, date=date)
    except Stopped as stop:
        from readiness.console import err

        err().print(stop.message, markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None


def _show_what_if(site_dir: Path, questionnaire: Optional[Path], texts: list[str], start, templates,
                  fmt: str) -> None:
    """`score`/`plan --what-if`: today beside the answers given, in memory only."""
    from readiness.report import whatif
    from readiness.resources import template_folders
    from readiness.workspace.store import open_site

    if fmt == "csv":
        raise whatif.WhatIfUsage("--what-if compares two plans, which a CSV cannot show",
                                 hint="use --format table, markdown or json")
    site = open_site(site_dir, questionnaire, templates)
    answers = whatif.parse_what_ifs(site, texts)
    _notices(site)
    result = whatif.what_if(site, answers, start, template_folders(site, templates))
    _emit(fmt, table=lambda: whatif.show(result), json=lambda: whatif.to_dict(result),
          markdown=lambda: whatif.to_markdown(result))


@app.command("answer-sheet")
@handled
def answer_sheet(
    site_dir: Path = SITE,
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="The sheet to write, .xlsx or .csv "
                                          "(default: answer-sheet.xlsx in the site folder)."),
    force: bool = typer.Option(False, "--force", help="Replace the file if it exists."),
    respondent: Optional[str] = typer.Option(None, "--respondent", help="Write the questions put to this stakeholder instead, worded for their role (default file: answer-sheet-<name>.xlsx)."),
    role: Optional[str] = typer.Option(None, "--role", help="The respondent's role, e.g. FOP Lodge 12 President: how the questions are worded."),
    role_kind: Optional[str] = typer.Option(None, "--role-kind", help="How the respondent's questions are worded, as for interview (default: found from --role)."),
    questionnaire: Optional[Path] = QUESTIONNAIRE,
) -> None:
    """Write a spreadsheet of the site's open questions, with allowed values and help, to fill in before the meeting."""
    import shlex

    from readiness.interview.sheet import default_path, sheet_respondent, write_sheet
    from readiness.workspace.store import open_site

    site = open_site(site_dir, questionnaire)
    _notices(site)
    who, kind = sheet_respondent(site, respondent, role, role_kind)
    path = output if output is not None else default_path(site, who)
    count = write_sheet(site, path, force=force, respondent=who, role_kind=kind)
    from readiness.console import err, safe_text

    err().print(safe_text(f"Wrote {count} open question{'s' if count != 1 else ''} of {site.name}"
                          + (f" for {who.name}" if who else "") + f" to {path}."),
                markup=False, highlight=False, soft_wrap=True)
    err().print(safe_text("Fill in the value column (or a status: don't know, not applicable, skipped), then: "
                          f"lead-readiness interview {shlex.quote(str(site_dir))} --answers {shlex.quote(str(path))}"
                          + (f" --respondent {shlex.quote(who.name)}" if who else "")),
                markup=False, highlight=False, soft_wrap=True)


def _assessed(site_dir: Path, questionnaire: Optional[Path], templates: Optional[Path] = None):
    """Open a site (saying what the user should know about it) and assess it; `templates`, a
    `--templates` folder, whose `states/` neighbor names the state's offices."""
    from readiness.assessment import assess_site
    from readiness.workspace.store import open_site

    site = open_site(site_dir, questionnaire, templates)
    _notices(site)
    return site, assess_site(site)


def _notices(site) -> None:
    if site.notices:
        from readiness.console import err

        for notice in site.notices:
            err().print(f"Note: {notice}")


class SchemaKind(str, Enum):
    questionnaire = "questionnaire"
    site = "site"
    answers = "answers"
    respondent = "respondent"
    pack = "pack"
    state = "state"


@app.command()
@handled
def schema(kind: SchemaKind = typer.Argument(..., help="questionnaire, site, answers, respondent, pack or state.")) -> None:
    """Print the JSON Schema of a file format, for editor validation and autocompletion."""
    from readiness.schemas import json_schema

    _json_out(json_schema(kind.value))


@app.command()
@handled
def lint(
    questionnaire: Optional[Path] = typer.Option(None, "--questionnaire", help="Questionnaire to check (default: the bundled one)."),
    templates: Optional[Path] = typer.Option(None, "--templates", help="Consultant template folder, layered over the bundled pack."),
) -> None:
    """Check a questionnaire and template pack; list every problem with file and line. Exit 3 if any."""
    from readiness.console import err, out
    from readiness.lint import lint as run_lint

    report = run_lint(questionnaire, templates)
    for problem in report.problems:
        word = "Warning" if problem.severity == "warning" else "Problem"
        out().print(f"{word}: {problem}", markup=False, highlight=False, soft_wrap=True)
    err().print(f"Checked {', '.join(report.checked)}: {len(report.errors)} problem(s), "
                f"{len(report.warnings)} warning(s).")
    if report.errors:
        raise typer.Exit(int(ExitCode.LINT_PROBLEMS))
