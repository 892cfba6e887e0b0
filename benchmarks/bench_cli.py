"""`lead-readiness --help` and `score` against a minimal typer app doing the same parsing.

Goal (design.md section 8, issue 15): `score` within 1.3x of a minimal typer app that reads the same
YAML (the site file, the answers, the respondents and the questionnaire, with PyYAML's fastest safe
loader) and prints a line of JSON; `--help` within 1.3x of the minimal app's `--help`. Measured in
the same run so the machine's speed cancels out, every process with its bytecode compiled as an
installed package's is (`_timing.installed_env`). The `score` rows and their yardsticks are the least
CPU time over 9 interleaved rounds (`_timing.time_interleaved`: every command once per round, in
turn), which a shared machine disturbs far less than medians of wall time; `--help` rows are medians
of wall time.

The older rows comparing `score` with the minimal app's `score` that only parses its arguments
(reads nothing) are kept as references: they show what the tool's own work costs over typer alone.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import ROOT, print_rows, time_command, time_interleaved  # noqa: E402

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

# The same minimal app, but its `score` reads what `lead-readiness score` reads: the yardstick.
MINIMAL_YAML_APP = '''
import json
from pathlib import Path
import typer
import yaml
app = typer.Typer(add_completion=False)
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
def read(path):
    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=LOADER)
@app.command()
def score(site: Path, questionnaire: Path, format: str = "table"):
    """Score a site."""
    data = {"site": read(site / "site.yaml"), "answers": read(site / "answers.yaml"),
            "respondents": [read(p) for p in sorted((site / "respondents").glob("*.yaml"))],
            "questionnaire": read(questionnaire)}
    print(json.dumps({k: len(v) for k, v in data.items()}))
@app.command()
def other(x: str):
    pass
app()
'''
QUESTIONNAIRE = ROOT / "questionnaires" / "lead-site-readiness.yaml"


def run() -> list[dict]:
    py = sys.executable
    cli = [py, "-m", "readiness"]
    env = dict(os.environ, NO_COLOR="1")
    with tempfile.TemporaryDirectory() as tmp:
        minimal = Path(tmp, "minimal.py")
        minimal.write_text(MINIMAL_APP)
        minimal_yaml = Path(tmp, "minimal_yaml.py")
        minimal_yaml.write_text(MINIMAL_YAML_APP)
        site = Path(tmp, "site")
        shutil.copytree(ROOT / "examples" / "harbor-county", site)
        bare = time_command([py, "-c", "pass"], env=env)
        base_help = time_command([py, str(minimal), "--help"], env=env)
        ours_help = time_command(cli + ["--help"], env=env, cwd=ROOT)
        cpu = time_interleaved({
            "base_score": [py, str(minimal), "score", str(site)],
            "base_yaml": [py, str(minimal_yaml), "score", str(site), str(QUESTIONNAIRE)],
            "json": cli + ["score", str(site), "--format", "json"],
            "table": cli + ["score", str(site)],
        }, cwd=ROOT, env=env)
        base_score, base_yaml, ours_json, ours_table = cpu["base_score"], cpu["base_yaml"], cpu["json"], cpu["table"]
    return [
        {"name": "baseline: python -c pass", "measured": bare, "goal": bare, "unit": "ms", "note": "reference"},
        {"name": "baseline: minimal typer --help", "measured": base_help, "goal": base_help, "unit": "ms",
         "note": "reference"},
        {"name": "lead-readiness --help", "measured": ours_help, "goal": 1.3 * base_help, "unit": "ms",
         "note": f"{ours_help / base_help:.2f}x minimal typer, goal 1.3x"},
        {"name": "baseline: minimal typer score reading the YAML (CPU)", "measured": base_yaml, "goal": base_yaml,
         "unit": "ms", "note": "reference"},
        {"name": "lead-readiness score --format json (CPU)", "measured": ours_json, "goal": 1.3 * base_yaml, "unit": "ms",
         "note": f"{ours_json / base_yaml:.2f}x the minimal app reading the same YAML, goal 1.3x"},
        {"name": "lead-readiness score (table) (CPU)", "measured": ours_table, "goal": 1.3 * base_yaml, "unit": "ms",
         "note": f"{ours_table / base_yaml:.2f}x the minimal app reading the same YAML, goal 1.3x"},
        {"name": "score --format json vs arguments only", "measured": ours_json, "goal": 1.3 * base_score,
         "unit": "ms", "note": f"reference; {ours_json / base_score:.2f}x a minimal typer score that reads nothing"},
        {"name": "score (table) vs arguments only", "measured": ours_table, "goal": 1.3 * base_score,
         "unit": "ms", "note": f"reference; {ours_table / base_score:.2f}x a minimal typer score that reads nothing"},
    ]


if __name__ == "__main__":
    print_rows(run())
