"""Accessibility: the drafts of a demo build are navigable in Word and by screen readers, and the
terminal output is clean under NO_COLOR and --plain.

- DOCX: real heading styles (Title, Heading 2, Heading 3 ...) whose outline levels start at 1 and never
  skip a level going down; every table's first row marked as a header row (w:tblHeader, repeated on
  each page and announced as column headers); every picture with alt text (wp:docPr/@descr); a title
  in the document properties.
- Terminal, in a real pseudo-terminal: NO_COLOR=1 gives no ANSI escape at all; --plain and
  LEAD_READINESS_PLAIN=1 also give no box-drawing or block characters (━ ┃ █ ░ ...).
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLES

pexpect = pytest.importorskip("pexpect")

EXE = str(Path(sys.executable).with_name("lead-readiness"))
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
ESCAPE = re.compile(r"\x1b[\[\]()#;?0-9]*[a-zA-Z@]?")
BOX = re.compile(r"[\u2500-\u259f]")  # box drawing, block elements (━ ┃ ┏ █ ░ ...)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("a11y") / "demo"
    env = {**os.environ, "NO_COLOR": "1"}
    subprocess.run([EXE, "demo", str(site)], env=env, capture_output=True, check=True)
    subprocess.run([EXE, "answer", str(site), "caseload_cap", "18"], env=env, capture_output=True, check=True)
    subprocess.run([EXE, "build", str(site)], env=env, capture_output=True, check=True)  # v002, for diff
    return site


def _docx_files(demo: Path) -> list[Path]:
    files = sorted((demo / "drafts" / "v001").glob("*.docx"))
    assert len(files) >= 10, files
    return files


def _outline_level(paragraph) -> int | None:
    """The paragraph's outline level (0 = level 1), from its own properties or its style's chain."""
    ppr = paragraph._p.pPr
    found = ppr.find(f"{W}outlineLvl") if ppr is not None else None
    style = paragraph.style
    while found is None and style is not None:
        sppr = style.element.pPr
        found = sppr.find(f"{W}outlineLvl") if sppr is not None else None
        style = style.base_style
    return int(found.get(f"{W}val")) if found is not None else None


def test_headings_are_real_styles_that_start_at_level_one_and_never_skip(demo):
    used: set[int] = set()
    for path in _docx_files(demo):
        import docx

        document = docx.Document(str(path))
        levels = []
        for p in document.paragraphs:
            level = _outline_level(p)
            if level is None or level > 8:
                continue
            name = p.style.name
            assert name == "Title" or re.fullmatch(r"Heading [1-9]", name), (path.name, name, p.text)
            levels.append(level + 1)
        assert levels and levels[0] == 1, (path.name, levels[:5])  # the title is the level-1 heading
        assert 2 in levels, (path.name, levels)
        for before, after in zip(levels, levels[1:]):
            assert after <= before + 1, f"{path.name}: heading level {before} is followed by level {after}"
        used.update(levels)
        assert document.core_properties.title.strip(), path.name
    assert {1, 2, 3} <= used


def test_every_table_has_a_marked_header_row(demo):
    count = 0
    for path in _docx_files(demo):
        import docx

        for table in docx.Document(str(path)).tables:
            count += 1
            trpr = table.rows[0]._tr.trPr
            assert trpr is not None and trpr.find(f"{W}tblHeader") is not None, path.name
    assert count >= 10


def test_every_picture_has_alt_text(demo):
    pictures = 0
    for path in _docx_files(demo):
        import docx

        body = docx.Document(str(path)).element.body
        for doc_pr in body.xpath(".//wp:docPr"):
            pictures += 1
            assert (doc_pr.get("descr") or "").strip(), f"{path.name}: a picture without alt text"
    assert pictures >= 1  # the report's chart at least


# ---------------------------------------------------------------- the terminal


def _run_in_terminal(args: list[str], **env_extra: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "LEAD_READINESS_PLAIN")}
    env.update(TERM="xterm-256color", **env_extra)
    child = pexpect.spawn(EXE, args, env=env, encoding="utf-8", timeout=60, dimensions=(50, 120))
    child.expect(pexpect.EOF)
    child.close()
    return child.before


def _commands(demo: Path) -> dict[str, list[str]]:
    return {"score": ["score", str(demo)], "build": ["build", str(demo)], "plan": ["plan", str(demo)],
            "compare": ["compare", str(demo), str(EXAMPLES / "pine-ridge-county"), str(EXAMPLES / "cedar-falls-county")],
            "diff": ["diff", str(demo), "v1", "v2"], "error": ["score", str(demo / "nowhere")]}


@pytest.mark.parametrize("command", ["score", "build", "plan", "compare", "diff", "error"])
def test_no_color_means_no_escape_sequences(demo, command):
    text = _run_in_terminal(_commands(demo)[command], NO_COLOR="1")
    assert len(text) > 20, text
    assert not ESCAPE.search(text), repr(ESCAPE.search(text).group(0))


@pytest.mark.parametrize("command", ["score", "build", "plan", "compare", "diff", "error"])
@pytest.mark.parametrize("how", ["--plain", "LEAD_READINESS_PLAIN=1"])
def test_plain_means_no_box_drawing_and_no_escapes(demo, command, how):
    args = _commands(demo)[command]
    text = _run_in_terminal(["--plain", *args]) if how == "--plain" else _run_in_terminal(args, LEAD_READINESS_PLAIN="1")
    assert len(text) > 20, text
    assert not BOX.search(text), f"box drawing in plain output: {BOX.findall(text)[:5]}"
    assert not ESCAPE.search(text), repr(ESCAPE.search(text).group(0))


def test_the_colourful_default_still_draws_tables(demo):
    """The checks above are not vacuous: without NO_COLOR or --plain, score draws and colours."""
    text = _run_in_terminal(_commands(demo)["score"])
    assert ESCAPE.search(text) and BOX.search(text)
