"""The interview's next prompt after Enter, autosave included, on the real questionnaire.

Goal (design.md section 8): under 50 ms from Enter to the next prompt on screen.  The engine and the
real questionary prompts run in-process; keys arrive through a prompt_toolkit pipe and the screen is a
VT100 terminal of 120x40 writing to /dev/null, so rendering is real.  For each answer the clock
starts when the prompt hands back the answer (the Enter has been handled) and stops when the next
prompt has been drawn; in between: checking the answer, saving it (locked, atomic, fsync), working
out conditions and progress, printing the progress line and building the next prompt.

A second figure: reading back a county's filled answer sheet of 120 rows and saving its answers
(`interview SITE --answers SHEET`), which writes answers.yaml once, not once per row.
"""
from __future__ import annotations

import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import ROOT, print_rows  # noqa: E402

sys.path.insert(0, str(ROOT / "tests"))
from keys import ENTER, keys_for  # noqa: E402  (the same key presses the terminal tests use)

GOAL_MS = 50.0


CPU_MS: list[float] = []  # the same intervals in this process's CPU time (what other processes cannot slow)


def measure(questionnaire: Path | None = None) -> list[float]:
    """Milliseconds from each Enter to the next prompt, for every question of one site sitting (and
    the CPU time of each in CPU_MS)."""
    os.environ.setdefault("PROMPT_TOOLKIT_NO_CPR", "1")
    import questionary
    from prompt_toolkit.data_structures import Size
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output.vt100 import Vt100_Output
    from rich.console import Console

    from readiness.interview.engine import Interview
    from readiness.interview.prompts import TerminalAsker, fast_prompts
    from readiness.questionnaire.loader import load_questionnaire
    from readiness.workspace.store import create_site, open_site

    path = questionnaire or ROOT / "questionnaires" / "lead-site-readiness.yaml"
    samples: list[float] = []
    clock: dict = {"answered": None, "cpu": None}
    original = questionary.Question.unsafe_ask
    CPU_MS.clear()

    def timed_ask(self, *args, **kwargs):
        def drawn(_app):
            if clock["answered"] is not None:
                samples.append((time.perf_counter() - clock["answered"]) * 1000)
                CPU_MS.append((time.process_time() - clock["cpu"]) * 1000)
                clock["answered"] = None

        self.application.after_render += drawn
        result = original(self, *args, **kwargs)
        clock["answered"], clock["cpu"] = time.perf_counter(), time.process_time()
        return result

    with tempfile.TemporaryDirectory() as tmp, open(os.devnull, "w") as devnull, create_pipe_input() as pipe:
        root = create_site(Path(tmp) / "site", "Bench County", "NC", load_questionnaire(path))
        site = open_site(root, path)
        screen = Vt100_Output(devnull, lambda: Size(rows=40, columns=120), term="xterm")
        console = Console(file=io.StringIO(), width=120, color_system="truecolor", force_terminal=True)
        terminal = TerminalAsker(console, input=pipe, output=screen)

        class Typist:
            """Types an acceptable answer for whatever question comes up, then Finish at the review."""

            def ask(self, question, current, progress):
                pipe.send_text(keys_for(question))
                return terminal.ask(question, current, progress)

            def review(self, rows, remaining):
                pipe.send_text(ENTER)
                return terminal.review(rows, remaining)

            def tell(self, message):
                terminal.tell(message)

        questionary.Question.unsafe_ask = timed_ask
        try:
            with fast_prompts():  # as `lead-readiness interview` runs it
                outcome = Interview(site).run(Typist())
        finally:
            questionary.Question.unsafe_ask = original
        assert outcome.finished and outcome.saved > 50, outcome
    return samples


SHEET_ROWS = 120
SHEET_GOAL_MS = 500.0  # reading a county's filled sheet back: well under a second, however many rows


def measure_sheet(rows_wanted: int = SHEET_ROWS) -> tuple[float, int]:
    """Milliseconds to read a filled answer sheet of `rows_wanted` rows (CSV, the real questionnaire)
    and save its answers, as `interview SITE --answers SHEET` does, and how many file writes that
    took (one: all the answers go to answers.yaml at once, under one lock)."""
    import csv

    from readiness.interview.answers_file import apply_answers_file, read_answers_file
    from readiness.interview.sheet import write_sheet
    from readiness.questionnaire.loader import load_questionnaire
    from readiness.workspace import store

    sys.path.insert(0, str(ROOT / "tests"))
    from test_answer_sheet import _typed  # the same cell values the sheet tests type

    path = ROOT / "questionnaires" / "lead-site-readiness.yaml"
    q = load_questionnaire(path)
    samples, writes = [], []
    real_write = store.atomic_write

    def counted(target, data, *args, **kwargs):
        writes.append(target)
        return real_write(target, data, *args, **kwargs)

    with tempfile.TemporaryDirectory() as tmp:
        for n in range(5):
            root = store.create_site(Path(tmp) / f"site{n}", "Bench County", "NC", q)
            sheet = Path(tmp) / f"sheet{n}.csv"
            write_sheet(store.open_site(root), sheet)
            rows = list(csv.reader(sheet.read_text(encoding="utf-8-sig").splitlines()))
            for row in rows[1:rows_wanted + 1]:
                row[1] = _typed(q.by_id[row[0]])
            with open(sheet, "w", newline="", encoding="utf-8") as fh:
                csv.writer(fh).writerows(rows[:rows_wanted + 1])
            site = store.open_site(root)
            writes.clear()
            store.atomic_write = counted
            try:
                start = time.perf_counter()
                saved = apply_answers_file(site, read_answers_file(site, sheet))
                samples.append((time.perf_counter() - start) * 1000)
            finally:
                store.atomic_write = real_write
            assert saved == rows_wanted, saved
    return statistics.median(samples), len(writes)


def run() -> list[dict]:
    sheet_ms, sheet_writes = measure_sheet()
    samples = measure()
    median = statistics.median(samples)
    p95 = sorted(samples)[int(len(samples) * 0.95) - 1]
    cpu = statistics.median(CPU_MS)
    load = f"; load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    return [
        {"name": "interview next-prompt", "measured": median, "goal": GOAL_MS, "unit": "ms",
         "note": f"median of {len(samples)} answers on the real questionnaire; p95 {p95:.1f} ms, "
                 f"max {max(samples):.1f} ms; CPU time median {cpu:.1f} ms{load}"},
        {"name": "interview next-prompt p95", "measured": p95, "goal": GOAL_MS, "unit": "ms"},
        {"name": f"answer sheet {SHEET_ROWS} rows read and saved", "measured": sheet_ms, "goal": SHEET_GOAL_MS,
         "unit": "ms", "note": f"median of 5; {sheet_writes} file write{'s' if sheet_writes != 1 else ''} "
                               "(all rows at once, one lock)"},
    ]


if __name__ == "__main__":
    rows = run()
    for r in rows:
        print(f"{r['name']}  measured {r['measured']:.1f} ms  goal {r['goal']:.0f} ms  "
              f"ratio {r['measured'] / r['goal']:.2f}")
    print()
    print_rows(rows)
