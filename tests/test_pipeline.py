"""One pipeline: the readiness report and the implementation plan are pack documents, declared in
pack.yaml with what they need, written by the one writer, listed in the manifest like every other
document; a consultant pack overrides their templates like any other, and cannot collide with them."""
from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import pytest

from conftest import EXAMPLES, ROOT, invoke
from readiness import resources
from readiness.documents.build import build_site
from readiness.documents.manifest import ManifestDocument
from readiness.documents.pack import load_pack
from readiness.errors import FileProblems

BUNDLED_PLANS = ROOT / "templates" / "plans"


@pytest.fixture
def harbor(tmp_path: Path) -> Path:
    site = tmp_path / "harbor"
    shutil.copytree(EXAMPLES / "harbor-county", site)
    return site


def consultant(tmp_path: Path, documents: str, files: dict[str, str] | None = None) -> Path:
    """A consultant templates folder layered over the bundled pack."""
    folder = tmp_path / "acme"
    folder.mkdir()
    (folder / "pack.yaml").write_text("id: acme\nversion: 1.0.0\ntitle: Acme\ndocuments:\n" + documents)
    for name, text in (files or {}).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


# ---------------------------------------------------------------- declared in pack.yaml


def test_the_bundled_pack_declares_the_report_and_plan_with_what_they_need():
    pack = load_pack([resources.templates_dir()])
    report, plan = pack.document("readiness_report"), pack.document("implementation_plan")
    assert pack.ids[:2] == ["readiness_report", "implementation_plan"]
    assert report.needs == ("report", "plan") and plan.needs == ("plan",)
    assert [(a.kind, a.file) for a in report.attachments] == [("radar_chart", "readiness-report-radar.png")]
    assert [(a.kind, a.file) for a in plan.attachments] == [("timeline_chart", "implementation-plan-timeline.png"),
                                                            ("plan_csv", "implementation-plan.csv")]
    assert all(d.needs == () and d.attachments == () for d in pack.documents[2:])


def test_report_and_plan_are_typed_manifest_entries_with_their_attachments(harbor):
    result = build_site(harbor, only=["readiness_report", "implementation_plan", "mou"])
    manifest = json.loads((result.folder / "manifest.json").read_text())
    assert manifest["format"] == 2 and "extras" not in manifest
    entries = [ManifestDocument.model_validate(e) for e in manifest["documents"]]
    assert [e.id for e in entries] == ["readiness_report", "implementation_plan", "mou"]
    report, plan, mou = entries
    assert report.names == {"md": "readiness-report.md", "docx": "readiness-report.docx"}
    assert [(a.kind, a.name) for a in report.attachments] == [("radar_chart", "readiness-report-radar.png")]
    assert [a.kind for a in plan.attachments] == ["timeline_chart", "plan_csv"] and mou.attachments == []
    from readiness.documents.build import sha256_file

    for entry in entries:
        for fmt, name in entry.names.items():
            assert sha256_file(result.folder / name) == entry.files[fmt]
        for attachment in entry.attachments:
            assert sha256_file(result.folder / attachment.name) == attachment.sha256
    # the build's own result lists them as documents too: what `build` shows and `demo` opens first
    assert [d.spec.id for d in result.documents] == ["readiness_report", "implementation_plan", "mou"]
    assert result.open_first == result.folder / "readiness-report.docx"


def test_build_shows_the_report_and_plan_in_its_table(harbor):
    result = invoke("build", harbor, "--only", "implementation_plan")
    assert result.exit_code == 0, result.output
    assert "Implementation Plan" in result.stdout
    names = sorted(p.name for p in (harbor / "drafts" / "v001").iterdir())
    assert names == ["implementation-plan-timeline.png", "implementation-plan.csv", "implementation-plan.docx",
                     "implementation-plan.md", "manifest.json"]


def test_the_report_names_the_plan_file_only_when_the_build_has_it(harbor):
    alone = build_site(harbor, only=["readiness_report"]).folder / "readiness-report.md"
    both = build_site(harbor, only=["readiness_report", "implementation_plan"]).folder / "readiness-report.md"
    assert "(implementation-plan.docx)" not in alone.read_text()
    assert "the implementation plan (implementation-plan.docx) has every task" in both.read_text()


# ---------------------------------------------------------------- consultant packs


