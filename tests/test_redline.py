"""Redlines: two builds differing in a few answers; the newer DOCX with the changes as tracked
changes, word by word in paragraphs and whole rows in tables, listed in the manifest."""
from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from conftest import invoke, snapshot
from readiness.documents.redline import redline_bytes

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}


def run(*args) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def body(path: Path):
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read("word/document.xml"))


def texts(root, xpath: str) -> str:
    return "".join(root.xpath(xpath, namespaces=NS))


@pytest.fixture(scope="module")
def harbor_two_versions(tmp_path_factory) -> Path:
    """Harbor County built, then built again after three answers changed."""
    from conftest import EXAMPLES

    site = tmp_path_factory.mktemp("redline") / "harbor"
    shutil.copytree(EXAMPLES / "harbor-county", site)
    run("build", site)
    run("answer", site, "intake_window_days", "5")
    run("answer", site, "da_name", "Teresa Whitlock-Moreno")
    run("answer", site, "cm_provider", "Harborview Community Health Partners (fictional)")
    result = invoke("build", site)
    assert result.exit_code == 0, result.output
    site.joinpath("build-output.txt").write_text(result.stdout)
    return site


def test_build_writes_redlines_for_changed_documents_and_says_where(harbor_two_versions):
    site = harbor_two_versions
    out = " ".join(site.joinpath("build-output.txt").read_text().split())
    assert "Redlines (changes since v001 as Word tracked changes) for" in out
    assert str(site / "drafts" / "v002" / "redlines").replace(" ", "") in out.replace(" ", "")
    manifest = json.loads((site / "drafts/v002/manifest.json").read_text())
    listed = {d["id"]: d["redlines"] for d in manifest["documents"]}
    assert listed["prosecutor_protocol"] == [{"against": 1, "name": "redlines/prosecutor-protocol-v001-to-v002.docx",
                                              "sha256": listed["prosecutor_protocol"][0]["sha256"]}]
    for doc_id, redlines in listed.items():
        for r in redlines:
            assert (site / "drafts/v002" / r["name"]).is_file(), doc_id
    # the terminal diff agrees on what changed: a redline for every changed document, none for the others
    changed = {line.rsplit("(", 1)[1].split(")")[0] for line in run("diff", site).splitlines()
               if line.endswith(": changed") or ": changed," in line}
    assert changed == {doc_id for doc_id, r in listed.items() if r}
    # the first build has nothing to compare with
    first = json.loads((site / "drafts/v001/manifest.json").read_text())
    assert all(d["redlines"] == [] for d in first["documents"])
    assert not (site / "drafts/v001/redlines").exists()


def test_changed_words_are_tracked_and_unchanged_text_is_not(harbor_two_versions):
    site = harbor_two_versions
    root = body(site / "drafts/v002/redlines/prosecutor-protocol-v001-to-v002.docx")
    deleted = [texts(d, ".//w:delText/text()") for d in root.iter(f"{{{W}}}del")]
    inserted = [texts(i, ".//w:t/text()") for i in root.iter(f"{{{W}}}ins")]
    assert "30" in deleted and "5" in inserted  # the intake window, word by word
    assert any("Whitlock-Moreno" in t or "-Moreno" in t for t in inserted)
    assert all(i.get(f"{{{W}}}author") == "lead-readiness" for i in root.xpath("//w:ins|//w:del", namespaces=NS))
    assert all(len(i.get(f"{{{W}}}date")) == 20 and i.get(f"{{{W}}}date").endswith("Z")
               for i in root.xpath("//w:ins|//w:del", namespaces=NS))
    # the sentence around the change stays plain text: in runs that are not tracked
    plain = texts(root, "//w:body//w:r[not(ancestor::w:ins) and not(ancestor::w:del)]/w:t/text()")
    assert "If the person does not complete intake within the window" in plain
    assert "days of the diversion" in plain
    # the version stamp is not a change
    assert not [t for t in inserted if t.strip() == "2"]
    # the new text reads as the new version once the changes are accepted
    accepted = texts(root, "//w:body//w:t/text()")
    assert "within 5 days" in " ".join(accepted.split()) or "within 5" in accepted
    # a table row that changed is deleted and inserted whole
    row_del = root.xpath("//w:tr[w:trPr/w:del]", namespaces=NS)
    row_ins = root.xpath("//w:tr[w:trPr/w:ins]", namespaces=NS)
    assert row_del and row_ins
    assert "30 days" in texts(row_del[0], ".//w:delText/text()")
    assert "5 days" in texts(row_ins[0], ".//w:t/text()")
    assert not row_del[0].xpath(".//w:t", namespaces=NS)  # a deleted row holds no live text


