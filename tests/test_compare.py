"""`compare`: sites side by side, highest score first; a broken site is reported and skipped."""
from __future__ import annotations

import csv
import shutil
import io
import json

from conftest import EXAMPLES, invoke

SITES = sorted(EXAMPLES.iterdir())


def scores() -> dict[str, float]:
    out = {}
    for folder in SITES:
        data = json.loads(invoke("score", folder, "--format", "json").stdout)
        out[data["site"]] = data["overall"]["score"]
    return out


def test_compare_examples_lists_sites_by_score_harbor_first():
    result = invoke("compare", *SITES, "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows[0]["site"].startswith("Harbor County")
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
    assert {r["site"]: r["score"] for r in rows} == scores()
    assert set(rows[0]) == {"site", "path", "stage", "score", "launch_ready", "failed_gates", "gaps", "top_gap"}


def test_compare_rows_agree_with_score_for_each_site():
    rows = {r["site"]: r for r in json.loads(invoke("compare", *SITES, "-f", "json").stdout)}
    for folder in SITES:
        data = json.loads(invoke("score", folder, "--format", "json").stdout)
        row = rows[data["site"]]
        assert row["stage"] == data["overall"]["stage"]
        assert row["launch_ready"] == data["overall"]["launch_ready"]
        assert row["failed_gates"] == sum(g["status"] in ("failed", "unknown") for g in data["gates"])
        assert row["gaps"] == len(data["gaps"])


def test_top_gap_names_the_blocking_requirement():
    rows = {r["site"]: r for r in json.loads(invoke("compare", *SITES, "-f", "json").stdout)}
    cedar = next(r for name, r in rows.items() if name.startswith("Cedar Falls"))
    assert cedar["top_gap"] == "District Attorney's written non-filing commitment (blocks launch)"


def test_compare_table_and_csv():
    table = invoke("compare", *SITES)
    assert table.exit_code == 0
    assert table.stdout.index("Harbor County") < table.stdout.index("Cedar Falls") < table.stdout.index("Pine Ridge")
    result = invoke("compare", *SITES, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["site", "path", "stage", "score", "launch_ready", "failed_gates", "top_gap"]
    assert rows[0]["site"].startswith("Harbor County") and rows[0]["launch_ready"] in ("yes", "no")


def test_a_site_that_fails_to_load_is_reported_with_file_and_line_and_the_rest_are_compared(example_copy, tmp_path):
    broken = example_copy("pine-ridge-county")
    (broken / "answers.yaml").write_text("answers:\n  county_name: Pine Ridge County\n  da_non_filing: maybe\n")
    missing = tmp_path / "nowhere"
    result = invoke("compare", EXAMPLES / "harbor-county", broken, missing, EXAMPLES / "cedar-falls-county",
                    "--format", "json")
    assert result.exit_code == 1
    rows = json.loads(result.stdout)
    assert [r["site"].split(" County")[0] for r in rows] == ["Harbor", "Cedar Falls"]
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 2
    assert f"{broken / 'answers.yaml'}:3: answer to 'da_non_filing'" in errors[0]
    assert f"site folder not found: {missing}" in errors[1]
    assert "Traceback" not in result.stderr


def test_all_sites_failing_still_exits_1_with_empty_output(tmp_path):
    result = invoke("compare", tmp_path / "a", tmp_path / "b", "--format", "json")
    assert result.exit_code == 1 and json.loads(result.stdout) == []
    assert result.stderr.count("Error: site folder not found") == 2


def test_compare_needs_at_least_one_site():
    result = invoke("compare")
    assert result.exit_code == 2


def test_many_sites_are_compared_in_worker_processes_with_the_same_result(tmp_path, monkeypatch):
    from readiness.report import compare as C

    sites = []
    for n in range(C.PARALLEL_FROM + 3):
        dest = tmp_path / f"site-{n:02d}"
        shutil.copytree(SITES[n % len(SITES)], dest)
        sites.append(dest)
    (sites[5] / "answers.yaml").write_text("answers:\n  da_non_filing: maybe\n")
    parallel = C.compare_sites(sites)
    monkeypatch.setattr(C, "_workers", lambda count: 1)
    sequential = C.compare_sites(sites)
    assert parallel == sequential
    rows, failures = parallel
    assert len(rows) == len(sites) - 1 and [f.path for f in failures] == [str(sites[5])]
