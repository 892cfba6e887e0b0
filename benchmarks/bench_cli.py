"""`lead-readiness --help` and `score` against a minimal typer app doing the same parsing.

Goal (design.md section 8): within 1.3x of the minimal app on the same machine, measured in the
same run so the machine's speed cancels out.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import ROOT, print_rows, time_command  # noqa: E402

MINIMAL_APP = '''
import typer
app = typer.Typer(add_completion=False)
@app.command()
def score(site: str, format: str = "table"):
    """Score a site."""
    print(site, format)
@app.command()
def other(x: str):
    pass
app()
'''


def run() -> list[dict]:
    py = sys.executable
    cli = [py, "-m", "readiness"]
    env = dict(os.environ, NO_COLOR="1")
    with tempfile.TemporaryDirectory() as tmp:
        minimal = Path(tmp, "minimal.py")
        minimal.write_text(MINIMAL_APP)
        site = Path(tmp, "site")
        shutil.copytree(ROOT / "examples" / "harbor-county", site)
        bare = time_command([py, "-c", "pass"], env=env)
        base_help = time_command([py, str(minimal), "--help"], env=env)
        base_score = time_command([py, str(minimal), "score", str(site)], env=env)
        ours_help = time_command(cli + ["--help"], env=env, cwd=ROOT)
        ours_json = time_command(cli + ["score", str(site), "--format", "json"], env=env, cwd=ROOT)
        ours_table = time_command(cli + ["score", str(site)], env=env, cwd=ROOT)
    return [
        {"name": "baseline: python -c pass", "measured": bare, "goal": bare, "unit": "ms", "note": "reference"},
        {"name": "baseline: minimal typer --help", "measured": base_help, "goal": base_help, "unit": "ms",
         "note": "reference"},
        {"name": "lead-readiness --help", "measured": ours_help, "goal": 1.3 * base_help, "unit": "ms",
         "note": f"{ours_help / base_help:.2f}x minimal typer, goal 1.3x"},
        {"name": "lead-readiness score --format json", "measured": ours_json, "goal": 1.3 * base_score, "unit": "ms",
         "note": f"{ours_json / base_score:.2f}x minimal typer, goal 1.3x"},
        {"name": "lead-readiness score (table)", "measured": ours_table, "goal": 1.3 * base_score, "unit": "ms",
         "note": f"{ours_table / base_score:.2f}x minimal typer, goal 1.3x"},
    ]


if __name__ == "__main__":
    print_rows(run())
