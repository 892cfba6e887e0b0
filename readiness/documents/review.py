"""Reviewers' files read back: the comments, replies and tracked changes that stakeholders left in
drafts this tool built, listed per document and section, and the answers they gave to open items.

A returned DOCX is recognized by the custom properties the build wrote into it (marks.py): a file
without them, or made for another site, is refused. An open item is answered by a reply to its
comment ("Open item: ..."), or by typing over its `[TO CONFIRM: ...]` placeholder with track changes
on (the deletion of the placeholder next to an insertion). Such an answer becomes a proposal for the
question behind the placeholder (the version's manifest lists each open item with its question);
`apply_proposals` records the valid ones through the same validation as `lead-readiness answer`,
with the reviewer and the file as evidence. Reading never changes a file.

Only lxml and zipfile (no python-docx): a returned file is read, never rewritten.
"""
from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from readiness.documents.marks import TOOL, read_marks
from readiness.documents.markdown_blocks import PLACEHOLDER
from readiness.documents.ooxml import W, local, w
from readiness.errors import ReadinessError

W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
MAX_UNPACKED = 200 << 20  # a returned draft is a few hundred kB; a zip bomb is refused unread
MAX_PART = 16 << 20  # one XML part read (the MOU's document.xml is about 120 kB); read no further than this
MAX_REMARK = 5000  # characters of one comment or change listed (about two pages); the rest is cut, with a note
_LINK_TYPES = ("/hyperlink",)  # external relationships Word never opens by itself
_OPEN_ITEM_COMMENT = re.compile(r"^\s*Open item:\s*(.*?)\s*(?:—|--|-)\s*confirm before signature\.?\s*$", re.S)


@dataclass
class Remark:
    """One thing a reviewer left: a comment, a reply to a comment, an insertion or a deletion."""

    kind: str  # comment | reply | insertion | deletion
    author: str
    date: str
    text: str
    document: str  # document id (from the file's marks)
    title: str
    section: str  # the heading above it ("" before the first heading)
    file: Path
    anchor: str = ""  # the text commented on
    reply_to: str = ""  # the comment replied to (its text)
    order: int = 0  # where in the document (characters of text before it)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "author": self.author, "date": self.date, "text": self.text,
                "document": self.document, "title": self.title, "section": self.section, "file": str(self.file),
                "anchor": self.anchor, "reply_to": self.reply_to}


@dataclass
class Proposal:
    """A reviewer's answer to an open item, as an answer to its question."""

    item: str  # the open item's text
    question: str | None
    text: str  # what the reviewer wrote
    author: str
    date: str
    how: str  # "reply to the open item's comment" | "typed over the placeholder"
    document: str
    section: str
    file: Path
    value: object = None  # the checked value, when `problem` is None
    problem: str | None = None  # why it cannot be recorded

    @property
    def evidence(self) -> str:
        when = f" on {self.date[:10]}" if self.date else ""
        return f"{self.author}, {self.how} in {self.file.name}{when}"

    def as_dict(self) -> dict:
        return {"item": self.item, "question": self.question, "text": self.text, "author": self.author,
                "date": self.date, "how": self.how, "document": self.document, "section": self.section,
                "file": str(self.file), "problem": self.problem}


@dataclass
class ReviewedFile:
    path: Path
    marks: dict[str, str]
    title: str


@dataclass
class Review:
    files: list[ReviewedFile] = field(default_factory=list)
    remarks: list[Remark] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- opening a returned file


def _parse(data: bytes):
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))