def test_unchanged_document_gets_no_redline(harbor_two_versions):
    site = harbor_two_versions
    manifest = json.loads((site / "drafts/v002/manifest.json").read_text())
    unchanged = [d for d in manifest["documents"] if not d["redlines"]]
    assert unchanged, "some documents do not depend on the three answers"
    for d in unchanged:
        name = d["names"]["docx"]
        data, stats = redline_bytes(site / "drafts/v001" / name, site / "drafts/v002" / name, date="2026-12-02T00:00:00Z",
                                    normalise_old=lambda s: s.replace("version 1", "version N").replace("v1", "vN"),
                                    normalise_new=lambda s: s.replace("version 2", "version N").replace("v2", "vN"))
        assert stats.inserted_paragraphs == stats.deleted_paragraphs == 0


def test_inserted_and_deleted_paragraphs_are_marked_whole(tmp_path):
    """Without stamp normalising, a build's own version line is a changed paragraph; a paragraph only
    in the old file is deleted with its paragraph mark, one only in the new file inserted."""
    from readiness.documents.docx_writer import write_docx

    old, new = tmp_path / "old.docx", tmp_path / "new.docx"
    write_docx("# Title\n\nFirst paragraph stays.\n\nThis one goes away entirely.\n\nLast one stays.\n\n"
               "Gone too, with its open item [TO CONFIRM: a name nobody gave].\n",
               old, title="T", header_text="H", footer_text="F")
    write_docx("# Title\n\nFirst paragraph stays.\n\nLast one stays.\n\nA brand new closing paragraph.\n",
               new, title="T", header_text="H", footer_text="F")
    data, stats = redline_bytes(old, new, date="2026-12-02T00:00:00Z")
    (tmp_path / "r.docx").write_bytes(data)
    root = body(tmp_path / "r.docx")
    gone = root.xpath("//w:p[w:pPr/w:rPr/w:del]", namespaces=NS)
    added = root.xpath("//w:p[w:pPr/w:rPr/w:ins]", namespaces=NS)
    assert [texts(p, ".//w:delText/text()") for p in gone] == [
        "This one goes away entirely.", "Gone too, with its open item [TO CONFIRM: a name nobody gave]."]
    # the old file's comment anchors are not carried over: every reference points at a comment of the new file
    with zipfile.ZipFile(tmp_path / "r.docx") as z:
        comment_ids = set(etree.fromstring(z.read("word/comments.xml")).xpath("//w:comment/@w:id", namespaces=NS))
    refs = root.xpath("//w:commentReference/@w:id | //w:commentRangeStart/@w:id", namespaces=NS)
    assert set(refs) <= comment_ids
    assert not gone[1].xpath(".//w:commentReference | .//w:commentRangeStart", namespaces=NS)
    assert [texts(p, ".//w:ins//w:t/text()") for p in added] == ["A brand new closing paragraph."]
    assert (stats.inserted_paragraphs, stats.deleted_paragraphs) == (1, 2)
    untouched = texts(root, "//w:p[not(.//w:ins) and not(.//w:del)]//w:t/text()")
    assert "First paragraph stays." in untouched and "Last one stays." in untouched


def test_word_diff_keeps_the_new_runs_formatting(tmp_path):
    from readiness.documents.docx_writer import write_docx

    old, new = tmp_path / "old.docx", tmp_path / "new.docx"
    write_docx("Call **Harbor Health** within 30 days.\n", old, title="T", header_text="H", footer_text="F")
    write_docx("Call **Harbor Health Partners** within 10 days.\n", new, title="T", header_text="H", footer_text="F")
    data, _ = redline_bytes(old, new, date="2026-12-02T00:00:00Z")
    (tmp_path / "r.docx").write_bytes(data)
    root = body(tmp_path / "r.docx")
    ins = root.xpath("//w:ins/w:r", namespaces=NS)
    by_text = {texts(r, "./w:t/text()").strip(): r for r in ins}
    assert set(by_text) - {""} == {"Partners", "10"}
    assert by_text["Partners"].xpath("./w:rPr/w:b", namespaces=NS)  # inserted inside the bold name: bold
    assert not by_text["10"].xpath("./w:rPr/w:b", namespaces=NS)
    assert [texts(r, ".//w:delText/text()") for r in root.xpath("//w:del/w:r", namespaces=NS)] == ["30"]


def test_diff_docx_writes_and_lists_redlines_and_keeps_the_terminal_diff(harbor_two_versions, tmp_path):
    site = tmp_path / "copy"
    shutil.copytree(harbor_two_versions, site)
    shutil.rmtree(site / "drafts/v002/redlines")
    before = snapshot(site / "drafts/v001")
    out = " ".join(run("diff", site, "v1", "v2", "--docx").split())
    assert "Comparing v001 -> v002" in out and "intake_window_days: 30 days -> 5 days" in out  # the terminal diff stays
    assert "Redline of Prosecutor Diversion Protocol:" in out
    assert (site / "drafts/v002/redlines/prosecutor-protocol-v001-to-v002.docx").is_file()
    manifest = json.loads((site / "drafts/v002/manifest.json").read_text())
    names = [r["name"] for d in manifest["documents"] for r in d["redlines"]]
    assert "redlines/prosecutor-protocol-v001-to-v002.docx" in names and len(names) == len(set(names))
    assert snapshot(site / "drafts/v001") == before
    # run again: the redlines it wrote are written again; one a person saved over is left alone
    edited = site / "drafts/v002/redlines/mou-v001-to-v002.docx"
    edited.write_bytes(edited.read_bytes() + b"saved by a reviewer")
    kept = edited.read_bytes()
    out = " ".join(run("diff", site, "--docx").split())
    assert "was changed since lead-readiness wrote it: left as it is" in out
    assert edited.read_bytes() == kept
    assert "Redline of Prosecutor Diversion Protocol:" in out
    result = invoke("diff", site, "v2", "v2", "--docx")
    assert result.exit_code == 1 and "a redline needs two different versions" in result.stderr


