"""The readiness report and the implementation plan in every build: Markdown, DOCX with charts,
CSV, and figures that agree with `score`."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import EXAMPLES, invoke
from readiness.documents.build import build_site
from readiness.documents.docx_writer import dump_docx
from readiness.planning.export import CSV_COLUMNS
from readiness.workspace.store import open_site

NAMES = ("harbor-county", "pine-ridge-county", "cedar-falls-county", "willow-bend-county")
TODAY = dt.date(2027, 1, 4)
LEFTOVERS = ("{{", "{%", "{#", "None", "Undefined", "[object")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """Each example site copied and built once; name -> version folder."""
    root = tmp_path_factory.mktemp("sites")
    out = {}
    for name in NAMES:
        shutil.copytree(EXAMPLES / name, root / name)
        result = build_site(root / name, today=TODAY)
        out[name] = result.folder
    return out


def score_json(name: str) -> dict:
    return json.loads(invoke("score", EXAMPLES / name, "--format", "json").stdout)


def report(folder: Path) -> str:
    return (folder / "readiness-report.md").read_text()


# ---------------------------------------------------------------- files and charts


@pytest.mark.parametrize("name", NAMES)
def test_report_and_plan_are_written_with_their_charts_and_csv(built, name):
    folder = built[name]
    for file in ("readiness-report.md", "readiness-report.docx", "readiness-report-radar.png",
                 "implementation-plan.md", "implementation-plan.docx", "implementation-plan.csv",
                 "implementation-plan-timeline.png"):
        assert (folder / file).is_file(), file
    manifest = json.loads((folder / "manifest.json").read_text())
    entries = {e["id"]: e for e in manifest["documents"]}
    assert list(entries)[:2] == ["readiness_report", "implementation_plan"] and "extras" not in manifest
    plan = entries["implementation_plan"]
    assert plan["names"] == {"md": "implementation-plan.md", "docx": "implementation-plan.docx"}
    assert [(a["kind"], a["name"]) for a in plan["attachments"]] == [("timeline_chart", "implementation-plan-timeline.png"),
                                                                    ("plan_csv", "implementation-plan.csv")]
    for entry in entries.values():
        assert set(entry["files"]) == set(entry["names"]) and all(len(h) == 64 for h in entry["files"].values())
        assert all(len(a["sha256"]) == 64 for a in entry["attachments"])


@pytest.mark.parametrize("name", NAMES)
def test_docx_embed_the_charts_with_meaningful_alt_text(built, name):
    data = score_json(name)
    report_lines = dump_docx(built[name] / "readiness-report.docx")
    radar = [line for line in report_lines if line.startswith("[image alt=")]
    assert len(radar) == 1 and "Radar chart of domain scores" in radar[0]
    for d in data["domains"]:
        assert f"{d['title']} {d['score']:.0f}" in radar[0]
    plan_lines = dump_docx(built[name] / "implementation-plan.docx")
    timeline = [line for line in plan_lines if line.startswith("[image alt=")]
    assert len(timeline) == 1 and "Timeline chart of the implementation plan" in timeline[0]
    assert "launch on" in timeline[0]


@pytest.mark.parametrize("name", NAMES)
def test_markdown_embeds_the_chart_files(built, name):
    assert re.search(r"^!\[Radar chart of domain scores[^\]]+\]\(readiness-report-radar\.png\)$", report(built[name]),
                     re.MULTILINE)
    plan_md = (built[name] / "implementation-plan.md").read_text()
    assert "](implementation-plan-timeline.png)" in plan_md


@pytest.mark.parametrize("name", NAMES)
def test_no_template_leftovers_and_clean_block_structure(built, name):
    for file in ("readiness-report.md", "implementation-plan.md"):
        text = (built[name] / file).read_text()
        for leftover in LEFTOVERS:
            assert leftover not in text, (file, leftover)
        lines = text.split("\n")
        for before, line in zip(lines, lines[1:]):
            if line.startswith("#"):
                assert not before.strip(), (file, line)


# ---------------------------------------------------------------- the figures agree with `score`


@pytest.mark.parametrize("name", NAMES)
def test_report_figures_equal_score_json(built, name):
    data = score_json(name)
    text = report(built[name])
    overall = data["overall"]
    assert f"**Overall score:** {overall['score']:.0f} / 100" in text
    assert f"**Stage:** {overall['stage']}" in text
    verdict = "Ready to launch" if overall["launch_ready"] else "Not yet ready to launch"
    assert f"**Launch readiness:** {verdict}" in text
    for d in data["domains"]:
        assert re.search(rf"^\| {re.escape(d['title'])} \| {d['score']:.0f} \| {re.escape(d['stage'])} \|", text,
                         re.MULTILINE), d["title"]
    docx = "\n".join(dump_docx(built[name] / "readiness-report.docx"))
    assert f"Overall score: {overall['score']:.0f} / 100" in docx and f"Stage: {overall['stage']}" in docx
    for d in data["domains"]:
        assert f"{d['title']} | {d['score']:.0f} | {d['stage']}" in docx


@pytest.mark.parametrize("name", NAMES)
def test_report_reuses_the_score_markdown_summary(built, name):
    summary = invoke("score", EXAMPLES / name, "--format", "markdown").stdout
    text = report(built[name])
    core = [line for line in summary.splitlines() if line.startswith(("**", "| "))]
    assert len(core) > 20
    for line in core:
        assert line in text, line


@pytest.mark.parametrize("name", NAMES)
def test_failed_gates_come_first(built, name):
    data = score_json(name)
    text = report(built[name])
    section = text.split("### 2.1 Launch requirements", 1)[1].split("## 3.", 1)[0].split("### 2.2", 1)[0]
    statuses = [row.split(" | ")[1] for row in section.splitlines() if row.startswith("| ") and " | " in row][1:]
    statuses = [s for s in statuses if s != "---"]
    failed = sum(g["status"] in ("failed", "unknown") for g in data["gates"])
    assert all(s in ("Not met", "Unknown - verify") for s in statuses[:failed])
    assert all(s in ("Met", "Not applicable") for s in statuses[failed:])


# ---------------------------------------------------------------- contents


def test_cedar_falls_report_shows_who_said_what_and_where_to_start(built):
    text = report(built["cedar-falls-county"])
    assert "## 5. Where interviewees disagree" in text
    assert "  - Gregory Vance (District Attorney): 1 - Strongly opposed" in text
    assert "  - Anthony Reyes (Chief of Police): 5 - Strongly supportive" in text
    pathways = text.split("## 7.", 1)[1].split("## 8.", 1)[0]
    assert "could start with Officer / First Responder Prevention" in pathways
    assert "**Officer Intervention: not yet equipped for it.**" in pathways
    assert "the District Attorney's written non-filing commitment" in pathways
    assert "ptaccollaborative.org" in pathways


def test_harbor_can_start_with_both_police_doors(built):
    text = report(built["harbor-county"])
    assert "could start with Officer Intervention and Officer / First Responder Prevention" in text


def test_pine_ridge_lists_unknowns_to_verify_with_who_can_find_out(built):
    text = report(built["pine-ridge-county"])
    section = text.split("## 6. Unknowns to verify", 1)[1].split("## 7.", 1)[0]
    assert "| Question | Domain | Status | Who can find out |" in section
    assert "Don't know" in section


@pytest.mark.parametrize("name", NAMES)
def test_ninety_day_actions_come_from_the_plan(built, name):
    text = report(built[name])
    section = text.split("## 8. The first 90 days", 1)[1].split("## 9.", 1)[0]
    with open(built[name] / "implementation-plan.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    early = [r for r in rows if dt.date.fromisoformat(r["start"]) < TODAY + dt.timedelta(days=90)
             and r["weeks"] != "0"]
    shown = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| Start")
             and not line.startswith("|---")]
    assert 0 < len(shown) <= min(12, len(early))
    first = min(early, key=lambda r: r["start"])
    assert f"{dt.date.fromisoformat(first['start']):%b} {dt.date.fromisoformat(first['start']).day}," in shown[0]


@pytest.mark.parametrize("name", NAMES)
def test_outcome_figures_are_attributed_and_never_promised(built, name):
    text = report(built[name])
    section = text.split("## 9.", 1)[1].split("## 10.", 1)[0]
    assert "University of Washington" in section and "Duke University" in section
    assert "not a forecast" in section and "not a randomized trial" in section
    assert "80%" not in text
    assert not re.search(r"\b(will|can expect to) (reduce|cut|lower)\b", text)


@pytest.mark.parametrize("name", NAMES)
def test_sensitive_answers_stay_out(built, name):
    text = report(built[name]) + (built[name] / "implementation-plan.md").read_text()
    site = open_site(EXAMPLES / name)
    secret = [q.id for q in site.questionnaire.questions if q.sensitive]
    values = [str(a.value) for qid, a in site.answers.items() if qid in secret and a.value]
    values += [str(r.answers[qid].value) for r in site.respondents.values() for qid in secret if qid in r.answers]
    assert values, "the example should carry a sensitive answer to test"
    for value in values:
        assert value[:40] not in text


def test_report_and_plan_show_the_same_launch_date(built):
    for name in NAMES:
        with open(built[name] / "implementation-plan.csv", newline="") as fh:
            launch = next(r for r in csv.DictReader(fh) if r["task_id"] == "go_live")["start"]
        day = dt.date.fromisoformat(launch)
        long = f"{day:%B} {day.day}, {day.year}"
        assert f"| Launch date this plan allows | {long} |" in report(built[name])
        assert f"**{long}**" in (built[name] / "implementation-plan.md").read_text()


def test_plan_csv_in_the_build_matches_the_plan_command(built):
    csv_text = (built["cedar-falls-county"] / "implementation-plan.csv").read_text()
    assert tuple(next(csv.reader(io.StringIO(csv_text)))) == CSV_COLUMNS
    command = invoke("plan", EXAMPLES / "cedar-falls-county", "--start", TODAY.isoformat(), "--format", "csv")
    assert command.stdout == csv_text


def test_plan_document_lists_the_path_and_every_task(built):
    text = (built["pine-ridge-county"] / "implementation-plan.md").read_text()
    with open(built["pine-ridge-county"] / "implementation-plan.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert "## 2. Path to launch" in text and "## 6. Owners" in text
    body = text.split("## 5. Tasks by phase", 1)[1].split("## 6.", 1)[0]
    task_rows = [line for line in body.splitlines() if line.startswith("| ") and not line.startswith("| Task")]
    assert len(task_rows) == len(rows)


def test_a_standalone_pack_without_plan_templates_builds_only_its_documents(tmp_path):
    from conftest import FIXTURES, MINI

    site = tmp_path / "site"
    assert invoke("new", site, "--name", "Test County", "--state", "NC", "--questionnaire", MINI).exit_code == 0
    invoke("answer", site, "county_name", "Test County")
    result = build_site(site, templates_dir=FIXTURES / "pack")
    assert [d.spec.id for d in result.documents] == ["da_letter", "partner_list"]
    assert not (result.folder / "readiness-report.md").exists()


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_report_docx_opens_in_libreoffice(built, tmp_path):
    source = built["cedar-falls-county"]
    result = subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                             str(source / "readiness-report.docx"), str(source / "implementation-plan.docx")],
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    for stem in ("readiness-report", "implementation-plan"):
        pdf = tmp_path / f"{stem}.pdf"
        assert pdf.is_file() and pdf.stat().st_size > 20_000 and pdf.read_bytes().startswith(b"%PDF")


def test_lint_knows_the_names_the_report_and_plan_templates_see(tmp_path):
    clean = invoke("lint")
    assert "readiness-report.md.j2" not in clean.stdout and "implementation-plan.md.j2" not in clean.stdout
    consultant = tmp_path / "consultant"
    (consultant / "plans").mkdir(parents=True)
    source = (EXAMPLES.parent / "templates" / "plans" / "readiness-report.md.j2").read_text()
    (consultant / "plans" / "readiness-report.md.j2").write_text(
        source.replace("{{ report.pathway_advice }}", "{{ report.pathway_advise }}"))
    result = invoke("lint", "--templates", consultant)
    assert result.exit_code == 3
    problem = next(line for line in result.stdout.splitlines() if "pathway_advise" in line)
    assert "readiness-report.md.j2:" in problem and "did you mean 'pathway_advice'" in problem