class _Package:
    def __init__(self, path: Path):
        self.path = path
        if path.exists() and not path.is_file() and not path.is_dir():  # a pipe or a device would block or never end
            raise ReadinessError(f"{path} is not a regular file", hint="give the .docx files themselves")
        try:
            self.zip = zipfile.ZipFile(path)
        except FileNotFoundError:
            raise ReadinessError(f"{path}: no such file", hint="give the path of the Word file the reviewer returned") from None
        except IsADirectoryError:
            raise ReadinessError(f"{path} is a folder, not a Word file", hint="give the .docx files themselves") from None
        except (zipfile.BadZipFile, ValueError, OSError) as exc:
            if isinstance(exc, OSError) and not isinstance(exc, zipfile.BadZipFile) and exc.errno:
                raise
            raise ReadinessError(f"{path} is not a Word file (.docx)",
                                 hint="save it in Word as Word Document (.docx), then run review again") from None
        if sum(i.file_size for i in self.zip.infolist()) > MAX_UNPACKED:
            raise ReadinessError(f"{path}: far too large unpacked for a returned draft (a damaged or hostile file?)",
                                 hint="give the .docx the reviewer returned")
        if "word/document.xml" not in self.zip.namelist():
            raise ReadinessError(f"{path} is not a Word document (no word/document.xml inside)",
                                 hint="save it in Word as Word Document (.docx), then run review again")

    def xml(self, name: str):
        return None if (data := self.read(name)) is None else self._parsed(name, data)

    def read(self, name: str) -> bytes | None:
        """A part's bytes, read no further than MAX_PART whatever its header says (a header can lie
        about the size a part unpacks to)."""
        try:
            with self.zip.open(name) as part:
                data = part.read(MAX_PART + 1)
        except KeyError:
            return None
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
            raise ReadinessError(f"{self.path}: its part {name} is damaged ({exc})",
                                 hint="open it in Word, save it again, then run review again") from None
        if len(data) > MAX_PART:
            raise ReadinessError(f"{self.path}: its part {name} unpacks to more than {MAX_PART >> 20} MB, far more "
                                 "than a returned draft holds (a damaged or hostile file?)",
                                 hint="give the .docx the reviewer returned")
        return data

    def _parsed(self, name: str, data: bytes):
        try:
            return _parse(data)
        except etree.XMLSyntaxError as exc:
            raise ReadinessError(f"{self.path}: its part {name} is damaged ({exc})",
                                 hint="open it in Word, save it again, then run review again") from None

    def external_links(self) -> list[tuple[str, str]]:
        """(relationship type, target) of every relationship to outside the file that Word may open by
        itself (an attached template, a linked picture or object, a frame), hyperlinks left out."""
        found = []
        for name in self.zip.namelist():
            if name.endswith(".rels") and (rels := self.xml(name)) is not None:
                for rel in rels:
                    kind = str(rel.get("Type") or "")
                    if rel.get("TargetMode") == "External" and not kind.endswith(_LINK_TYPES):
                        found.append((kind.rsplit("/", 1)[-1], str(rel.get("Target") or "")))
        return found


def check_file(path: Path, site_name: str, state: str) -> dict[str, str]:
    """The file's marks, or an error saying why it is not a draft of this site."""
    package = _Package(Path(path))
    try:
        marks = read_marks(Path(path))
    except etree.XMLSyntaxError:
        marks = {}
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise ReadinessError(f"{path}: its document properties are damaged ({exc})",
                             hint="open it in Word, save it again, then run review again") from None
    finally:
        package.zip.close()
    if marks.get("tool") != TOOL or not marks.get("document"):
        raise ReadinessError(f"{path} was not made by lead-readiness (it carries no lead-readiness document "
                             "properties); review reads only drafts built for this site",
                             hint="give the .docx from the site's drafts/vNNN folder that the reviewer sent back; "
                                  "drafts built by an older lead-readiness carry no such properties: build again "
                                  "and send the new version")
    from readiness.documents.markdown_blocks import xml_safe

    if marks.get("site") != xml_safe(site_name) or (marks.get("state") and marks.get("state") != state):
        raise ReadinessError(f"{path} is a draft for '{marks.get('site', '?')}' ({marks.get('state', '?')}), "
                             f"not for this site '{site_name}' ({state})",
                             hint="run review on the site the draft was built for")
    return marks


# ---------------------------------------------------------------- reading one file


def _heading_styles(package: _Package) -> set[str]:
    styles = package.xml("word/styles.xml")
    ids = set()
    if styles is not None:
        for el in styles.iterchildren(w("style")):
            name = el.find(w("name"))
            label = (name.get(w("val"), "") if name is not None else "").lower()
            if label.startswith("heading") or label == "title" or el.find(f"{w('pPr')}/{w('outlineLvl')}") is not None:
                ids.add(el.get(w("styleId")))
    return ids or {f"Heading{n}" for n in range(1, 10)}