def test_a_consultant_pack_overrides_the_report_template_like_any_document(tmp_path, harbor):
    source = (BUNDLED_PLANS / "readiness-report.md.j2").read_text()
    assert "{{ report.pathway_advice }}" in source
    own = source.replace("{{ report.pathway_advice }}", "Acme's advice: {{ report.pathway_advice }}")
    folder = consultant(tmp_path, "  - {id: faith_brief, title: Brief, template: briefs/brief.md.j2}\n",
                        {"plans/readiness-report.md.j2": own, "briefs/brief.md.j2": "# Brief for {{ site.name }}\n"})
    assert invoke("lint", "--templates", folder).exit_code == 0
    result = invoke("build", harbor, "--templates", folder, "--only", "readiness_report,faith_brief")
    assert result.exit_code == 0, result.output
    out = harbor / "drafts" / "v001"
    assert "Acme's advice: " in (out / "readiness-report.md").read_text()
    assert (out / "readiness-report-radar.png").is_file()  # its attachments still come with it
    assert (out / "brief.md").exists() is False and (out / "faith-brief.md").is_file()


@pytest.mark.parametrize("doc_id", ["readiness_report", "implementation_plan"])
def test_a_consultant_document_taking_the_report_or_plan_id_is_a_located_error(tmp_path, harbor, doc_id):
    folder = consultant(tmp_path, f"  - id: faith_brief\n    title: Brief\n    template: briefs/brief.md.j2\n"
                                  f"  - id: {doc_id}\n    title: Our summary\n    template: briefs/brief.md.j2\n",
                        {"briefs/brief.md.j2": "# Brief\n"})
    pack_file = folder / "pack.yaml"
    built = invoke("build", harbor, "--templates", folder)
    assert built.exit_code != 0 and "Traceback" not in built.output
    assert f"{pack_file}:8: documents[1] ({doc_id}): document id '{doc_id}' is already the " in built.stderr
    assert "put your own plans/" in " ".join(built.stderr.split())
    assert not (harbor / "drafts").exists() or not any((harbor / "drafts").iterdir())
    linted = invoke("lint", "--templates", folder)
    assert linted.exit_code == 3
    assert any(f"{pack_file}:8:" in line and f"document id '{doc_id}' is already the" in line
               for line in linted.stdout.splitlines() if line.startswith("Problem: "))


def test_an_ordinary_document_may_still_be_replaced_by_id(tmp_path, harbor):
    folder = consultant(tmp_path, "  - {id: mou, title: Acme MOU, template: mou/acme-mou.md.j2}\n",
                        {"mou/acme-mou.md.j2": "# Acme MOU for {{ site.name }}\n"})
    pack = load_pack([folder, resources.templates_dir()])
    assert pack.document("mou").title == "Acme MOU" and pack.ids.count("mou") == 1


def test_documents_writing_the_same_file_are_a_located_error_in_lint_and_build(tmp_path, harbor):
    folder = consultant(tmp_path, "  - {id: faith_brief, title: Brief, template: briefs/brief.md.j2}\n"
                                  "  - {id: faith__brief, title: Brief again, template: briefs/brief.md.j2}\n"
                                  "  - id: acme_chart\n    title: Chart\n    template: briefs/brief.md.j2\n"
                                  "    needs: [plan]\n"
                                  "    attachments:\n      - {kind: plan_csv, file: implementation-plan.csv}\n",
                        {"briefs/brief.md.j2": "# Brief\n"})
    pack_file = folder / "pack.yaml"
    with pytest.raises(FileProblems) as caught:
        load_pack([folder, resources.templates_dir()])
    messages = [(p.line, p.message) for p in caught.value.problems]
    assert (6, "document 'faith__brief' would write faith-brief.md, which document 'faith_brief' "
               f"({pack_file}:5) writes too") in messages
    assert any(line == 12 and "would write implementation-plan.csv, which document 'implementation_plan'" in m
               for line, m in messages)
    built = invoke("build", harbor, "--templates", folder)
    assert built.exit_code != 0 and f"{pack_file}:6: documents (faith__brief): document 'faith__brief'" in built.stderr
    linted = invoke("lint", "--templates", folder)
    assert linted.exit_code == 3 and f"{pack_file}:12: documents (acme_chart)" in linted.stdout


