"""What users expect of a command line (issue 15): an exit code of its own for an internal error,
shell completion, global options after the command name too, console settings passed in (never
written to the environment), one way every `--format` is printed, a progress display for builds on
a terminal only, messages not folded when standard error is not a terminal, user text never read
as markup.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLES, ROOT, invoke
from readiness.cli import app

EXE = str(Path(sys.executable).with_name("lead-readiness"))
HARBOR = EXAMPLES / "harbor-county"
ESCAPE = re.compile(r"\x1b")


def _boom(*args, **kwargs):
    raise RuntimeError("boom in the core")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEAD_READINESS_") and k != "NO_COLOR"}
    env.update(extra)
    return env


# ---------------------------------------------------------------- internal errors


def test_an_internal_error_has_its_own_exit_code_and_says_where_to_report(monkeypatch):
    import readiness.assessment as assessment

    monkeypatch.setattr(assessment, "assess_site", _boom)
    result = invoke("score", HARBOR)
    assert result.exit_code == 70
    assert result.stderr.startswith("Error: unexpected internal problem (RuntimeError: boom in the core). "
                                    "This is a fault in lead-readiness, not in your files. Please report it to ")
    assert "rerun with --debug (or LEAD_READINESS_DEBUG=1)" in result.stderr
    assert "Traceback" not in result.output and result.stdout == ""


def test_debug_shows_the_exception_instead(monkeypatch):
    import readiness.assessment as assessment

    monkeypatch.setattr(assessment, "assess_site", _boom)
    with pytest.raises(RuntimeError, match="boom in the core"):
        invoke("--debug", "score", HARBOR)
    with pytest.raises(RuntimeError, match="boom in the core"):
        invoke("score", HARBOR, "--debug")  # a global option after the command, too
    monkeypatch.setenv("LEAD_READINESS_DEBUG", "1")
    with pytest.raises(RuntimeError, match="boom in the core"):
        invoke("score", HARBOR)


# The internal error forced in a real process: the core function replaced before the app runs.
FORCED = ("import sys, readiness.assessment as a\n"
          "def boom(site): raise RuntimeError('boom in the core')\n"
          "a.assess_site = boom\n"
          "from readiness.cli import app\n"
          "sys.argv = ['lead-readiness', 'score', sys.argv[1]]\n"
          "app()\n")


def test_an_internal_error_in_a_real_process_exits_70_without_a_traceback():
    done = subprocess.run([sys.executable, "-c", FORCED, str(HARBOR)], capture_output=True, text=True,
                          env=_env(), timeout=300)
    assert done.returncode == 70, done.stderr
    assert done.stderr.startswith("Error: unexpected internal problem (RuntimeError: boom in the core)")
    assert "Traceback" not in done.stderr and done.stdout == ""
    debug = subprocess.run([sys.executable, "-c", FORCED, str(HARBOR)], capture_output=True, text=True,
                           env=_env(LEAD_READINESS_DEBUG="1"), timeout=300)
    assert debug.returncode != 0 and "Traceback" in debug.stderr and "RuntimeError: boom in the core" in debug.stderr


def test_the_internal_error_code_is_documented():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("### Exit codes", 1)[1].split("###", 1)[0]
    assert re.search(r"^\| 70 \| .*internal.*report", table, re.M | re.I), table


# ---------------------------------------------------------------- shell completion


def test_show_completion_prints_a_bash_completion_script(monkeypatch):
    monkeypatch.setenv("SHELL", "/bin/bash")
    result = CliRunner().invoke(app, ["--show-completion", "bash"],
                                prog_name="lead-readiness")
    assert result.exit_code == 0, result.output
    assert "complete -o default -F _lead_readiness_completion lead-readiness" in result.stdout
    assert "_LEAD_READINESS_COMPLETE=complete_bash" in result.stdout


def test_install_completion_writes_the_script_into_the_home_folder(monkeypatch):
    monkeypatch.setenv("SHELL", "/bin/bash")
    result = CliRunner().invoke(app, ["--install-completion", "bash"], prog_name="lead-readiness")
    assert result.exit_code == 0, result.output
    home = Path(os.environ["HOME"])  # the test's own home (conftest)
    script = home / ".bash_completions" / "lead-readiness.sh"
    assert "_lead_readiness_completion" in script.read_text()
    assert f"source '{script}'" in (home / ".bashrc").read_text()


def test_the_completion_script_completes_commands_and_format_choices():
    def complete(words: str, cword: int) -> list[str]:
        done = subprocess.run([EXE], capture_output=True, text=True, timeout=300,
                              env=_env(_LEAD_READINESS_COMPLETE="complete_bash", COMP_WORDS=words, COMP_CWORD=str(cword)))
        return done.stdout.split()

    assert complete("lead-readiness sc", 1) == ["score", "schema"]
    assert complete("lead-readiness score SITE --format ", 4) == ["table", "json", "markdown"]


# ---------------------------------------------------------------- global options and console settings


def test_plain_after_the_command_is_the_same_as_before_it():
    before = invoke("--plain", "score", HARBOR)
    after = invoke("score", HARBOR, "--plain")
    fancy = invoke("score", HARBOR)
    assert before.exit_code == after.exit_code == fancy.exit_code == 0
    assert after.stdout == before.stdout
    assert "━" in fancy.stdout and "━" not in after.stdout and "#" in after.stdout  # ASCII boxes and bars


def test_global_options_are_listed_once_in_the_apps_help_not_in_every_command():
    assert "--plain" in invoke("--help").stdout
    assert "--plain" not in invoke("score", "--help").stdout


def test_plain_is_passed_in_not_written_to_the_environment():
    assert "LEAD_READINESS_PLAIN" not in os.environ
    assert invoke("--plain", "plan", HARBOR).exit_code == 0
    assert "LEAD_READINESS_PLAIN" not in os.environ
    later = invoke("score", HARBOR)  # the next run in the same process is not plain
    assert "━" in later.stdout


def test_console_settings_come_from_the_environment_with_the_command_line_on_top(monkeypatch):
    from readiness import console

    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("LEAD_READINESS_PLAIN", "0")
    found = console.Settings.from_environment()
    assert found == console.Settings(plain=False, no_color=True)
    assert console.Settings.from_environment(plain=True).plain
    try:
        console.configure(console.Settings(plain=True, width=44))
        assert console.plain_mode() and console.out().width == 44 and console.err().width == 44
        assert console.out().color_system is None
    finally:
        console.configure(console.Settings.from_environment())
    assert not console.plain_mode()


# ---------------------------------------------------------------- one helper for --format


FORMATS = {"score": ["table", "json", "markdown"], "plan": ["table", "markdown", "csv", "json"],
           "compare": ["table", "json", "csv"], "review": ["table", "markdown", "json"]}


def _args(command: str, site: Path) -> list:
    if command == "compare":
        return [site, EXAMPLES / "pine-ridge-county"]
    if command == "review":
        return [site, site / "drafts" / "v001" / "mou.docx"]
    return [site]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    import shutil

    site = tmp_path_factory.mktemp("formats") / "harbor"
    shutil.copytree(HARBOR, site)
    result = invoke("build", site, "--only", "mou")
    assert result.exit_code == 0, result.output
    return site


@pytest.mark.parametrize("command", sorted(FORMATS))
def test_every_format_of_every_command_prints_its_kind_of_output(command, built):
    help_text = invoke(command, "--help").stdout
    assert "<" + "|".join(FORMATS[command]) + ">" in help_text  # the choices, as --help lists them
    for fmt in FORMATS[command]:
        result = invoke(command, *_args(command, built), "--format", fmt)
        assert result.exit_code == 0, (fmt, result.output)
        text = result.stdout
        if fmt == "json":
            assert isinstance(json.loads(text), (dict, list)) and text.endswith("\n")
        elif fmt == "csv":
            rows = list(csv.reader(io.StringIO(text)))
            assert len(rows) >= 2 and len(rows[0]) > 2
        elif fmt == "markdown":
            assert text.lstrip().startswith("#")
        else:
            assert text.strip() and not text.lstrip().startswith(("{", "[", "#"))


def test_emit_calls_only_the_maker_of_the_format_asked_for(capsys):
    from readiness import console

    called = []

    def maker(name, value):
        def make():
            called.append(name)
            return value
        return make

    console.emit("json", table=maker("table", None), json=maker("json", {"a": "\x1b"}), markdown=maker("md", "# x\n"))
    assert called == ["json"] and capsys.readouterr().out == '{\n  "a": "\\u001b"\n}\n'
    console.emit("markdown", table=maker("table", None), json=maker("json", {}), markdown=maker("md", "# x\n"))
    assert called == ["json", "md"] and capsys.readouterr().out == "# x\n"
    with pytest.raises(ValueError):
        console.emit("csv", table=maker("table", None), json=maker("json", {}))


# ---------------------------------------------------------------- progress while building


pexpect = pytest.importorskip("pexpect")


def _terminal(command: list[str], **extra: str) -> str:
    env = _env(TERM="xterm-256color", **extra)
    child = pexpect.spawn(command[0], command[1:], env=env, encoding="utf-8", timeout=600, dimensions=(40, 160))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    return child.before


@pytest.fixture(scope="module")
def demo_on_a_terminal(tmp_path_factory) -> tuple[Path, str]:
    site = tmp_path_factory.mktemp("progress") / "[bold]demo"  # user text: never read as markup
    return site, _terminal([EXE, "demo", str(site)])


def test_building_the_demo_on_a_terminal_shows_progress(demo_on_a_terminal):
    site, text = demo_on_a_terminal
    # which steps are on screen depends on the machine's speed (the line shows after half a second),
    # so the test asks for the line and a step, not for one step in particular
    assert f"Building the demo in {site}: " in text  # the folder's "[bold]" shown as typed
    assert re.search(r": (drafting|writing|drawing|comparing|checking)\b", text), text[-2000:]
    assert "\x1b[2K" in text  # the status line is redrawn in place, then erased
    assert "Written to" in text  # and the result follows as usual


def test_a_build_piped_to_cat_shows_no_progress(demo_on_a_terminal):
    site, _ = demo_on_a_terminal
    text = _terminal(["/bin/bash", "-c", f"{EXE} build '{site}' | cat"])
    assert "Written to" in text
    assert "Building" not in text and ": drafting " not in text


def test_a_build_into_pipes_writes_nothing_but_its_messages(demo_on_a_terminal):
    site, _ = demo_on_a_terminal
    done = subprocess.run([EXE, "build", str(site)], capture_output=True, text=True, env=_env(), timeout=600)
    assert done.returncode == 0, done.stderr
    assert ": drafting " not in done.stderr and not ESCAPE.search(done.stderr + done.stdout)


def test_no_color_on_a_terminal_shows_no_progress_either(demo_on_a_terminal):
    site, _ = demo_on_a_terminal
    text = _terminal([EXE, "build", str(site), "--only", "mou"], NO_COLOR="1")
    assert "Written to" in text and ": drafting " not in text and not ESCAPE.search(text)


def test_progress_is_not_shown_for_a_task_done_sooner(monkeypatch):
    """On a terminal, a task quicker than PROGRESS_AFTER shows nothing; a longer one shows its status."""
    import time

    from rich.console import Console

    from readiness import console

    screen = io.StringIO()
    fake = Console(file=screen, force_terminal=True, width=100)
    monkeypatch.setattr(console, "err", lambda: fake)
    monkeypatch.setattr(console, "_on_terminal", lambda: True)
    with console.progress("Building X") as step:
        step("drafting A")
    assert screen.getvalue() == ""
    with console.progress("Building [bold]X", after=0.05) as step:
        step("drafting A")
        time.sleep(1.0)  # the status starts after 0.05 s, even on a loaded machine
    assert "Building [bold]X: drafting A" in screen.getvalue()


# ---------------------------------------------------------------- messages


def test_messages_are_not_folded_when_standard_error_is_not_a_terminal(tmp_path):
    name = "The " + " ".join(["Very Long"] * 12) + " County"  # 130 characters
    result = CliRunner().invoke(app,
                                ["new", str(tmp_path / "s"), "--name", name, "--state", "NC"], env={"COLUMNS": "60"})
    assert result.exit_code == 0, result.output
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"Created site {name} in ") and first.endswith(")."), result.stderr


def test_user_text_is_printed_as_text_never_as_markup(tmp_path):
    site = tmp_path / "s"
    name = "[bold]Markup[/bold] [red]County"
    assert invoke("new", site, "--name", name, "--state", "NC").stderr.startswith(f"Created site {name} in ")
    saved = invoke("answer", site, "county_name", "[link=x]Hill[/link]")
    assert saved.exit_code == 0, saved.output
    assert "Saved county_name = [link=x]Hill[/link]" in saved.stderr
    assert f"{name} (NC)" in invoke("score", site).stdout
    refused = invoke("answer", site, "[b]nope", "yes")
    assert refused.stderr.startswith("Error: unknown question id '[b]nope'")


def test_new_with_a_questionnaire_records_it_and_keeps_the_site_files_header(tmp_path):
    from conftest import MINI

    site = tmp_path / "s"
    assert invoke("new", site, "--name", "Test County", "--state", "NC", "--questionnaire", MINI).exit_code == 0
    text = (site / "site.yaml").read_text(encoding="utf-8")
    assert text.startswith("# A lead-readiness site.")
    assert f"questionnaire_file: {MINI.resolve()}" in text
    assert invoke("answer", site, "county_name", "Test County").exit_code == 0  # the mini questionnaire's
