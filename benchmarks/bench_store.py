"""Saving one answer (locked, atomic, fsync): a file as the tool writes it, and one edited by hand.

A file exactly as the tool writes it is changed as plain data with PyYAML; a file with comments or hand
formatting goes through the round-trip library (ruamel.yaml), which keeps them but costs more. Both are
measured on the Harbor County example's answers.yaml (about 90 answers, 350 lines), against the
interview's 50 ms budget from Enter to the next prompt (design.md section 8), which includes the save.
"""
from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import ROOT, print_rows, time_call  # noqa: E402

GOAL_MS = 50.0


def run() -> list[dict]:
    import yaml

    from readiness.files import dump_yaml
    from readiness.workspace.models import Answer
    from readiness.workspace.store import ANSWERS_HEADER, open_site, save_answer

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("tool-written", "hand-edited"):
            site_dir = Path(tmp) / kind
            shutil.copytree(ROOT / "examples" / "harbor-county", site_dir)
            answers = site_dir / "answers.yaml"
            if kind == "tool-written":  # the same answers, as the tool itself would write them
                data = yaml.safe_load(answers.read_text())
                data = {"questionnaire": "lead-site-readiness@1.0.0", **data}
                answers.write_text(ANSWERS_HEADER + dump_yaml(data))
            site = open_site(site_dir)
            values = iter(range(10**6))
            ms = time_call(lambda site=site, values=values: save_answer(
                site, "program_name", Answer(value=f"Program {next(values)}")), runs=11)
            rows.append({"name": f"save one answer, {kind} answers.yaml", "measured": ms, "goal": GOAL_MS,
                         "unit": "ms", "note": "Harbor County example, median of 11"})
    return rows


if __name__ == "__main__":
    print_rows(run())
