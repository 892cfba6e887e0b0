"""`review`: a round trip through a reviewer's Word. Build, add comments, a reply on an open item's
comment and a placeholder typed over (with lxml, as Word stores them), read them back, record the
answers with --apply, and build again with the items filled."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES, invoke, snapshot
from word_edits import WordFile

DA = "name of the elected District Attorney"
WINDOW = "intake window in days"
REVIEWER = "Dana Reyes (DA's office)"


def run(*args) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """Harbor County without the DA's name and the intake window (both are open items), built once."""
    root = tmp_path_factory.mktemp("review") / "harbor"
    shutil.copytree(EXAMPLES / "harbor-county", root)
    data = yaml.safe_load((root / "answers.yaml").read_text())
    for qid in ("da_name", "intake_window_days"):
        del data["answers"][qid]
    (root / "answers.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    run("build", root)
    return root


@pytest.fixture
def site(built, tmp_path) -> Path:
    root = tmp_path / "harbor"
    shutil.copytree(built, root)
    return root


def returned(site: Path, tmp_path: Path, *, window: str = "30", threaded: bool = True) -> Path:
    """The MOU as the DA's office sends it back."""
    path = tmp_path / "returned" / "mou.docx"
    path.parent.mkdir(exist_ok=True)
    shutil.copy(site / "drafts/v001/mou.docx", path)
    f = WordFile(path)
    f.reply(f.open_item_comment(DA), REVIEWER, "Teresa Whitlock", date="2026-12-03T11:00:00Z")
    f.comment("Purpose and recitals", "Sam Ortiz", "Name the Sheriff's Office as a party here.",
              date="2026-12-04T09:30:00Z")
    f.type_over(f"[TO CONFIRM: {WINDOW}]", REVIEWER, window, date="2026-12-03T12:00:00Z")
    f.track_insert("Purpose and recitals", "Sam Ortiz", " (revised)")
    f.save()
    if not threaded:  # a file saved without Word's threading part: replies are found by their anchor
        import zipfile

        with zipfile.ZipFile(path) as z:
            parts = {i.filename: z.read(i.filename) for i in z.infolist() if i.filename != "word/commentsExtended.xml"}
        with zipfile.ZipFile(path, "w") as z:
            for name, data in parts.items():
                z.writestr(name, data)
    return path


def test_review_lists_comments_replies_and_changes_by_document_and_section(site, tmp_path):
    doc = returned(site, tmp_path)
    data = json.loads(run("review", site, doc, "--format", "json"))
    assert [f["document"] for f in data["files"]] == ["mou"] and data["files"][0]["version"] == "1"
    remarks = [(r["kind"], r["author"], r["date"][:10], r["section"], r["text"]) for r in data["remarks"]]
    assert ("comment", "Sam Ortiz", "2026-12-04", "1. Purpose and recitals (revised)",
            "Name the Sheriff's Office as a party here.") in remarks
    assert ("insertion", "Sam Ortiz", "2026-12-03", "1. Purpose and recitals (revised)", "(revised)") in remarks
    assert ("deletion", REVIEWER, "2026-12-03", "3. Definitions", f"[TO CONFIRM: {WINDOW}]") in remarks
    assert ("insertion", REVIEWER, "2026-12-03", "3. Definitions", "30") in remarks
    reply = next(r for r in data["remarks"] if r["kind"] == "reply")
    assert (reply["author"], reply["text"], reply["section"]) == (REVIEWER, "Teresa Whitlock", "6.2 District Attorney")
    assert DA in reply["reply_to"] and DA in reply["anchor"]
    assert not [r for r in data["remarks"] if r["author"] == "lead-readiness"]  # the tool's own comments are not listed
    proposals = {p["question"]: p for p in data["proposals"]}
    assert proposals["da_name"]["text"] == "Teresa Whitlock" and proposals["da_name"]["problem"] is None
    assert proposals["da_name"]["how"] == "reply to the open item's comment"
    assert proposals["intake_window_days"]["text"] == "30"
    assert proposals["intake_window_days"]["how"] == "typed over the placeholder"
    assert data["applied"] == []

    md = run("review", site, doc, "--format", "markdown")
    assert "## Interagency Memorandum of Understanding (mou.docx)" in md
    assert "### 6.2 District Attorney" in md and "### 3. Definitions" in md
    assert "- **Reply** by Dana Reyes (DA's office), 2026-12-03" in md
    assert "da\\_name = Teresa Whitlock" in md

    result = invoke("review", site, doc)
    assert result.exit_code == 0
    table = " ".join(result.stdout.split())
    assert "Interagency Memorandum of Understanding (mou.docx)" in table and "Sam Ortiz" in table
    assert "Answers proposed for open items" in table
    assert "2 answer(s) can be recorded: run again with --apply" in " ".join(result.stderr.split())


def test_nothing_is_recorded_without_apply(site, tmp_path):
    doc = returned(site, tmp_path)
    before, returned_before = snapshot(site), doc.read_bytes()
    for fmt in ("table", "markdown", "json"):
        run("review", site, doc, "--format", fmt)
    assert snapshot(site) == before
    assert doc.read_bytes() == returned_before  # the reviewer's file is only read


def test_apply_records_the_answers_with_evidence_and_the_next_build_fills_the_items(site, tmp_path):
    doc = returned(site, tmp_path)
    result = invoke("review", site, doc, "--apply", "--format", "json")
    assert result.exit_code == 0, result.output
    assert sorted(p["question"] for p in json.loads(result.stdout)["applied"]) == ["da_name", "intake_window_days"]
    assert "Recorded 2 answer(s) from the review." in result.stderr
    answers = yaml.safe_load((site / "answers.yaml").read_text())["answers"]
    assert answers["da_name"]["value"] == "Teresa Whitlock"
    assert answers["da_name"]["by"] == REVIEWER
    assert answers["da_name"]["evidence"] == f"{REVIEWER}, reply to the open item's comment in mou.docx on 2026-12-03"
    assert answers["intake_window_days"]["value"] == 30  # checked and typed like any answer
    assert "typed over the placeholder in mou.docx" in answers["intake_window_days"]["evidence"]

    run("build", site)
    mou = (site / "drafts/v002/mou.md").read_text()
    assert f"[TO CONFIRM: {DA}]" not in mou and f"[TO CONFIRM: {WINDOW}]" not in mou
    assert "Teresa Whitlock" in mou and "30 days" in mou
    manifest = json.loads((site / "drafts/v002/manifest.json").read_text())
    items = {i["text"] for d in manifest["documents"] for i in d["open_items"]}
    assert DA not in items and WINDOW not in items

    again = json.loads(run("review", site, doc, "--format", "json", "--apply"))  # a second --apply changes nothing
    assert again["applied"] == [] and {p["problem"] for p in again["proposals"]} == {"already recorded"}


def test_an_answer_that_is_not_valid_is_shown_and_never_recorded(site, tmp_path):
    doc = returned(site, tmp_path, window="about a month")
    before = (site / "answers.yaml").read_bytes()
    data = json.loads(run("review", site, doc, "--format", "json", "--apply"))
    bad = next(p for p in data["proposals"] if p["question"] == "intake_window_days")
    assert bad["problem"].startswith("not a valid answer to 'intake_window_days'")
    assert [p["question"] for p in data["applied"]] == ["da_name"]
    answers = yaml.safe_load((site / "answers.yaml").read_text())["answers"]
    assert "intake_window_days" not in answers and answers["da_name"]["value"] == "Teresa Whitlock"
    assert before != (site / "answers.yaml").read_bytes()


def test_a_reply_is_found_without_words_threading_part(site, tmp_path):
    doc = returned(site, tmp_path, threaded=False)
    data = json.loads(run("review", site, doc, "--format", "json"))
    reply = next(r for r in data["remarks"] if r["author"] == REVIEWER and r["text"] == "Teresa Whitlock")
    assert reply["kind"] == "reply"
    assert "da_name" in {p["question"] for p in data["proposals"]}


def test_foreign_files_are_refused_and_nothing_is_read_or_recorded(site, tmp_path, mini_site):
    import docx

    foreign = tmp_path / "letter.docx"
    d = docx.Document()
    d.add_paragraph("[TO CONFIRM: name of the elected District Attorney]")
    d.save(foreign)
    doc = returned(site, tmp_path)
    before = snapshot(site)
    result = invoke("review", site, doc, foreign, "--apply")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {foreign} was not made by lead-readiness")
    assert snapshot(site) == before  # one foreign file refuses the lot

    run("answer", mini_site, "county_name", "Test County")
    run("build", mini_site, "--templates", Path(__file__).parent / "fixtures" / "pack")
    other = next((mini_site / "drafts/v001").glob("*.docx"))
    result = invoke("review", site, other)
    assert result.exit_code == 1
    assert "is a draft for 'Test County' (NC), not for this site 'Harbor County (fictional)' (NC)" in result.stderr

    text = tmp_path / "notes.docx"
    text.write_text("not a zip")
    result = invoke("review", site, text)
    assert result.exit_code == 1 and "is not a Word file (.docx)" in result.stderr
    result = invoke("review", site, tmp_path / "missing.docx")
    assert result.exit_code == 1 and "no such file" in result.stderr
    assert snapshot(site) == before


def test_a_redline_sent_back_lists_only_the_reviewers_changes(site, tmp_path):
    run("answer", site, "da_name", "Teresa Whitlock")
    run("build", site)
    redline = site / "drafts/v002/redlines/mou-v001-to-v002.docx"
    assert redline.is_file()
    data = json.loads(run("review", site, redline, "--format", "json"))
    assert data["remarks"] == []  # the tool's own tracked changes are not a reviewer's
    back = tmp_path / "mou-redline-back.docx"
    shutil.copy(redline, back)
    f = WordFile(back)
    f.comment("Purpose and recitals", "Sam Ortiz", "Fine now.")
    f.save()
    data = json.loads(run("review", site, back, "--format", "json"))
    assert [(r["kind"], r["text"]) for r in data["remarks"]] == [("comment", "Fine now.")]


def test_apply_only_some_questions(site, tmp_path):
    doc = returned(site, tmp_path)
    before = snapshot(site)
    result = invoke("review", site, doc, "--apply", "--only", "da_nme")
    assert result.exit_code == 1 and "no reviewer proposed an answer to 'da_nme'" in result.stderr
    assert "did you mean 'da_name'?" in result.stderr
    result = invoke("review", site, doc, "--only", "da_name")
    assert result.exit_code == 1 and "add --apply" in result.stderr
    assert snapshot(site) == before
    data = json.loads(run("review", site, doc, "--apply", "--only", "da_name", "--format", "json"))
    assert [p["question"] for p in data["applied"]] == ["da_name"]
    answers = yaml.safe_load((site / "answers.yaml").read_text())["answers"]
    assert "da_name" in answers and "intake_window_days" not in answers


@pytest.fixture(scope="module")
def soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        pytest.skip("LibreOffice is not installed")
    return exe


def test_a_file_saved_again_by_libreoffice_is_still_recognized_and_read(site, tmp_path, soffice):
    """LibreOffice keeps the custom properties and the comments, but writes no Word threading part:
    the reply is found by its anchor."""
    import subprocess

    doc = returned(site, tmp_path)
    out = tmp_path / "saved"
    result = subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
                             "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out), str(doc)],
                            capture_output=True, text=True, timeout=600)
    saved = out / "mou.docx"
    assert result.returncode == 0 and saved.is_file(), result.stderr
    data = json.loads(run("review", site, saved, "--format", "json"))
    kinds = {(r["kind"], r["text"]) for r in data["remarks"]}
    assert ("reply", "Teresa Whitlock") in kinds
    assert ("comment", "Name the Sheriff's Office as a party here.") in kinds
    assert {p["question"]: p["text"] for p in data["proposals"]} == {"da_name": "Teresa Whitlock",
                                                                    "intake_window_days": "30"}


