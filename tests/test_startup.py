"""Start-up that stays fast (issue 15): what a short command does not pay for, with its output
unchanged. (How fast it is, is measured by benchmarks/bench_cli.py, never asserted here.)"""
from __future__ import annotations

import gc
import io
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "examples" / "harbor-county"


def _run(script: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEAD_READINESS_")}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(script), *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=300)


SCORE_AND_LIST_MODULES = """
    import runpy, sys
    sys.argv = ["lead-readiness", "score", *sys.argv[1:]]
    try:
        runpy.run_module("readiness", run_name="__main__")
    except SystemExit as exc:
        assert not exc.code, exc.code
    finally:
        sys.stderr.write("\\nMODULES " + " ".join(sorted(sys.modules)))
"""


def _modules(done: subprocess.CompletedProcess) -> set[str]:
    return set(done.stderr.rsplit("MODULES ", 1)[1].split())


def test_score_as_json_or_markdown_never_imports_rich():
    for fmt, mark in (("json", '"overall"'), ("markdown", "# ")):
        done = _run(SCORE_AND_LIST_MODULES, str(SITE), "--format", fmt)
        assert mark in done.stdout, done.stderr[-2000:]
        assert not {m for m in _modules(done) if m == "rich" or m.startswith("rich.")}, fmt


def test_score_as_a_table_in_color_still_prints_through_rich():
    """(In a pipe or under NO_COLOR the tables are laid out without rich: tests/test_plain_layout.py.)"""
    done = _run(SCORE_AND_LIST_MODULES.replace("import runpy, sys", "import os, runpy, sys; os.environ['FORCE_COLOR'] = '1'"),
                str(SITE))
    assert "Domains" in done.stdout and "Gaps (" in done.stdout, done.stderr[-2000:]
    assert "rich.table" in _modules(done)


def test_the_console_module_loads_without_rich_and_gives_its_rich_classes_on_demand():
    done = _run("""
        import sys
        from readiness import console
        assert "rich" not in sys.modules
        assert console.json_text({"a": "\\x1b"}) == '{\\n  "a": "\\\\u001b"\\n}\\n'
        from rich.console import Console
        from rich.table import Table
        assert issubclass(console.SafeConsole, Console) and issubclass(console.ListingTable, Table)
        assert isinstance(console.table("A", "B"), console.ListingTable)
        print("ok")
    """)
    assert done.stdout.strip() == "ok", done.stderr[-2000:]


def test_a_missing_console_attribute_is_still_an_attribute_error():
    from readiness import console

    try:
        console.NoSuchThing  # noqa: B018
    except AttributeError as exc:
        assert "NoSuchThing" in str(exc)
    else:
        raise AssertionError("an unknown attribute was found")


def _counting_cell(text: str, counts: list[int]):
    from rich.measure import Measurement
    from rich.text import Text

    class Counted:
        def __str__(self) -> str:  # what a table printed as a list shows
            return text

        def __rich_console__(self, console, options):
            yield Text(text)

        def __rich_measure__(self, console, options):
            counts.append(1)
            return Measurement.get(console, options, Text(text))

    return Counted()


def _printed(width: int, counts: list[int], unkept: bool = False) -> str:
    from rich.console import Console
    from rich.table import Table

    from readiness.console import table

    t = table("Domain", "Action")
    if unkept:  # the measures taken anew every time, as rich does
        t._measure_column = Table._measure_column.__get__(t)  # type: ignore[method-assign]
        t._calculate_column_widths = Table._calculate_column_widths.__get__(t)  # type: ignore[method-assign]
    for n in range(6):
        t.add_row(_counting_cell(f"Domain number {n}", counts), f"Sign the memorandum {n} with every party")
    out = io.StringIO()
    Console(file=out, width=width, color_system=None).print(t)
    return out.getvalue()


def test_a_table_measures_each_cell_once_per_width_and_prints_as_before():
    """Deciding whether the table fits (or is printed as a list) and printing it measure the same
    cells at the same widths: the measures are kept for the print, not taken again."""
    counts: list[int] = []
    wide = _printed(100, counts)
    # once at each of the three widths the decision and the print measure at (the terminal's, the
    # columns' room, the table's own): 3 per cell, where there were 5 (the print measured again)
    assert len(counts) == 3 * 6, len(counts)
    unkept: list[int] = []
    assert _printed(100, unkept, unkept=True) == wide and len(unkept) == 5 * 6
    assert "Domain number 5" in wide and "Sign the memorandum 5 with every party" in wide
    for width in (60, 30, 24, 20, 16, 12):
        assert _printed(width, []) == _printed(width, [], unkept=True), width
    assert _printed(20, []).startswith("- Domain: Domain")  # too narrow for the table: a list


def test_a_table_printed_twice_is_measured_anew_each_time():
    """The kept measures live for one print only: a table printed again (the terminal resized,
    a cell changed) is measured again."""
    from rich.console import Console

    from readiness.console import table

    counts: list[int] = []
    t = table("Domain")
    t.add_row(_counting_cell("Prosecution", counts))
    for width in (80, 30):
        Console(file=io.StringIO(), width=width, color_system=None).print(t)
    assert len(counts) > 3  # more than one print's worth: measured anew


def _text_table(width: int, color: bool, unkept: bool = False) -> str:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from readiness.console import table

    t = table("#", "Severity", "Gap", "Action", "", title="Gaps")
    if unkept:  # rich's own measures, taken anew every time
        t._measure_column = Table._measure_column.__get__(t)  # type: ignore[method-assign]
    t.add_row("1", Text("critical *", style="bold red"), "No signed data-sharing agreement",
              "Draft and sign a data-sharing agreement listing data elements by direction", "Project manager")
    t.add_row("12", Text("low", style="cyan"), "", "crisis-communications-protocol-with-spokespeople",
              "Two\nlines")
    t.add_row("3", Text("medium"), "Wide 県 characters and an emoji 🚑", "  spaces around  ", "")
    out = io.StringIO()
    Console(file=out, width=width, color_system="standard" if color else None, force_terminal=color).print(t)
    return out.getvalue()


def test_a_table_of_text_prints_as_rich_measuring_every_cell_would_print_it():
    """The measures worked out once per column of text (longest word, longest line) lay the table
    out exactly as rich's measuring of every cell at every width does, table or list, colored or not."""
    for width in (12, 16, 20, 24, 30, 37, 45, 52, 60, 71, 80, 100, 140, 200):
        for color in (False, True):
            assert _text_table(width, color) == _text_table(width, color, unkept=True), (width, color)
    assert "Draft and sign a data-sharing agreement listing data elements by direction" in _text_table(200, False)
    # and each column measures as rich measures it, at every width (its narrowest decides the list)
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from readiness.console import table

    t = table("#", "Gap", "", title="Gaps")
    t.add_row("1", "Wide 県 characters and an emoji 🚑", "")
    t.add_row(Text("critical *", style="bold red"), "crisis-communications-protocol", "Two\nlines")
    console = Console(file=io.StringIO(), width=80)
    t._memo = {}
    for width in range(0, 90):
        options = console.options.update_width(width)
        for column in t.columns:
            assert t._measure_column(console, options, column) == Table._measure_column(t, console, options, column)


GC_AFTER_IMPORT = """
    import gc
    default = gc.get_threshold()
    import readiness.cli as cli
    print(gc.isenabled(), gc.get_threshold()[0] >= 10 * default[0], cli.DEFAULT_GC_THRESHOLDS == default)
    cli._long_session_gc()
    print(gc.isenabled(), gc.get_threshold() == default, gc.get_freeze_count() > 0)
"""


def test_start_up_raises_the_collector_thresholds_and_never_disables_it():
    done = _run(GC_AFTER_IMPORT)
    assert done.stdout.split("\n")[0] == "True True True", done.stderr[-2000:]


def test_an_interview_collects_garbage_with_the_usual_thresholds():
    done = _run(GC_AFTER_IMPORT)
    assert done.stdout.split("\n")[1] == "True True True", done.stderr[-2000:]


def test_the_interview_command_switches_to_long_session_collection(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    import readiness.cli as cli

    seen: list[tuple] = []
    before = gc.get_threshold()
    monkeypatch.setattr(cli, "_long_session_gc", lambda: seen.append(gc.get_threshold()))
    result = CliRunner().invoke(cli.app, ["interview", str(tmp_path / "nowhere"), "--no-input"],
                                prog_name="lead-readiness")
    assert seen, result.output  # called before the session starts, whatever the session then says
    gc.set_threshold(*before)


def test_a_name_between_colons_is_printed_as_typed_and_the_emoji_table_never_loads():
    """`:memo:` in an answer, a note or a cell stays those characters (rich would print a picture),
    and rich's table of emoji names is not loaded for a `score` table."""
    from readiness import console

    c = console._console(file=io.StringIO(), width=80)
    t = console.table("Gap", "Owner")
    t.add_row("Ask the clerk :memo:", ":thumbs_up: Jordan Ellis")
    c.print("Note: see :memo: and :smile:")
    c.print(t)
    printed = c.file.getvalue()
    assert ":memo:" in printed and ":thumbs_up:" in printed and ":smile:" in printed
    assert "\N{MEMO}" not in printed and "\N{THUMBS UP SIGN}" not in printed
    done = _run(SCORE_AND_LIST_MODULES, str(SITE))
    assert "Domains" in done.stdout, done.stderr[-2000:]
    assert "rich._emoji_codes" not in _modules(done)
