"""`score` laid out without rich (issue 15): the same characters rich prints, or rich prints."""
from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from readiness import console, plain_layout
from readiness.plain_layout import Grid, Line

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p for p in (ROOT / "examples").iterdir() if (p / "site.yaml").exists())


@pytest.fixture(autouse=True)
def _settings_restored():
    before = console.settings()
    yield
    console.configure(before)


def _by_rich(blocks, width: int, plain: bool) -> str:
    console.configure(console.Settings(plain=plain, no_color=True, width=width))
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        console.print_blocks(blocks)
    return buf.getvalue()


@pytest.fixture(scope="module")
def assessments():
    from readiness.assessment import assess_site
    from readiness.workspace.store import open_site

    return {p.name: assess_site(open_site(p, None, None)) for p in EXAMPLES}


def test_every_example_is_laid_out_as_rich_lays_it_out_at_every_width(assessments):
    lists = tables = 0
    for name, a in assessments.items():
        for plain in (False, True):
            console.configure(console.Settings(plain=plain, no_color=True))
            blocks = console.assessment_blocks(a)
            for width in range(20, 161):
                got = plain_layout.layout(blocks, width, ascii_box=plain)
                assert got is not None and got == _by_rich(blocks, width, plain), (name, plain, width)
                lists += "- Domain: " in got
                tables += "Domain " in got and "- Domain: " not in got
    assert lists and tables  # both the narrow list and the table were compared


AWKWARD = [
    Line([("Caf\u00e9 \u201cquoted\u201d \u2013 dash\u2026 and\u00a0no-break space", "bold"), (" tail ", "")]),
    Grid("A title long enough to be wrapped when the table is narrow", ["#", "Gap", "", "Owner"], [
        [[("1", "")], [("supercalifragilisticexpialidocious-and-then-some-more-words", "")], [("", "")],
         [("Two\nlines\n", "")]],
        [[("12", "")], [("  spaces around  ", "")], [("x", "red")], [("", "")]],
        [[("3", "")], [("a b c d e f g h i j k l m n o p q r s t u v w x y z", "")], [("\n\nthird", "")],
         [("Project manager", "bold")]],
    ]),
    Line([("* blocks launch", "")]),
]


def test_awkward_text_is_laid_out_as_rich_lays_it_out():
    for plain in (False, True):
        for width in range(20, 121):
            assert plain_layout.layout(AWKWARD, width, ascii_box=plain) == _by_rich(AWKWARD, width, plain), (plain, width)


@pytest.mark.parametrize("text", ["Wide \u770c characters", "an emoji \U0001f691", "a\ttab", "soft\u00adhyphen",
                                  "e\u0301 combining"])
def test_text_it_cannot_measure_is_left_to_rich(text):
    blocks = [Grid("T", ["Gap"], [[[(text, "")]]])]
    assert plain_layout.layout(blocks, 80, ascii_box=False) is None


def test_every_character_it_measures_is_one_column_wide_for_rich():
    from rich.cells import cell_len

    assert all(cell_len(c) == 1 for c in plain_layout._one_column_characters() if c != "\n")


@pytest.mark.parametrize("env", [{}, {"COLUMNS": "100"}, {"COLUMNS": "100", "LINES": "30"}, {"COLUMNS": "7"},
                                 {"COLUMNS": "0"}, {"COLUMNS": "wide"}, {"TERM": "dumb", "COLUMNS": "120"}])
def test_the_width_is_the_one_rich_would_print_in(monkeypatch, env):
    for key in ("COLUMNS", "LINES", "TERM", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    console.configure(console.Settings(no_color=True))
    assert plain_layout.console_width(None) == console.out().width
    console.configure(console.Settings(no_color=True, width=66))
    assert plain_layout.console_width(66) == console.out().width == 66


def test_colors_asked_for_are_left_to_rich(monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert plain_layout.console_width(None) is None


def _score(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items()
            if not k.startswith("LEAD_READINESS_") and k not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS")}
    script = ("import runpy, sys\nsys.argv = ['lead-readiness', 'score', *sys.argv[1:]]\n"
              "try:\n    runpy.run_module('readiness', run_name='__main__')\n"
              "finally:\n    sys.stderr.write(' '.join(m for m in sys.modules if m.startswith('rich')))\n")
    return subprocess.run([sys.executable, "-c", script, str(ROOT / "examples" / "harbor-county"), *args],
                          capture_output=True, text=True, cwd=ROOT, env={**base, **env}, timeout=300)


def test_score_in_a_pipe_prints_its_tables_without_rich_and_in_color_through_rich():
    piped = _score(COLUMNS="100")
    assert piped.returncode == 0 and "Gaps (" in piped.stdout and "\x1b" not in piped.stdout
    assert "rich" not in piped.stderr
    colored = _score(COLUMNS="100", FORCE_COLOR="1")
    assert colored.returncode == 0 and "\x1b[" in colored.stdout and "rich.table" in colored.stderr
    import re

    assert re.sub(r"\x1b\[[0-9;]*m", "", colored.stdout) == piped.stdout


