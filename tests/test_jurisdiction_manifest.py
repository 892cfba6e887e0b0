"""Traceable consultant builds (issue 11): the manifest records every template folder, the
reference.docx and the jurisdiction profile (path and SHA-256), and `diff` names the one that
changed instead of crediting an answer."""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from conftest import FIXTURES, invoke

ROOT = Path(__file__).resolve().parents[1]


def run(*args) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def _consultant(tmp_path: Path) -> Path:
    folder = tmp_path / "acme"
    shutil.copytree(FIXTURES / "pack", folder / "templates")
    (folder / "states").mkdir()
    shutil.copy(ROOT / "states" / "NC.yaml", folder / "states" / "NC.yaml")
    return folder


def _manifest(site: Path, version: int) -> dict:
    return json.loads((site / "drafts" / f"v{version:03d}" / "manifest.json").read_text(encoding="utf-8"))


def test_the_manifest_records_template_folders_reference_docx_and_profile(mini_site, tmp_path):
    acme = _consultant(tmp_path)
    run("build", mini_site, "--templates", acme / "templates")
    inputs = _manifest(mini_site, 1)["inputs"]
    assert Path(inputs["template_folders"][0]["path"]).resolve() == (acme / "templates").resolve()
    assert all(len(f["sha256"]) == 64 for f in inputs["template_folders"])
    profile = inputs["state_profile"]
    assert Path(profile["path"]).resolve() == (acme / "states" / "NC.yaml").resolve() and profile["own"] is True
    assert profile["sha256"] == hashlib.sha256((acme / "states" / "NC.yaml").read_bytes()).hexdigest()
    assert inputs["reference_docx"] is None  # neither the fixture pack nor the bundled one has one here


def test_diff_names_the_template_folder_that_changed_not_an_answer(mini_site, tmp_path):
    acme = _consultant(tmp_path)
    run("build", mini_site, "--templates", acme / "templates")
    letter = acme / "templates" / "letters" / "da-letter.md.j2"
    letter.write_text(letter.read_text(encoding="utf-8") + "\nA sentence the consultant added.\n", encoding="utf-8")
    run("build", mini_site, "--templates", acme / "templates")
    out = " ".join(run("diff", mini_site).split())
    assert "Answers: no changes (template folder changed: " in out
    assert str((acme / "templates").resolve()) in out or str(acme / "templates") in out
    assert "+A sentence the consultant added." in out


def test_diff_names_the_jurisdiction_profile_that_changed(mini_site, tmp_path):
    acme = _consultant(tmp_path)
    run("build", mini_site, "--templates", acme / "templates")
    profile = acme / "states" / "NC.yaml"
    profile.write_text(profile.read_text(encoding="utf-8").replace("reviewed: \"2026-11\"", "reviewed: \"2026-12\""),
                       encoding="utf-8")
    run("build", mini_site, "--templates", acme / "templates")
    out = " ".join(run("diff", mini_site).split())
    assert "jurisdiction profile changed: " in out and "NC.yaml" in out
    assert "template folder changed" not in out


def test_diff_names_a_new_reference_docx(mini_site, tmp_path):
    acme = _consultant(tmp_path)
    run("build", mini_site, "--templates", acme / "templates")
    import docx

    docx.Document().save(str(acme / "templates" / "reference.docx"))
    run("build", mini_site, "--templates", acme / "templates")
    inputs = _manifest(mini_site, 2)["inputs"]
    assert inputs["reference_docx"]["sha256"] == hashlib.sha256(
        (acme / "templates" / "reference.docx").read_bytes()).hexdigest()
    out = " ".join(run("diff", mini_site).split())
    assert "reference.docx now " in out