def test_a_reference_documents_own_custom_properties_are_kept_beside_the_marks(tmp_path):
    import zipfile

    from readiness.documents import marks
    from readiness.documents.docx_writer import write_docx

    ref = tmp_path / "letterhead.docx"
    write_docx("x\n", ref, title="t", header_text="h", footer_text="f")
    with zipfile.ZipFile(ref) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    parts["docProps/custom.xml"] = marks.custom_xml({"Client": "Harbor County Counsel"})  # as Word saves a letterhead's
    parts["_rels/.rels"] = parts["_rels/.rels"].replace(
        b"</Relationships>", f'<Relationship Id="rIdC" Type="{marks.CUSTOM_REL}" Target="docProps/custom.xml"/>'
        "</Relationships>".encode())
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", f'<Override PartName="/docProps/custom.xml" ContentType="{marks.CUSTOM_CONTENT_TYPE}"/></Types>'.encode())
    with zipfile.ZipFile(ref, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    out = tmp_path / "draft.docx"
    write_docx("Hello\n", out, title="t", header_text="h", footer_text="f", reference_docx=ref,
               marks=marks.marks_for("Harbor County", "NC", 2, "mou"))
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        custom = z.read("docProps/custom.xml")
    assert names.count("docProps/custom.xml") == 1
    assert b"Harbor County Counsel" in custom
    assert marks.read_marks(out) == {"tool": "lead-readiness", "site": "Harbor County", "state": "NC",
                                     "version": "2", "document": "mou"}


def test_apply_writes_the_answers_file_once_for_all_proposals(site, tmp_path, monkeypatch):
    """Several accepted proposals are saved together: one lock, one atomic write of answers.yaml."""
    from readiness.workspace import store

    doc = returned(site, tmp_path)
    seen: list[str] = []
    real_write, real_lock = store.atomic_write, store.write_lock
    monkeypatch.setattr(store, "atomic_write", lambda path, data, *a, **k: (seen.append(f"write {path.name}"),
                                                                             real_write(path, data, *a, **k))[1])
    monkeypatch.setattr(store, "write_lock", lambda root: (seen.append("lock"), real_lock(root))[1])
    result = invoke("review", site, doc, "--apply")
    assert result.exit_code == 0, result.output
    assert "Recorded 2 answer(s) from the review." in result.stderr
    assert seen.count("write answers.yaml") == 1 and seen.count("lock") == 1, seen


# ---------------------------------------------------------------- hostile or damaged returned files


def _repacked(src: Path, dst: Path, parts: dict[str, bytes]) -> Path:
    """A copy of `src` with some parts replaced or added."""
    import zipfile

    with zipfile.ZipFile(src) as z:
        data = {name: z.read(name) for name in z.namelist()}
    data.update(parts)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in data.items():
            z.writestr(name, body)
    return dst


def _lie_about_size(path: Path, part: str, size: int = 1000) -> None:
    """Patch the local and central headers of `part` to say it unpacks to `size` bytes (a zip bomb's trick)."""
    import struct
    import zipfile

    with zipfile.ZipFile(path) as z:
        offset = z.getinfo(part).header_offset
    data = bytearray(path.read_bytes())
    struct.pack_into("<I", data, offset + 22, size)
    pos = data.find(b"PK\x01\x02")
    while pos >= 0:
        length = struct.unpack_from("<H", data, pos + 28)[0]
        if bytes(data[pos + 46:pos + 46 + length]) == part.encode():
            struct.pack_into("<I", data, pos + 24, size)
        pos = data.find(b"PK\x01\x02", pos + 4)
    path.write_bytes(bytes(data))


def _comments_with(doc: Path, text: str) -> bytes:
    import zipfile

    with zipfile.ZipFile(doc) as z:
        xml = z.read("word/comments.xml").decode()
    assert "Name the Sheriff's Office as a party here." in xml
    return xml.replace("Name the Sheriff's Office as a party here.", text).encode()


@pytest.mark.parametrize("part", ["word/comments.xml", "docProps/custom.xml"])
def test_a_zip_bomb_whose_headers_lie_is_refused_as_damaged_and_nothing_is_recorded(site, tmp_path, part):
    """A part that says it unpacks to 1,000 bytes and unpacks to 64 MB: was 'unexpected internal problem
    (BadZipFile)', exit 70, after unpacking all of it in memory."""
    doc = returned(site, tmp_path)
    if part == "word/comments.xml":
        body = _comments_with(doc, "A" * (64 << 20))
    else:
        import zipfile

        with zipfile.ZipFile(doc) as z:
            xml = z.read(part).decode()
        body = xml.replace("</Properties>", f"<!-- {'A' * (64 << 20)} --></Properties>").encode()
    bomb = _repacked(doc, tmp_path / "bomb.docx", {part: body})
    _lie_about_size(bomb, part)
    before = snapshot(site)
    result = invoke("review", site, bomb, "--apply")
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"Error: {bomb}: its ") and "damaged" in result.stderr
    assert "internal problem" not in result.stderr
    assert snapshot(site) == before


