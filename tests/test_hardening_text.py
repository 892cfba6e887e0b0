"""Text is text: whatever people type (site and respondent names, roles, agencies, answers, paths)
is printed as plain text and written into the drafts as literal text.

- Terminal: square brackets are never read as rich markup (a name holding `[/]` used to give a
  traceback after the answer was saved), and characters a terminal acts on (ESC, OSC, NUL, C1
  controls, bidi overrides) are shown escaped, in every command and in the error boundary itself;
  JSON output keeps the data exact but writes them as `\\u` escapes.
- Drafts: respondent names, roles, agencies and dates are escaped as answers are; an answer that
  reads `[TO CONFIRM: ...]` is no open item, neither in the manifest nor as a Word comment.
- Files: a lone surrogate (`"\\ud800"` in YAML) or a command-line value that is not UTF-8 is
  refused where it is, before anything is saved.
- Narrow terminals (COLUMNS=20, COLUMNS=0) still show every cell whole; library warnings stay off
  standard error.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES, MINI, invoke, snapshot

EXE = str(Path(sys.executable).with_name("lead-readiness"))
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")  # what must never reach a terminal
MARKUP_NAMES = ["Ana [/] Ruiz", "[bold]Chief[/bold] Ruiz", "Ruiz [red]", "[link=http://x]Ana[/link]"]
HOSTILE = "Esc\x1b[31mRED\x1b]0;pwned\x07 NUL\x00 CSI\x9b2J RLO\u202eevil\u202c ISO\u2066x\u2069"


def _site(tmp_path: Path, name: str = "Test County") -> Path:
    site = tmp_path / "site"
    result = invoke("new", site, "--name", name, "--state", "NC", "--questionnaire", MINI)
    assert result.exit_code == 0, result.output
    return site


def _no_raw(text: str) -> None:
    found = RAW.findall(text.replace("\n", "").replace("\t", ""))
    assert not found, f"raw control characters reached the terminal: {found!r}"


# ---------------------------------------------------------------- rich markup is never interpreted


@pytest.mark.parametrize("name", MARKUP_NAMES)
def test_site_name_with_markup_is_printed_literally_by_new_and_score(tmp_path, name):
    site = _site(tmp_path, name)
    created = invoke("new", tmp_path / "other", "--name", name, "--state", "NC", "--questionnaire", MINI)
    assert created.exit_code == 0 and name in created.stderr
    result = invoke("score", site)
    assert result.exit_code == 0, result.output
    assert name in result.stdout
    plan = invoke("plan", site)
    assert plan.exit_code == 0 and name in plan.stdout


@pytest.mark.parametrize("name", MARKUP_NAMES)
def test_respondent_name_with_markup_is_saved_and_confirmed_without_a_traceback(tmp_path, name):
    site = _site(tmp_path)
    result = invoke("answer", site, "support_diversion", "4", "--respondent", name, "--role", "[/] Chief")
    assert result.exit_code == 0, result.output
    assert f"for {name}" in result.stderr and "internal problem" not in result.stderr
    [path] = (site / "respondents").glob("*.yaml")
    assert yaml.safe_load(path.read_text())["name"] == name


def test_answer_text_with_markup_is_confirmed_literally(tmp_path):
    site = _site(tmp_path)
    result = invoke("answer", site, "county_name", "Hill [/] County [bold]")
    assert result.exit_code == 0, result.output
    assert "Hill [/] County [bold]" in result.stderr


def test_error_message_holding_markup_is_one_plain_line_not_a_traceback(tmp_path):
    site = _site(tmp_path)
    before = snapshot(site)
    result = invoke("answer", site, "no_such[/]question", "yes")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: unknown question id 'no_such[/]question'")
    assert "internal problem" not in result.stderr and "Traceback" not in result.stderr
    assert snapshot(site) == before


def test_unexpected_problem_whose_text_holds_markup_is_still_reported(monkeypatch, tmp_path):
    site = _site(tmp_path)
    import readiness.assessment as assessment

    def broken(site):
        raise RuntimeError("bad [/] value \x1b[2J")

    monkeypatch.setattr(assessment, "assess_site", broken)
    result = invoke("score", site)
    assert result.exit_code == 70  # an internal error has its own exit code
    assert "unexpected internal problem (RuntimeError: bad [/] value \\x1b[2J)" in result.stderr
    _no_raw(result.stderr)


# ---------------------------------------------------------------- escape and control characters


def test_escape_sequences_in_a_site_name_are_shown_escaped_in_every_table(tmp_path):
    site = _site(tmp_path, HOSTILE)
    for args in (["score", site], ["plan", site], ["compare", site]):
        result = invoke(*args)
        assert result.exit_code == 0, result.output
        _no_raw(result.stdout + result.stderr)
        assert "Esc\\x1b[31mRED\\x1b]0;pwned\\x07" in result.stdout
        assert "RLO\\u202eevil\\u202c" in result.stdout and "CSI\\x9b2J" in result.stdout


def test_escape_sequences_in_markdown_and_csv_output_are_shown_escaped(tmp_path):
    site = _site(tmp_path, HOSTILE)
    for args in (["score", site, "-f", "markdown"], ["plan", site, "-f", "markdown"],
                 ["compare", site, "-f", "csv"]):
        result = invoke(*args)
        assert result.exit_code == 0, result.output
        _no_raw(result.stdout)
        assert "\\x1b" in result.stdout and "\\u202e" in result.stdout


@pytest.mark.parametrize("command", ["score", "plan", "compare"])
def test_json_output_keeps_the_exact_name_but_writes_no_raw_control_character(tmp_path, command):
    site = _site(tmp_path, HOSTILE)
    result = invoke(command, site, "-f", "json")
    assert result.exit_code == 0, result.output
    _no_raw(result.stdout)
    data = json.loads(result.stdout)
    name = data[0]["site"] if isinstance(data, list) else data["site"]
    assert name == HOSTILE


def test_escape_sequences_in_an_answer_are_escaped_in_the_confirmation_and_the_error(tmp_path):
    site = _site(tmp_path)
    saved = invoke("answer", site, "county_name", "Hill\x1b]0;title\x07")
    assert saved.exit_code == 0 and "Hill\\x1b]0;title\\x07" in saved.stderr
    _no_raw(saved.stderr)
    refused = invoke("answer", site, "intake_days", "12\x1b[2J")
    assert refused.exit_code == 1
    _no_raw(refused.stderr)
    assert "\\x1b[2J" in refused.stderr


def test_error_boundary_escapes_a_path_holding_escape_sequences(tmp_path):
    missing = tmp_path / "gone\x1b[2J\u202e"
    result = invoke("score", missing)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: site folder not found")
    _no_raw(result.stderr)
    assert "gone\\x1b[2J\\u202e" in result.stderr


def test_interview_progress_rule_and_review_show_markup_in_domain_titles_literally():
    from rich.console import Console

    from readiness.console import SafeConsole
    from readiness.interview import screens
    from readiness.interview.engine import ReviewRow

    console = SafeConsole(record=True, width=100, color_system=None, markup=False)

    class Progress:
        domain = "Prosecution [/] [bold]"

        def line(self):
            return self.domain + " 3/7 - 41/88 answered"

    screens.header(console, type("Q", (), {"type": "yes_no", "allow_unknown": True})(), None, Progress())
    row = ReviewRow(qid="q", domain="Prosecution [/]", text="Is it [/] in writing?",
                    shown="Yes [/] \x1b[2J", state="answered")
    screens.review(console, [row], 0)
    text = console.export_text()
    assert "Prosecution [/] [bold] 3/7" in text and "Yes [/] \\x1b[2J" in text
    assert isinstance(console, Console)


# ---------------------------------------------------------------- drafts: names are text


@pytest.fixture
def harbor(tmp_path) -> Path:
    site = tmp_path / "harbor"
    shutil.copytree(EXAMPLES / "harbor-county", site)
    return site


def test_respondent_name_role_agency_and_date_are_escaped_in_the_report(harbor):
    path = harbor / "respondents" / "angela-morrow.yaml"
    data = yaml.safe_load(path.read_text())
    data.update(name="Dr. *Angela* [Morrow]", role="Director | Clinic", agency="<b>Health</b> _Services_",
                date="2026-10-07 *")
    path.write_text(yaml.safe_dump(data))
    result = invoke("build", harbor, "--only", "readiness_report")
    assert result.exit_code == 0, result.output
    folder = harbor / "drafts" / "v001"
    markdown = (folder / "readiness-report.md").read_text()
    assert "Dr. \\*Angela\\* \\[Morrow\\]" in markdown
    assert "Director \\| Clinic" in markdown and "\\<b\\>Health\\</b\\> \\_Services\\_" in markdown
    from readiness.documents.docx_writer import dump_docx

    dump = "\n".join(dump_docx(folder / "readiness-report.docx"))
    assert "Dr. *Angela* [Morrow]" in dump and "<b>Health</b> _Services_" in dump


def test_respondent_names_in_score_markdown_are_escaped(tmp_path):
    site = _site(tmp_path)
    assert invoke("answer", site, "support_diversion", "1", "--respondent", "Ana *Bold* [x]",
                  "--role", "Chief | PD").exit_code == 0
    assert invoke("answer", site, "support_diversion", "5", "--respondent", "Bob").exit_code == 0
    result = invoke("score", site, "-f", "markdown")
    assert result.exit_code == 0, result.output
    assert "Ana \\*Bold\\* \\[x\\] (Chief \\| PD)" in result.stdout


def test_answer_that_reads_like_a_placeholder_is_not_an_open_item(harbor):
    fake = "[TO CONFIRM: fake item from an answer]"
    assert invoke("answer", harbor, "program_name", fake).exit_code == 0
    result = invoke("build", harbor, "--only", "mou")
    assert result.exit_code == 0, result.output
    folder = harbor / "drafts" / "v001"
    manifest = json.loads((folder / "manifest.json").read_text())
    [mou] = [d for d in manifest["documents"] if d["id"] == "mou"]
    assert all("fake item" not in item["text"] for item in mou["open_items"])
    assert mou["open_items"], "the real open items are still found"
    with zipfile.ZipFile(folder / "mou.docx") as z:
        comments = z.read("word/comments.xml").decode() if "word/comments.xml" in z.namelist() else ""
        body = z.read("word/document.xml").decode()
    assert "fake item" not in comments
    assert "TO CONFIRM: fake item from an answer" in body  # shown as the literal text it is


def test_escaped_placeholder_text_gives_no_open_item_in_markdown_or_word():
    from readiness.documents.context import RenderContext
    from readiness.documents.facts import md_escape
    from readiness.documents.markdown_blocks import parse_blocks

    text = f"Name: {md_escape('[TO CONFIRM: not an item]')} and [TO CONFIRM: a real item]"
    assert [i["text"] for i in RenderContext({}, {}).open_items(text)] == ["a real item"]
    [para] = parse_blocks(text)
    assert [s.item for s in para.spans if s.kind == "ph"] == ["a real item"]
    assert "".join(s.text for s in para.spans).startswith("Name: [TO CONFIRM: not an item] and ")


# ---------------------------------------------------------------- invalid Unicode


def test_lone_surrogate_in_answers_file_is_refused_with_file_and_line(tmp_path):
    site = _site(tmp_path)
    (site / "answers.yaml").write_text('answers:\n  county_name:\n    value: "Hill \\ud800 County"\n')
    result = invoke("score", site)
    assert result.exit_code == 1
    assert "answers.yaml:3:" in result.stderr and "lone surrogate" in result.stderr
    assert "internal problem" not in result.stderr


def test_lone_surrogate_in_a_questionnaire_key_is_refused_with_file_and_line(tmp_path):
    q = tmp_path / "q.yaml"
    q.write_text(MINI.read_text().replace("id: mini", 'id: mini\n"bad\\udc00key": 1', 1))
    result = invoke("new", tmp_path / "s", "--name", "X", "--state", "NC", "--questionnaire", q)
    assert result.exit_code == 1
    assert "q.yaml:3:" in result.stderr and "lone surrogate" in result.stderr
    assert not (tmp_path / "s").exists()


def test_command_line_value_that_is_not_utf8_is_refused_before_saving(tmp_path):
    site = _site(tmp_path)
    before = snapshot(site)
    result = subprocess.run([EXE.encode(), b"answer", str(site).encode(), b"county_name", b"Hill \xff County"],
                            capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
    assert result.returncode == 1
    assert result.stderr.startswith("Error: VALUE is not valid UTF-8 text")
    assert snapshot(site) == before


# ---------------------------------------------------------------- narrow terminals, library noise


def _run(*args, **env) -> subprocess.CompletedProcess:
    return subprocess.run([EXE, *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, "NO_COLOR": "1", **env})


@pytest.mark.parametrize("columns", ["20", "12", "1"])
def test_narrow_terminal_shows_every_word_of_every_cell(harbor, columns):
    result = _run("score", harbor, COLUMNS=columns)
    assert result.returncode == 0, result.stderr
    assert "…" not in result.stdout
    words = set(result.stdout.split())
    data = json.loads(_run("score", harbor, "-f", "json").stdout)
    for gap in data["gaps"][:12]:
        for word in gap["title"].split():
            assert word in words, (word, gap["title"])
    for domain in data["domains"]:
        assert all(word in words for word in domain["title"].split())


@pytest.mark.parametrize("command", ["score", "plan"])
def test_zero_columns_prints_the_whole_table_instead_of_nothing(harbor, command):
    result = _run(command, harbor, COLUMNS="0")
    assert result.returncode == 0, result.stderr
    assert "Harbor County" in result.stdout and "…" not in result.stdout
    assert ("Path to launch" if command == "plan" else "Gaps (") in result.stdout


def test_default_width_cuts_no_cell_short(harbor):
    for command in ("score", "plan"):
        result = _run(command, harbor, COLUMNS="80")
        assert result.returncode == 0 and "…" not in result.stdout


def test_library_warnings_never_reach_standard_error(harbor, tmp_path):
    not_a_folder = tmp_path / "mplconfig"
    not_a_folder.write_text("")  # matplotlib cannot use it, and says so on stderr
    result = _run("build", harbor, "--only", "readiness_report", MPLCONFIGDIR=str(not_a_folder))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