def _text(el, tags=("t",)) -> str:
    out = []
    for node in el.iter(*(w(t) for t in tags), w("tab"), w("br")):
        out.append(node.text or "" if local(node) in tags else (" " if local(node) == "br" else "\t"))
    return "".join(out)


@dataclass
class _Comment:
    id: str
    author: str
    date: str
    text: str
    para_ids: list[str]
    section: str = ""
    anchor: str = ""
    position: int = -1
    parent: _Comment | None = None


def _comments(package: _Package) -> dict[str, _Comment]:
    root = package.xml("word/comments.xml")
    out: dict[str, _Comment] = {}
    if root is None:
        return out
    for c in root.iterchildren(w("comment")):
        paras = list(c.iter(w("p")))
        text = "\n".join(_text(p).strip() for p in paras).strip()
        out[c.get(w("id"), "")] = _Comment(c.get(w("id"), ""), c.get(w("author"), ""), c.get(w("date"), ""),
                                            text, [p.get(f"{{{W14}}}paraId") for p in paras if p.get(f"{{{W14}}}paraId")])
    return out


def _threads(package: _Package, comments: dict[str, _Comment]) -> bool:
    """Word's threading (commentsExtended.xml, `w15:paraIdParent`); whether the file had any."""
    root = package.xml("word/commentsExtended.xml")
    if root is None:
        return False
    by_para = {pid: c for c in comments.values() for pid in c.para_ids}
    found = False
    for ex in root.iter(f"{{{W15}}}commentEx"):
        child, parent = by_para.get(ex.get(f"{{{W15}}}paraId")), by_para.get(ex.get(f"{{{W15}}}paraIdParent"))
        if child is not None and parent is not None and child is not parent:
            child.parent = parent
            found = True
    return found


def _open_item_of(comment: _Comment) -> str | None:
    """The open item a comment of ours is about: the placeholder it is anchored on, else its text."""
    m = PLACEHOLDER.search(comment.anchor)
    if m:
        return " ".join(m.group(1).split())
    m = _OPEN_ITEM_COMMENT.match(comment.text)
    return " ".join(m.group(1).split()) if m else None


def _is_anchor(el) -> bool:
    """Elements between a deletion and an insertion that do not separate them."""
    name = local(el)
    if name in ("commentRangeStart", "commentRangeEnd", "bookmarkStart", "bookmarkEnd", "proofErr", "pPr", "rPr"):
        return True
    if name == "r":
        return not _text(el).strip() and not el.findall(f".//{w('drawing')}")
    return False


