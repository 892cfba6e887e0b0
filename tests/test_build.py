"""`build`: versions never overwritten, manifest contents, --only, and bad input changing nothing."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, invoke, snapshot
from readiness.documents import build as build_module
from readiness.documents.build import build_site

PACK = FIXTURES / "pack"


def hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def answer(site: Path, *args: str) -> None:
    result = invoke("answer", site, *args)
    assert result.exit_code == 0, result.output


@pytest.fixture
def answered_site(mini_site: Path) -> Path:
    answer(mini_site, "county_name", "Test County")
    answer(mini_site, "da_non_filing", "verbal")
    answer(mini_site, "ssp_in_county", "no")
    answer(mini_site, "partners", "[{name: Riverton Police Department, kind: police}]")
    return mini_site


def test_build_twice_makes_two_versions_and_never_overwrites(answered_site):
    first = invoke("build", answered_site, "--templates", PACK)
    assert first.exit_code == 0, first.output
    v1 = answered_site / "drafts" / "v001"
    assert sorted(p.name for p in v1.iterdir()) == [
        "da-letter.docx", "da-letter.md", "manifest.json", "partner-list.md", "ssp-linkage.docx", "ssp-linkage.md"]
    before = hashes(v1)
    second = invoke("build", answered_site, "--templates", PACK)
    assert second.exit_code == 0, second.output
    assert (answered_site / "drafts" / "v002" / "manifest.json").is_file()
    assert hashes(v1) == before
    assert "Letter to the District Attorney" in second.stdout and "v002" in second.stdout
    assert [p.name for p in (answered_site / "drafts").iterdir() if p.name.startswith(".")] == []


def test_manifest_records_versions_hashes_answers_and_open_items(answered_site):
    result = build_site(answered_site, templates_dir=PACK, today=dt.date(2026, 11, 30))
    manifest = json.loads((result.folder / "manifest.json").read_text())
    assert manifest["version"] == 1 and manifest["date"] == "2026-11-30"
    assert manifest["questionnaire"] == {"id": "mini", "version": "1.0.0"}
    assert manifest["pack"]["id"] == "test-pack" and manifest["pack"]["version"] == "0.1.0"
    assert manifest["tool"]["name"] == "lead-readiness"
    assert len(manifest["answers_sha256"]) == 64
    assert manifest["answers"]["da_non_filing"] == "Verbal support only"
    assert manifest["answers"]["partners"] == "Riverton Police Department, police"
    assert manifest["assessment"]["launch_ready"] is False
    letter = manifest["documents"][0]
    assert letter["id"] == "da_letter" and letter["title"] == "Letter to the District Attorney"
    assert letter["files"]["md"] == hashlib.sha256((result.folder / "da-letter.md").read_bytes()).hexdigest()
    assert letter["files"]["docx"] == hashlib.sha256((result.folder / "da-letter.docx").read_bytes()).hexdigest()
    assert {"text": "Target launch date", "question": "launch_date"} in letter["open_items"]
    assert {"text": "Head's name for Riverton Police Department", "question": "partners"} in letter["open_items"]
    partner_list = manifest["documents"][2]
    assert set(partner_list["files"]) == {"md"}


def test_the_markdown_and_docx_carry_draft_header_and_footer(answered_site):
    from readiness.documents.docx_writer import dump_docx

    result = build_site(answered_site, templates_dir=PACK, today=dt.date(2026, 11, 30))
    md = (result.folder / "da-letter.md").read_text()
    assert md.startswith("# Letter to the District Attorney\n\n> DRAFT version 1, generated November 30, 2026")
    assert "Current commitment: Verbal support only." in md
    assert "Next step: Ask the DA for a signed non-filing letter." in md
    dump = dump_docx(result.folder / "da-letter.docx")
    assert "[header] Header: DRAFT v1 - for stakeholder review" in dump
    assert "[footer] Footer: Generated November 30, 2026 · Draft for discussion, not legal advice" in dump
    assert "[comment: Open item: Target launch date — confirm before signature.]" in dump


def test_conditional_document_is_skipped_when_its_condition_is_false(answered_site):
    answer(answered_site, "ssp_in_county", "yes")
    result = build_site(answered_site, templates_dir=PACK)
    assert [d.spec.id for d in result.documents] == ["da_letter", "partner_list"]
    assert result.skipped[0][0] == "ssp_linkage"
    manifest = json.loads((result.folder / "manifest.json").read_text())
    assert manifest["skipped"][0]["id"] == "ssp_linkage"


def test_only_builds_the_named_documents(answered_site):
    result = invoke("build", answered_site, "--templates", PACK, "--only", "partner_list, da_letter")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (answered_site / "drafts" / "v001").iterdir()) == [
        "da-letter.docx", "da-letter.md", "manifest.json", "partner-list.md"]


def test_only_with_unknown_id_fails_with_a_suggestion_and_changes_nothing(answered_site):
    before = snapshot(answered_site)
    result = invoke("build", answered_site, "--templates", PACK, "--only", "da_leter")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: unknown document id 'da_leter' in --only")
    assert "did you mean 'da_letter'?" in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(answered_site) == before


def test_template_error_is_located_and_changes_nothing(answered_site, tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(PACK, pack)
    template = pack / "letters" / "da-letter.md.j2"
    lines = template.read_text().splitlines()
    lines[6] = "The DA of {{ county.nmae }}."
    template.write_text("\n".join(lines) + "\n")
    before = snapshot(answered_site)
    result = invoke("build", answered_site, "--templates", pack)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {template}:7: 'county' has no attribute 'nmae'")
    assert "Traceback" not in result.output
    assert snapshot(answered_site) == before and not (answered_site / "drafts").exists()


def test_broken_pack_yaml_is_located_and_changes_nothing(answered_site, tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(PACK, pack)
    text = (pack / "pack.yaml").read_text().replace("    audience: Health department\n", "    audience: [\n")
    (pack / "pack.yaml").write_text(text)
    before = snapshot(answered_site)
    result = invoke("build", answered_site, "--templates", pack)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {pack / 'pack.yaml'}:")
    assert snapshot(answered_site) == before


def test_a_failed_build_leaves_no_half_folder(answered_site, monkeypatch):
    real = build_module.write_documents

    def dies_half_way(docs, folder, *args, **kwargs):
        real(docs[:1], folder, *args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(build_module, "write_documents", dies_half_way)
    with pytest.raises(KeyboardInterrupt):
        build_site(answered_site, templates_dir=PACK)
    assert list((answered_site / "drafts").iterdir()) == []


def test_leftover_temporary_folder_of_a_killed_build_is_cleaned(answered_site):
    stale = answered_site / "drafts" / ".v001.tmp-dead"
    stale.mkdir(parents=True)
    (stale / "half.md").write_text("half")
    result = build_site(answered_site, templates_dir=PACK)
    assert result.folder.name == "v001" and not stale.exists()


def test_next_version_follows_the_highest_even_after_a_gap(answered_site):
    build_site(answered_site, templates_dir=PACK)
    (answered_site / "drafts" / "v007").mkdir()
    assert build_site(answered_site, templates_dir=PACK).folder.name == "v008"


def test_build_of_a_missing_site_is_a_clear_error(tmp_path):
    result = invoke("build", tmp_path / "nowhere")
    assert result.exit_code == 1 and result.stderr.startswith("Error: site folder not found")


def test_two_builds_at_once_get_different_versions(answered_site):
    import threading

    results, errors = [], []

    def one():
        try:
            results.append(build_site(answered_site, templates_dir=PACK).version)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and sorted(results) == [1, 2, 3]
    for n in (1, 2, 3):
        manifest = json.loads((answered_site / "drafts" / f"v00{n}" / "manifest.json").read_text())
        assert manifest["version"] == n
        assert f"DRAFT version {n}," in (answered_site / "drafts" / f"v00{n}" / "da-letter.md").read_text()


def test_compiled_template_cache_is_private_and_a_damaged_one_is_ignored(answered_site, tmp_path, monkeypatch):
    from readiness.documents import environment

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    first = build_site(answered_site, templates_dir=PACK, today=dt.date(2026, 11, 30))
    files = list((tmp_path / "cache" / "lead-readiness").rglob("*.cache"))
    assert files and all(f.parent.stat().st_mode & 0o077 == 0 for f in files)
    for f in files:
        f.write_bytes(b"\x00garbage")
    second = build_site(answered_site, templates_dir=PACK, today=dt.date(2026, 11, 30))
    norm = [(r.folder / "da-letter.md").read_text().replace(f"version {r.version},", "version N,")
            for r in (first, second)]
    assert norm[0] == norm[1]
    monkeypatch.setenv("LEAD_READINESS_NO_CACHE", "1")
    assert environment._bytecode_cache() is None


def test_a_build_opens_the_reference_document_once_and_every_docx_has_its_letterhead(tmp_path, monkeypatch):
    import docx

    from conftest import EXAMPLES
    from readiness.documents.docx_writer import dump_docx

    site = tmp_path / "site"
    shutil.copytree(EXAMPLES / "harbor-county", site)
    folder = tmp_path / "letterhead"
    folder.mkdir()
    ref = docx.Document()
    ref.sections[0].header.paragraphs[0].text = "ACME CONSULTING"
    ref.save(str(folder / "reference.docx"))
    opened = []
    real = docx.Document
    monkeypatch.setattr(docx, "Document", lambda *a, **k: opened.append(a) or real(*a, **k))
    result = build_site(site, templates_dir=folder)
    written = [d for d in result.documents if "docx" in d.files]
    assert len(written) > 10 and len(opened) == 1
    monkeypatch.setattr(docx, "Document", real)
    for doc in written:  # each its own copy: the letterhead, and its own body only
        lines = dump_docx(doc.files["docx"])
        assert "[header] Header: ACME CONSULTING" in lines, doc.stem
        heading = next(line[2:].strip() for line in doc.markdown.splitlines() if line.startswith("# "))
        titles = [line[len("Title: "):] for line in lines if line.startswith("Title: ")]
        assert len(titles) == 1 and titles[0][:20] == heading[:20], doc.stem


def _harbor(tmp_path: Path, name: str) -> Path:
    from conftest import EXAMPLES

    site = tmp_path / name
    shutil.copytree(EXAMPLES / "harbor-county", site)
    return site


@pytest.mark.skipif(not __import__("readiness.forked").forked.can_fork(), reason="needs fork and two CPUs")
def test_a_second_process_writes_about_half_of_the_word_files(tmp_path, monkeypatch):
    from readiness.documents import docx_writer

    log = tmp_path / "writers.txt"
    real = docx_writer.write_docx

    def logged(markdown, out_path, **kw):
        with open(log, "a") as fh:
            fh.write(f"{os.getpid()} {Path(out_path).suffix}\n")
        return real(markdown, out_path, **kw)

    site = _harbor(tmp_path, "site")
    build_site(site)  # fills the chart cache: while a child draws charts the build writes every Word file itself
    monkeypatch.setattr(docx_writer, "write_docx", logged)
    result = build_site(site)
    pids = [line.split()[0] for line in log.read_text().splitlines()]
    words = [d for d in result.documents if "docx" in d.files]
    assert len(pids) == len(words)  # each Word file written once
    assert 0 < sum(pid != str(os.getpid()) for pid in pids) < len(words)
    assert all(d.files["docx"].is_file() for d in words)
    assert not [p.name for p in result.folder.iterdir() if p.name.startswith(".")]  # no private folder left


def test_a_failing_second_process_leaves_the_same_word_files(tmp_path, monkeypatch):
    from readiness import forked
    from readiness.documents.docx_writer import dump_docx

    normal = build_site(_harbor(tmp_path, "normal"), today=dt.date(2026, 11, 30))

    def fail(*args):
        raise RuntimeError("the child breaks")

    monkeypatch.setattr(forked, "_child_runs", fail)
    broken = build_site(_harbor(tmp_path, "broken"), today=dt.date(2026, 11, 30))
    names = sorted(p.name for p in normal.folder.iterdir())
    assert sorted(p.name for p in broken.folder.iterdir()) == names
    for name in names:
        if name.endswith(".docx"):
            assert dump_docx(broken.folder / name) == dump_docx(normal.folder / name), name
        elif name != "manifest.json":
            assert (broken.folder / name).read_bytes() == (normal.folder / name).read_bytes(), name


def test_a_builds_pack_expressions_are_compiled_once_each(tmp_path, monkeypatch):
    """A for_each document's `key:` is evaluated for every copy; it is compiled once."""
    import collections

    from jinja2 import Environment

    compiled: collections.Counter = collections.Counter()
    real = Environment.compile_expression

    def counting(self, source, undefined_to_none=True):
        if hasattr(self, "compiled_expressions"):  # the documents' environment (make_environment)
            compiled[source] += 1
        return real(self, source, undefined_to_none)

    monkeypatch.setattr(Environment, "compile_expression", counting)
    result = build_site(_harbor(tmp_path, "site"))
    assert len([d for d in result.documents if d.spec.group]) >= 4  # copies of for_each documents
    assert compiled and max(compiled.values()) == 1, compiled
