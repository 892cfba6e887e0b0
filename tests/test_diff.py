"""`diff`: which answers changed, and what that did to each document's Markdown."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import FIXTURES, invoke
from readiness.documents.diff import diff_versions, pick_versions, report_lines, unified
from readiness.documents.versions import parse_version
from readiness.errors import ReadinessError

PACK = FIXTURES / "pack"


def run(*args) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def two_builds(mini_site: Path) -> Path:
    run("answer", mini_site, "county_name", "Test County")
    run("answer", mini_site, "da_non_filing", "verbal")
    run("build", mini_site, "--templates", PACK)
    run("answer", mini_site, "da_non_filing", "written")
    run("build", mini_site, "--templates", PACK)
    return mini_site


def test_diff_shows_the_answer_change_and_the_markdown_change_it_caused(two_builds):
    out = run("diff", two_builds)
    assert "Comparing v001 -> v002" in out
    assert "da_non_filing: Verbal support only -> Yes, in writing" in out
    assert "-non-filing commitment for people diverted by officers. Current commitment: Verbal support only." in out
    assert "+non-filing commitment for people diverted by officers. Current commitment: Yes, in writing." in out
    assert "-Next step: Ask the DA for a signed non-filing letter." in out
    assert "+The written commitment is on file." in out
    assert "--- v001/da-letter.md" in out and "+++ v002/da-letter.md" in out
    # the version stamp in the draft notice alone is no change
    assert not [line for line in out.splitlines() if line.startswith(("-", "+")) and "DRAFT version" in line]
    assert "Partner agencies (partner_list): no changes" in out
    assert "\x1b[" not in out  # not a terminal: no colour codes


def test_identical_builds_say_no_changes(mini_site):
    run("build", mini_site, "--templates", PACK)
    run("build", mini_site, "--templates", PACK)
    out = run("diff", mini_site)
    assert out.strip().endswith("No changes.")
    assert diff_versions(mini_site).identical


def test_version_arguments_accept_v1_v001_and_1(two_builds):
    run("build", two_builds, "--templates", PACK)  # v003, same answers as v002
    assert "Comparing v002 -> v003" in run("diff", two_builds)
    assert "No changes." in run("diff", two_builds, "v2", "3")
    out = run("diff", two_builds, "v001", "v003")
    assert "Comparing v001 -> v003" in out and "da_non_filing" in out
    assert "Comparing v001 -> v003" in run("diff", two_builds, "1")  # one version: against the newest
    assert [parse_version(x) for x in ("v1", "v001", "1", "V12")] == [1, 1, 1, 12]
    with pytest.raises(ReadinessError):
        parse_version("version one")


def test_one_version_given_as_either_argument_is_compared_with_the_newest(two_builds):
    # redline and other callers pass keywords; only `new` given used to read the missing `old` as 'None'
    assert pick_versions(two_builds, "v1", None) == (1, 2)
    assert pick_versions(two_builds, None, "v1") == (1, 2)
    assert pick_versions(two_builds, None, None) == (1, 2)


def test_documents_added_and_removed(two_builds):
    run("answer", two_builds, "ssp_in_county", "no")  # the linkage note now applies
    run("build", two_builds, "--templates", PACK)
    result = diff_versions(two_builds, "2", "3")
    status = {d.id: d.status for d in result.documents}
    assert status["ssp_linkage"] == "added"
    back = diff_versions(two_builds, "3", "2")
    assert {d.id: d.status for d in back.documents}["ssp_linkage"] == "removed"
    assert any("ssp_in_county: (no answer) -> No" == str(c) for c in result.answers)


def test_diff_errors_are_clear(mini_site, tmp_path):
    result = invoke("diff", mini_site)
    assert result.exit_code == 1 and "no drafts yet" in result.stderr
    run("build", mini_site, "--templates", PACK)
    result = invoke("diff", mini_site)
    assert result.exit_code == 1 and "only one draft (v001)" in result.stderr
    result = invoke("diff", mini_site, "v1", "v9")
    assert result.exit_code == 1 and "no draft v009" in result.stderr
    result = invoke("diff", tmp_path)
    assert result.exit_code == 1 and "not a site folder" in result.stderr


def test_a_damaged_manifest_is_reported_with_its_line(two_builds):
    manifest = two_builds / "drafts" / "v001" / "manifest.json"
    manifest.write_text('{\n  "version": 1,\n  oops\n}\n')
    result = invoke("diff", two_builds)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {manifest}:3: manifest is not valid JSON")


def test_unified_diff_treats_stamp_only_lines_as_equal():
    old = ["# T", "> DRAFT version 1, generated May 1, 2026", "a", "b"]
    new = ["# T", "> DRAFT version 2, generated May 2, 2026", "a", "c"]
    norm = ["# T", "> DRAFT version N, generated DATE", "a"]
    lines = unified(old, new, norm + ["b"], norm + ["c"], "v1", "v2")
    assert "-b" in lines and "+c" in lines
    assert not any(line.startswith(("-", "+")) and "DRAFT" in line for line in lines)


def test_report_lines_carry_styles(two_builds):
    lines = report_lines(diff_versions(two_builds))
    styles = {text: style for text, style in lines}
    assert styles["+The written commitment is on file."] == "green"
    assert styles["-Next step: Ask the DA for a signed non-filing letter."] == "red"
    manifest = json.loads((two_builds / "drafts" / "v002" / "manifest.json").read_text())
    assert manifest["answers"]["da_non_filing"] == "Yes, in writing"