def read_file(path: Path, marks: dict[str, str], title: str, review: Review) -> list[tuple[str, str, str, str, str, str]]:
    """Add the file's remarks to `review`; returns the answers it holds as
    (item, text, author, date, how, section)."""
    package = _Package(Path(path))
    try:
        doc = package.xml("word/document.xml")
        headings = _heading_styles(package)
        comments = _comments(package)
        threaded = _threads(package, comments)
        links = package.external_links()
    finally:
        package.zip.close()
    for kind, target in links:
        review.notes.append(f"{Path(path).name} links to {target[:200]} outside the file ({kind}); review does not "
                            "open it, but Word may when the file is opened: ask the reviewer whether they added it")
    doc_id = marks.get("document", "")
    section = ""
    position = 0  # characters of text seen so far, to tell where a comment starts
    open_ranges: dict[str, list[str]] = {}
    answers: list[tuple[str, str, str, str, str, str]] = []
    changes: list[tuple[str, etree._Element, str, int]] = []
    body = doc.find(w("body")) if doc is not None else None
    for el in (body.iter() if body is not None else ()):
        name = local(el)
        if name == "p":
            style = el.find(f"{w('pPr')}/{w('pStyle')}")
            if style is not None and style.get(w("val")) in headings:
                section = " ".join(_text(el).split())
            _typed_over(el, section, answers)
        elif name == "commentRangeStart":
            c = comments.get(el.get(w("id"), ""))
            if c is not None:
                c.section, c.position = section, position
                open_ranges[c.id] = []
        elif name == "commentRangeEnd":
            c = comments.get(el.get(w("id"), ""))
            if c is not None and c.id in open_ranges:
                c.anchor = "".join(open_ranges.pop(c.id))
        elif name == "commentReference":
            c = comments.get(el.get(w("id"), ""))
            if c is not None and c.position < 0:
                c.section, c.position = section, position
        elif name in ("t", "delText"):
            for parts in open_ranges.values():
                parts.append(el.text or "")
            position += len(el.text or "")
        elif name in ("ins", "del") and el.get(w("author"), "") != TOOL:
            changes.append((name, el, section, position))
    last = None  # (element, remark) of the previous change, to join pieces Word split
    first = len(review.remarks)
    for name, el, where, at in changes:
        holder: Any = el.getparent()  # a w:ins or w:del always has one: a run's, row's or paragraph's
        kind = "insertion" if name == "ins" else "deletion"
        tags = ("t",) if name == "ins" else ("delText",)
        if local(holder) == "rPr" and local(holder.getparent()) == "pPr":
            continue  # a paragraph mark: the paragraph's text is reported with its runs
        if local(holder) == "trPr":
            row = holder.getparent()
            text = "table row: " + " | ".join(_text(tc, tags).strip() for tc in row.iterchildren(w("tc")))
        elif el.xpath("ancestor::w:tr[1]/w:trPr/w:ins | ancestor::w:tr[1]/w:trPr/w:del", namespaces={"w": W}):
            continue  # inside a row inserted or deleted whole: reported with the row
        else:
            text = _text(el, tags)
        if not text.strip():
            continue
        author = el.get(w("author"), "")
        if last is not None and last[1].kind == kind and last[1].author == author and _follows(last[0], el):
            last[1].text = (last[1].text + text).strip()
            last = (el, last[1])
            continue
        remark = Remark(kind, author, el.get(w("date"), ""), text.strip(), doc_id, title, where, Path(path), order=at)
        review.remarks.append(remark)
        last = (el, remark)
    ours = {c.id: c for c in comments.values() if c.author == TOOL}
    if not threaded:  # no Word threading: a reviewer's comment anchored exactly where ours is, is a reply
        for c in comments.values():
            if c.author != TOOL and c.parent is None:
                for o in ours.values():
                    if o.position == c.position >= 0 and o.anchor == c.anchor and o.anchor:
                        c.parent = o
                        break
    for c in comments.values():
        if c.author == TOOL:
            continue
        parent = c.parent
        while parent is not None and parent.parent is not None:
            parent = parent.parent
        section_of = c.section or (parent.section if parent is not None else "")
        review.remarks.append(Remark("reply" if parent is not None else "comment", c.author, c.date, c.text,
                                     doc_id, title, section_of, Path(path),
                                     anchor=(c.anchor or (parent.anchor if parent else "")).strip(),
                                     reply_to=parent.text if parent is not None else "",
                                     order=max(c.position, parent.position if parent is not None else -1)))
        item = _open_item_of(parent) if parent is not None and parent.author == TOOL else None
        if item and c.text.strip():  # noqa: SIM102
            answers.append((item, c.text.strip(), c.author, c.date, "reply to the open item's comment", section_of))
    review.remarks[first:] = sorted(review.remarks[first:], key=lambda r: r.order)
    for r in review.remarks[first:]:
        if len(r.text) > MAX_REMARK:
            review.notes.append(f"{Path(path).name}: a {r.kind} by {r.author} has {len(r.text):,} characters; "
                                f"the first {MAX_REMARK:,} are listed")
            r.text = _cut(r.text, MAX_REMARK)
        r.anchor, r.reply_to = _cut(r.anchor, 300), _cut(r.reply_to, MAX_REMARK)
    return answers


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit].rstrip() + " [...]"


def _follows(a, b) -> bool:
    """Whether element b comes right after a in the same paragraph (only anchors between)."""
    nxt = a.getnext()
    while nxt is not None and nxt is not b and _is_anchor(nxt):
        nxt = nxt.getnext()
    return nxt is b