@pytest.fixture(scope="module")
def soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        pytest.skip("LibreOffice is not installed")
    return exe


def test_libreoffice_converts_a_redline_and_shows_the_changes(harbor_two_versions, soffice, tmp_path):
    redline = harbor_two_versions / "drafts/v002/redlines/prosecutor-protocol-v001-to-v002.docx"
    profile = tmp_path / "profile"
    result = subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                             "--outdir", str(tmp_path), str(redline)], capture_output=True, text=True, timeout=600)
    pdf = tmp_path / (redline.stem + ".pdf")
    assert result.returncode == 0 and pdf.is_file(), result.stderr
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, timeout=120).stdout
        # LibreOffice prints tracked changes inline: the deleted "30" (struck through) next to the inserted "5"
        assert "305 days" in text.replace(" ", "") or "305days" in text.replace(" ", "")


def test_a_redline_is_as_valid_as_the_draft_it_marks(harbor_two_versions):
    """The schema validator finds nothing in a redline that it does not find in the new draft itself
    (tracked-change markup, row marks and the custom properties are all valid OOXML)."""
    pytest.importorskip("openxml_audit")
    from ooxml_check import ooxml_errors

    def problems(path: Path) -> set[str]:
        return {getattr(e, "description", str(e)) for e in ooxml_errors(path, microsoft_365=False)}

    folder = harbor_two_versions / "drafts/v002"
    for name in ("prosecutor-protocol", "evaluation-plan", "mou"):
        redline = folder / f"redlines/{name}-v001-to-v002.docx"
        assert problems(redline) <= problems(folder / f"{name}.docx"), name


def test_a_document_left_out_of_the_previous_build_is_compared_with_its_own_previous_version(tmp_path):
    from conftest import EXAMPLES

    site = tmp_path / "harbor"
    shutil.copytree(EXAMPLES / "harbor-county", site)
    run("build", site)
    run("answer", site, "intake_window_days", "5")
    run("build", site, "--only", "mou")  # v2: the MOU alone
    out = " ".join(run("build", site, "--only", "mou,prosecutor_protocol").split())  # v3
    manifest = json.loads((site / "drafts/v003/manifest.json").read_text())
    listed = {d["id"]: [(r["against"], r["name"]) for r in d["redlines"]] for d in manifest["documents"]}
    assert listed["mou"] == []  # unchanged since v2
    assert listed["prosecutor_protocol"] == [(1, "redlines/prosecutor-protocol-v001-to-v003.docx")]
    assert "Redlines (changes since each document's previous version as Word tracked changes) for 1 document(s)" in out


def test_an_old_draft_that_is_a_link_is_not_followed(harbor_two_versions, tmp_path):
    site = tmp_path / "copy"
    shutil.copytree(harbor_two_versions, site, symlinks=True)
    secret = tmp_path / "elsewhere.docx"
    shutil.copy(site / "drafts/v001/mou.docx", secret)
    (site / "drafts/v001/prosecutor-protocol.docx").unlink()
    (site / "drafts/v001/prosecutor-protocol.docx").symlink_to(secret)
    shutil.rmtree(site / "drafts/v002/redlines")
    out = " ".join(run("diff", site, "--docx").split())
    assert "no redline for Prosecutor Diversion Protocol:" in out and "links are not followed" in out
    assert not (site / "drafts/v002/redlines/prosecutor-protocol-v001-to-v002.docx").exists()
    assert (site / "drafts/v002/redlines/mou-v001-to-v002.docx").is_file()


def test_redline_and_review_share_one_definition_of_the_wordprocessingml_names():
    """`W`, `w()` and `local()` live in documents/ooxml.py; redline.py and review.py no longer each
    carry their own copy (which could drift: a fix to one would miss the other)."""
    import ast
    import inspect

    from readiness.documents import ooxml, redline, review

    assert ooxml.w("p") == f"{{{W}}}p" and ooxml.local(etree.Element(ooxml.w("tbl"))) == "tbl"
    assert ooxml.local(etree.Comment("a comment")) == ""
    for module in (redline, review):
        tree = ast.parse(inspect.getsource(module))
        own = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
        own |= {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
        assert not own & {"W", "_w", "_local", "w", "local"}, module.__name__
        assert module.w is ooxml.w and module.local is ooxml.local