def test_a_part_far_larger_than_a_draft_is_refused_unread(site, tmp_path):
    """150 MB of comments (under the 200 MB limit for the whole file) ran for minutes in 2 GB of memory."""
    doc = returned(site, tmp_path)
    big = _repacked(doc, tmp_path / "big.docx", {"word/comments.xml": _comments_with(doc, "A" * (20 << 20))})
    before = snapshot(site)
    result = invoke("review", site, big, "--apply")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {big}: its part word/comments.xml unpacks to more than 16 MB")
    assert snapshot(site) == before


def test_a_huge_comment_or_reply_is_listed_cut_and_never_proposed(site, tmp_path):
    """A 1 MB comment took minutes to lay out as a table; a 1 MB reply to an open item was proposed as the answer."""
    doc = returned(site, tmp_path)
    f = WordFile(doc)
    f.reply(f.open_item_comment(DA), "Mallory", "B" * 1_000_000)
    f.save()
    doc = _repacked(doc, tmp_path / "huge.docx", {"word/comments.xml": _comments_with(doc, "C" * 1_000_000)})
    result = invoke("review", site, doc, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    texts = [r["text"] for r in data["remarks"]]
    assert all(len(t) <= 5010 for t in texts) and any(t.startswith("C" * 5000) and t.endswith("[...]") for t in texts)
    assert "a comment by Sam Ortiz has 1,000,000 characters; the first 5,000 are listed" in result.stderr
    huge = [p for p in data["proposals"] if p["author"] == "Mallory"]
    assert huge and huge[0]["problem"] == "1,000,000 characters, far too long for an answer"
    assert len(huge[0]["text"]) < 400
    before = snapshot(site)
    result = invoke("review", site, doc)  # the table: seconds, not minutes
    assert result.exit_code == 0 and "far too long for an answer" in result.stdout
    result = invoke("review", site, doc, "--apply", "--only", "da_name")
    assert result.exit_code == 0
    answers = yaml.safe_load((site / "answers.yaml").read_text())["answers"]
    assert "B" * 100 not in json.dumps(answers)
    assert snapshot(site) != before  # the valid reply (Teresa Whitlock) was recorded, the huge one not
    assert answers["da_name"]["value"] == "Teresa Whitlock"


def test_an_external_relationship_is_named_and_never_followed(site, tmp_path):
    """An attached template on a web server (a way to make Word fetch a file when it opens the draft)."""
    doc = returned(site, tmp_path)
    import zipfile

    with zipfile.ZipFile(doc) as z:
        settings = z.read("word/settings.xml").decode()
    start = settings.index(">", settings.index("<w:settings")) + 1
    settings = (settings[:start] + '<w:attachedTemplate xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
                'relationships" r:id="rIdT1"/>' + settings[start:])
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rIdT1" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" '
            'Target="http://198.51.100.7/share/t.dotm" TargetMode="External"/></Relationships>')
    linked = _repacked(doc, tmp_path / "linked.docx", {"word/settings.xml": settings.encode(),
                                                        "word/_rels/settings.xml.rels": rels.encode()})
    before = snapshot(site)
    result = invoke("review", site, linked, "--format", "json")
    assert result.exit_code == 0, result.output
    assert ("Note: linked.docx links to http://198.51.100.7/share/t.dotm outside the file (attachedTemplate); "
            "review does not open it") in " ".join(result.stderr.split())
    assert json.loads(result.stdout)["notes"] and snapshot(site) == before
    result = invoke("review", site, doc)  # the file as the tool wrote it: no such note (its hyperlinks are fine)
    assert result.exit_code == 0 and "outside the file" not in result.stderr