def _typed_over(p, section: str, answers: list) -> None:
    """Placeholders a reviewer deleted and typed an answer in place of, with track changes on."""
    children = [c for c in p if local(c) != "pPr"]
    for holder in [p] + [c for c in children if local(c) in ("hyperlink", "smartTag", "sdt")]:
        group: list = []
        for child in list(holder) + [None]:
            if child is not None and local(child) in ("ins", "del"):
                if group and group[-1].get(w("author")) != child.get(w("author")):
                    _group_answer(group, section, answers)
                    group = []
                group.append(child)
            elif child is not None and _is_anchor(child) and group:
                continue
            else:
                _group_answer(group, section, answers)
                group = []


def _group_answer(group: list, section: str, answers: list) -> None:
    if not group or group[0].get(w("author"), "") == TOOL:
        return
    deleted = "".join(_text(el, ("delText",)) for el in group if local(el) == "del")
    inserted = "".join(_text(el) for el in group if local(el) == "ins").strip()
    m = PLACEHOLDER.search(deleted)
    if m and inserted:
        answers.append((" ".join(m.group(1).split()), inserted, group[0].get(w("author"), ""),
                        group[0].get(w("date"), ""), "typed over the placeholder", section))


# ---------------------------------------------------------------- the review of a site


def _manifest_items(site_root: Path, version: str, doc_id: str) -> tuple[dict[str, str | None] | None, str]:
    """Open item text -> question id, from the manifest of the version the file was built as."""
    from readiness.documents import versions

    try:
        number = versions.parse_version(version)
        manifest = versions.read_manifest(versions.version_folder(site_root, number))
    except ReadinessError as exc:
        return None, str(exc)
    for entry in manifest["documents"]:
        if isinstance(entry, dict) and str(entry.get("id")) == doc_id:
            return ({" ".join(str(i.get("text", "")).split()): i.get("question")
                     for i in entry.get("open_items") or [] if isinstance(i, dict)}, str(entry.get("title", doc_id)))
    return {}, doc_id


def review_files(site, paths: list[Path]) -> Review:
    """Read every file (all are checked first: one foreign file refuses the lot), list what the
    reviewers left, and check each proposed answer as `answer` would."""
    review = Review()
    checked = [(Path(p), check_file(Path(p), site.name, site.profile.state)) for p in paths]
    for path, marks in checked:
        items, title = _manifest_items(site.root, marks.get("version", ""), marks["document"])
        if items is None:
            review.notes.append(f"{path.name}: its draft v{marks.get('version', '?')} is not in this site ({title}); "
                                "its open items cannot be matched to questions")
            items = {}
        review.files.append(ReviewedFile(path, marks, title))
        for item, text, author, date, how, section in read_file(path, marks, title, review):
            review.proposals.append(Proposal(item, items.get(item), text, author, date, how, marks["document"],
                                             section, path))
    _check_proposals(site, review.proposals)
    return review


def _check_proposals(site, proposals: list[Proposal]) -> None:
    from readiness.questionnaire.values import ValueProblem, display, parse_cli_value

    q = site.questionnaire
    for p in proposals:
        question = q.by_id.get(p.question) if p.question else None
        if len(p.text) > MAX_REMARK:
            p.problem = f"{len(p.text):,} characters, far too long for an answer"
            p.text = _cut(p.text, 300)
        elif p.question is None:
            p.problem = "no question behind this open item (the template asks for it): edit the draft by hand"
        elif question is None:
            p.problem = f"its question '{p.question}' is not in the site's questionnaire"
        elif question.scope == "respondent":
            p.problem = (f"'{p.question}' is asked of each respondent: record it with "
                         f"lead-readiness answer SITE {p.question} VALUE --respondent NAME")
        else:
            try:
                p.value = parse_cli_value(question, p.text)
            except ValueProblem as exc:
                p.problem = f"not a valid answer to '{p.question}': {exc}"
                continue
            current = site.answers.get(p.question)
            if current is not None and current.status == "answered":
                if current.value == p.value:
                    p.problem = "already recorded"
                else:
                    p.problem = f"'{p.question}' has been answered since: {display(question, current.value)}"
    by_question: dict[str, list[Proposal]] = {}
    for p in proposals:
        if p.problem is None and p.question is not None:
            by_question.setdefault(p.question, []).append(p)
    for group in by_question.values():
        values = {repr(p.value) for p in group}
        if len(values) > 1:
            names = "; ".join(f"{p.author}: {p.text}" for p in group)
            for p in group:
                p.problem = f"reviewers disagree ({names}): record one with lead-readiness answer"
        else:
            for p in group[1:]:
                p.problem = f"the same answer as {group[0].author}'s"