@pytest.mark.parametrize("entry, message", [
    ("    attachments:\n      - {kind: radar_chart, file: radar.jpg}\n", "a radar_chart attachment is a .png file"),
    ("    attachments:\n      - {kind: plan_csv, file: ../plan.csv}\n", "a plain file name in the version folder"),
    ("    needs: [plans]\n", "Input should be 'plan' or 'report'"),
])
def test_needs_and_attachments_are_checked_with_their_line(tmp_path, entry, message):
    folder = consultant(tmp_path, "  - id: acme\n    title: A\n    template: a.md.j2\n" + entry, {"a.md.j2": "# A\n"})
    with pytest.raises(FileProblems) as caught:
        load_pack([folder])
    problem = caught.value.problems[0]
    assert message in problem.message and problem.file == folder / "pack.yaml" and problem.line and problem.line >= 8


# ---------------------------------------------------------------- lint checks them like any template


def test_lint_reports_a_broken_standard_tasks_file_instead_of_skipping_the_report(tmp_path):
    folder = consultant(tmp_path, "  - {id: faith_brief, title: Brief, template: briefs/brief.md.j2}\n",
                        {"briefs/brief.md.j2": "# Brief\n",
                         "plans/standard-tasks.yaml": "version: 1\nphases: []\nlaunch_task: go\ntasks: []\nfoo: 1\n"})
    result = invoke("lint", "--templates", folder)
    assert result.exit_code == 3
    problems = [line for line in result.stdout.splitlines() if line.startswith("Problem: ")]
    assert any("standard-tasks.yaml" in line for line in problems), result.stdout
    # the report's and the plan's names are still known, so nothing else is reported
    assert not any("readiness-report.md.j2" in line or "implementation-plan.md.j2" in line for line in problems)


def test_lint_checks_a_consultant_plan_template_override(tmp_path):
    source = (BUNDLED_PLANS / "implementation-plan.md.j2").read_text()
    folder = consultant(tmp_path, "  - {id: faith_brief, title: Brief, template: briefs/brief.md.j2}\n",
                        {"briefs/brief.md.j2": "# Brief\n",
                         "plans/implementation-plan.md.j2": source.replace("plan.timeline.file", "plan.timeline.fiel")})
    result = invoke("lint", "--templates", folder)
    assert result.exit_code == 3
    line = next(x for x in result.stdout.splitlines() if "fiel" in x)
    assert "implementation-plan.md.j2:" in line and "did you mean 'file'" in line


# ---------------------------------------------------------------- older builds


def test_diff_reads_a_build_made_before_the_report_was_a_pack_document(harbor):
    first = build_site(harbor, only=["readiness_report", "mou"]).folder
    manifest = json.loads((first / "manifest.json").read_text())
    report = manifest["documents"].pop(0)  # written as format 1 did: the report under `extras`
    attachment = report.pop("attachments")[0]
    report["names"]["png"], report["files"]["png"] = attachment["name"], attachment["sha256"]
    manifest.update(format=1, extras=[report])
    (first / "manifest.json").write_text(json.dumps(manifest, indent=2))
    build_site(harbor, only=["readiness_report", "mou"])
    from readiness.documents.diff import diff_versions

    changes = {d.id: d.status for d in diff_versions(harbor).documents}
    assert changes == {"readiness_report": "unchanged", "mou": "unchanged"}  # not "added"
    result = invoke("diff", harbor)
    assert result.exit_code == 0 and result.stdout.strip().endswith("No changes."), result.output


# ---------------------------------------------------------------- the direction of flow


def _imports(folder: Path) -> set[tuple[str, str]]:
    found = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add((path.name, node.module))
            elif isinstance(node, ast.Import):
                found.update((path.name, alias.name) for alias in node.names)
    return found


@pytest.mark.parametrize("package, above", [
    ("report", ("readiness.documents", "readiness.lint", "readiness.cli")),
    ("planning", ("readiness.documents", "readiness.report", "readiness.lint", "readiness.cli")),
    ("documents", ("readiness.lint", "readiness.cli")),
])
def test_the_report_and_plan_data_are_computed_below_the_writer(package, above):
    upward = sorted((name, module) for name, module in _imports(ROOT / "readiness" / package)
                    if module.startswith(above))
    assert upward == []