def apply_proposals(site, review: Review, only: list[str] | None = None) -> list[Proposal]:
    """Record every proposal without a problem (of the questions in `only`, when given), as
    `lead-readiness answer` would; returns them."""
    from readiness.workspace.models import Answer
    from readiness.workspace.store import save_answers

    if only:
        from readiness.kernel.problems import did_you_mean

        proposed = {p.question for p in review.proposals if p.question}
        for qid in only:
            if qid not in proposed:
                hint = did_you_mean(qid, proposed) if proposed else None
                raise ReadinessError(f"--only: no reviewer proposed an answer to '{qid}'",
                                     hint=hint or ("proposed: " + ", ".join(sorted(proposed)) if proposed
                                                   else "these files propose no answers"))
    applied = []
    answers: dict[str, Answer] = {}
    for p in review.proposals:
        if p.problem is not None or p.question is None or (only and p.question not in only):
            continue
        answers[p.question] = Answer(value=p.value, status="answered", evidence=p.evidence, by=p.author or None,
                                     note=f"From the review of {p.file.name} ({p.document}, open item: {p.item})")
        applied.append(p)
    save_answers(site, answers)  # all at once: one lock, one write, nothing written if one is refused
    return applied


# ---------------------------------------------------------------- presenting


def to_dict(review: Review, applied: list[Proposal] | None = None) -> dict:
    return {"files": [{"file": str(f.path), "document": f.marks.get("document"), "title": f.title,
                       "version": f.marks.get("version"), "site": f.marks.get("site")} for f in review.files],
            "remarks": [r.as_dict() for r in review.remarks],
            "proposals": [p.as_dict() for p in review.proposals],
            "applied": [p.as_dict() for p in applied or []],
            "notes": list(review.notes)}


def grouped(review: Review) -> list[tuple[str, list[tuple[str, list[Remark]]]]]:
    """Remarks by document title, then section, in the order they were found."""
    docs: dict[str, dict[str, list[Remark]]] = {}
    for r in review.remarks:
        docs.setdefault(f"{r.title} ({r.file.name})", {}).setdefault(r.section or "(before the first heading)", []).append(r)
    return [(doc, list(sections.items())) for doc, sections in docs.items()]


_KIND = {"comment": "Comment", "reply": "Reply", "insertion": "Inserted", "deletion": "Deleted"}


def to_markdown(review: Review, applied: list[Proposal] | None = None) -> str:
    def md(text: str) -> str:
        return re.sub(r"([\\`*_\[\]<>|#])", r"\\\1", " ".join(str(text).split()))

    lines = ["# Review", ""]
    if not review.remarks:
        lines += ["No comments, replies or tracked changes from reviewers.", ""]
    for doc, sections in grouped(review):
        lines += [f"## {md(doc)}", ""]
        for section, remarks in sections:
            lines += [f"### {md(section)}", ""]
            for r in remarks:
                about = f" (on \u201c{md(r.anchor)}\u201d)" if r.anchor and r.kind == "comment" else ""
                about = f" (to \u201c{md(r.reply_to)}\u201d)" if r.kind == "reply" else about
                lines.append(f"- **{_KIND[r.kind]}** by {md(r.author or 'unknown')}, {md(r.date[:10] or 'no date')}"
                             f"{about}: {md(r.text)}")
            lines.append("")
    if review.proposals:
        lines += ["## Answers proposed for open items", ""]
        done = {id(p) for p in applied or []}
        for p in review.proposals:
            state = "recorded" if id(p) in done else (f"not usable: {md(p.problem)}" if p.problem else "valid")
            lines.append(f"- {md(p.question or 'no question')} = {md(p.text)} (open item \u201c{md(p.item)}\u201d, "
                         f"{md(p.evidence)}): {state}")
        lines.append("")
    lines += [f"Note: {md(n)}" for n in review.notes]
    return "\n".join(lines).rstrip("\n") + "\n"
