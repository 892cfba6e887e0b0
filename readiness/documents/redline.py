"""Redlines: the newer draft's DOCX with what changed since an older one as real tracked changes
(`w:ins` / `w:del`), so a reviewer in Word or LibreOffice sees them in the Review pane and can accept
or reject each one.

How: the body blocks (paragraphs, tables) of both files are aligned with difflib on their text; a
block found in both is kept as it is in the new file; a changed paragraph is diffed word by word, its
runs split where a change starts or ends so each piece keeps the new version's run formatting
(deleted words keep the old run's formatting); a changed table is diffed row by row, whole rows
being deleted (`w:trPr/w:del`) and inserted (`w:trPr/w:ins`); paragraphs only in one file are
deleted or inserted whole, their paragraph marks too. Everything else in the package (styles,
comments of open items, header, footer, properties) is the new file's.

Only lxml and zipfile: a redline is an edit of document.xml, not a new document.
"""
from __future__ import annotations

import copy
import datetime as dt
import difflib
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from lxml import etree

from readiness.documents.ooxml import local, w

AUTHOR = "lead-readiness"
DOCUMENT_PART = "word/document.xml"
FIRST_ID = 90000  # change ids apart from the comment ids (0, 1, ...) the writer gives open items
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)
_LOOKAHEAD = 25  # how far to look for an old paragraph that became a new one
_SIMILAR = 0.45  # below this, a paragraph is taken as replaced rather than edited
_SKIP_IN_DELETED = ("drawing", "pict", "object", "commentReference", "footnoteReference", "endnoteReference")


@dataclass
class RedlineStats:
    inserted_words: int = 0
    deleted_words: int = 0
    inserted_paragraphs: int = 0
    deleted_paragraphs: int = 0
    changed_paragraphs: int = 0
    inserted_rows: int = 0
    deleted_rows: int = 0

    @property
    def changes(self) -> int:
        return (self.inserted_words + self.deleted_words + self.inserted_paragraphs + self.deleted_paragraphs
                + self.inserted_rows + self.deleted_rows)


def change_date(moment: dt.datetime | str | None) -> str:
    """`w:date` text (UTC, whole seconds) of an aware datetime, an ISO timestamp or now."""
    if isinstance(moment, str):
        try:
            moment = dt.datetime.fromisoformat(moment)
        except ValueError:
            moment = None
    if moment is None:
        moment = dt.datetime.now(dt.timezone.utc)
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def text_of(el) -> str:
    """The visible text of a paragraph (or a table cell's paragraphs), tabs as tab characters."""
    out = []
    for node in el.iter(w("t"), w("tab")):
        out.append(node.text or "" if node.tag == w("t") else "\t")
    return "".join(out)


class _Writer:
    def __init__(self, date: str, author: str, normalise_old: Callable[[str], str],
                 normalise_new: Callable[[str], str], num_ids: set[str]):
        self.date, self.author = date, author
        self.norm_old, self.norm_new = normalise_old, normalise_new
        self.num_ids = num_ids
        self.next_id = FIRST_ID
        self.stats = RedlineStats()

    # ------------------------------------------------------------ marks

    def mark(self, kind: str) -> etree._Element:
        el = etree.Element(w(kind))
        el.set(w("id"), str(self.next_id))
        el.set(w("author"), self.author)
        el.set(w("date"), self.date)
        self.next_id += 1
        return el

    def _mark_paragraph(self, p, kind: str) -> None:
        """Mark the paragraph mark itself as inserted or deleted (`w:pPr/w:rPr/w:ins|del`)."""
        ppr = p.find(w("pPr"))
        if ppr is None:
            ppr = etree.Element(w("pPr"))
            p.insert(0, ppr)
        rpr = ppr.find(w("rPr"))
        if rpr is None:
            rpr = etree.Element(w("rPr"))
            later = [c for c in ppr if c.tag in (w("sectPr"), w("pPrChange"))]
            if later:
                later[0].addprevious(rpr)
            else:
                ppr.append(rpr)
        rpr.insert(0, self.mark(kind))

    # ------------------------------------------------------------ whole paragraphs

    def inserted_paragraph(self, p):
        for r in list(p.iter(w("r"))):
            parent = r.getparent()
            if parent.tag in (w("ins"), w("del")) or local(parent) == "r":
                continue
            wrapper = self.mark("ins")
            r.addprevious(wrapper)
            wrapper.append(r)
        self._mark_paragraph(p, "ins")
        self.stats.inserted_paragraphs += 1
        return p

    def deleted_paragraph(self, p_old):
        """A copy of an old paragraph with its text as deleted runs; anchors that belong to the old
        package (comments, links, pictures, bookmarks) are left out."""
        p = etree.Element(w("p"))
        ppr = p_old.find(w("pPr"))
        if ppr is not None:
            ppr = copy.deepcopy(ppr)
            for el in ppr.findall(w("sectPr")) + ppr.findall(w("rPr")):
                ppr.remove(el)
            num = ppr.find(f"{w('numPr')}/{w('numId')}")
            if num is not None and num.get(w("val")) not in self.num_ids:
                ppr.remove(ppr.find(w("numPr")))
            p.append(ppr)
        runs = [self._deleted_run(r) for r in p_old.iter(w("r"))
                if local(r.getparent()) != "r" and next(r.iter(*(w(t) for t in _SKIP_IN_DELETED)), None) is None]
        if runs:
            wrapper = self.mark("del")
            wrapper.extend(runs)
            p.append(wrapper)
        self._mark_paragraph(p, "del")
        self.stats.deleted_paragraphs += 1
        return p

    @staticmethod
    def _deleted_run(r):
        r = copy.deepcopy(r)
        for el in r.iter(w("t"), w("instrText")):
            el.tag = w("delText") if el.tag == w("t") else w("delInstrText")
            el.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        return r

    # ------------------------------------------------------------ word-level changes

    def changed_paragraph(self, p_old, p_new):
        """The new paragraph with the words that differ from the old one marked."""
        old_chars = []  # the old run each old character came from, for the deleted words' formatting
        for t in p_old.iter(w("t")):
            old_chars += [t.getparent()] * len(t.text or "")
        old_text = "".join(t.text or "" for t in p_old.iter(w("t")))
        texts = [t for t in p_new.iter(w("t")) if local(t.getparent()) == "r"
                 and t.getparent().getparent().tag not in (w("ins"), w("del"))]
        new_text = "".join(t.text or "" for t in texts)
        a, b = _TOKEN.findall(old_text), _TOKEN.findall(new_text)
        inserted = [False] * len(new_text)
        deletions: dict[int, list[tuple[int, int]]] = {}
        oa = [0]
        for tok in a:
            oa.append(oa[-1] + len(tok))
        ob = [0]
        for tok in b:
            ob.append(ob[-1] + len(tok))
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
            if op == "equal":
                continue
            if i2 > i1:
                deletions.setdefault(ob[j1], []).append((oa[i1], oa[i2]))
                self.stats.deleted_words += sum(1 for tok in a[i1:i2] if not tok.isspace())
            for k in range(ob[j1], ob[j2]):
                inserted[k] = True
            self.stats.inserted_words += sum(1 for tok in b[j1:j2] if not tok.isspace())
        if not deletions and not any(inserted):
            return p_new
        self.stats.changed_paragraphs += 1
        base = 0
        for n, t in enumerate(texts):
            length = len(t.text or "")
            last = n == len(texts) - 1
            points = {k - base: v for k, v in deletions.items() if base <= k < base + length or (last and k == base + length)}
            self._split_run(t.getparent(), t, inserted[base:base + length], points, old_text, old_chars)
            base += length
        if not texts and deletions:  # the new paragraph has no text left: the old words go at its end
            for spans in deletions.values():
                for start, end in spans:
                    p_new.extend(self._deleted_pieces(old_text, old_chars, start, end))
        return p_new

    def _split_run(self, r, t, inserted: Sequence[bool], points: dict, old_text: str, old_chars: list) -> None:
        """Replace run `r` by runs of its pieces: kept, inserted (in `w:ins`), and the old words
        deleted at their places (in `w:del`). The run's other children (tabs, breaks) stay kept."""
        rpr = r.find(w("rPr"))
        text = t.text or ""
        pieces: list[tuple[str, Any]] = []  # ("keep"|"ins", element) or ("del", (start, end))
        for child in r:
            if child is rpr:
                continue
            if child is not t:
                pieces.append(("keep", copy.deepcopy(child)))
                continue
            k = 0
            while k <= len(text):
                for span in points.get(k, ()):
                    pieces.append(("del", span))
                if k == len(text):
                    break
                j = k
                while j < len(text) and inserted[j] == inserted[k] and (j == k or j not in points):
                    j += 1
                piece = etree.Element(w("t"))
                piece.text = text[k:j]
                piece.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                pieces.append(("ins" if inserted[k] else "keep", piece))
                k = j
        out: list[tuple[str, etree._Element]] = []
        for kind, item in pieces:
            if kind == "del":
                out += [("del", el) for el in self._deleted_pieces(old_text, old_chars, *item)]
                continue
            if out and out[-1][0] == kind:
                out[-1][1].append(item)
                continue
            run = etree.Element(w("r"))
            if rpr is not None:
                run.append(copy.deepcopy(rpr))
            run.append(item)
            out.append((kind, run))
        for kind, el in out:
            if kind == "ins":
                wrapper = self.mark("ins")
                wrapper.append(el)
                el = wrapper
            r.addprevious(el)
        r.getparent().remove(r)

    def _deleted_pieces(self, old_text: str, old_chars: list, start: int, end: int) -> list:
        """`w:del` runs of old_text[start:end], one per old run it came from (its formatting kept)."""
        out = []
        k = start
        while k < end:
            j = k
            while j < end and old_chars[j] is old_chars[k]:
                j += 1
            run = etree.Element(w("r"))
            rpr = old_chars[k].find(w("rPr"))
            if rpr is not None:
                run.append(copy.deepcopy(rpr))
            dt_el = etree.SubElement(run, w("delText"))
            dt_el.text = old_text[k:j]
            dt_el.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            wrapper = self.mark("del")
            wrapper.append(run)
            out.append(wrapper)
            k = j
        return out

    # ------------------------------------------------------------ tables

    def _row_key(self, tr, norm) -> str:
        return norm(" | ".join(text_of(tc) for tc in tr.iterchildren(w("tc"))))

    def _mark_row(self, tr, kind: str) -> None:
        trpr = tr.find(w("trPr"))
        if trpr is None:
            trpr = etree.Element(w("trPr"))
            tbl_pr_ex = tr.find(w("tblPrEx"))
            (tbl_pr_ex.addnext if tbl_pr_ex is not None else lambda e: tr.insert(0, e))(trpr)
        trpr.append(self.mark(kind))

    def inserted_row(self, tr):
        self._mark_row(tr, "ins")
        for tc in tr.iterchildren(w("tc")):
            for p in tc.iterchildren(w("p")):
                self.inserted_paragraph(p)
                self.stats.inserted_paragraphs -= 1
        self.stats.inserted_rows += 1
        return tr

    def deleted_row(self, tr_old):
        tr = copy.deepcopy(tr_old)
        self._mark_row(tr, "del")
        for tc in tr.iterchildren(w("tc")):
            for p in list(tc.iterchildren(w("p"))):
                p.addprevious(self.deleted_paragraph(p))
                tc.remove(p)
                self.stats.deleted_paragraphs -= 1
        self.stats.deleted_rows += 1
        return tr

    def changed_table(self, t_old, t_new):
        rows_old, rows_new = list(t_old.iterchildren(w("tr"))), list(t_new.iterchildren(w("tr")))
        keys_old = [self._row_key(r, self.norm_old) for r in rows_old]
        keys_new = [self._row_key(r, self.norm_new) for r in rows_new]
        ops = difflib.SequenceMatcher(None, keys_old, keys_new, autojunk=False).get_opcodes()
        for op, i1, i2, j1, j2 in ops:
            if op == "equal":
                continue
            anchor = rows_new[j1] if j1 < len(rows_new) else None
            for tr in rows_old[i1:i2]:
                deleted = self.deleted_row(tr)
                if anchor is not None:
                    anchor.addprevious(deleted)
                else:
                    t_new.append(deleted)
            for tr in rows_new[j1:j2]:
                self.inserted_row(tr)
        return t_new

    def inserted_table(self, tbl):
        for tr in list(tbl.iterchildren(w("tr"))):
            self.inserted_row(tr)
        return tbl

    def deleted_table(self, tbl_old):
        tbl = copy.deepcopy(tbl_old)
        for tr in list(tbl.iterchildren(w("tr"))):
            tr.addprevious(self.deleted_row(tr))
            tbl.remove(tr)
        return tbl

    # ------------------------------------------------------------ the body

    def key(self, block, norm) -> tuple[str, str, str]:
        if block.tag == w("tbl"):
            return ("tbl", "", "\n".join(self._row_key(r, norm) for r in block.iterchildren(w("tr"))))
        style = block.find(f"{w('pPr')}/{w('pStyle')}") if block.tag == w("p") else None
        return (local(block), style.get(w("val"), "") if style is not None else "", norm(text_of(block)))

    def body(self, old_blocks: list, new_blocks: list) -> list:
        k_old = [self.key(b, self.norm_old) for b in old_blocks]
        k_new = [self.key(b, self.norm_new) for b in new_blocks]
        out = []
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, k_old, k_new, autojunk=False).get_opcodes():
            if op == "equal":
                out += new_blocks[j1:j2]
            else:
                out += self._region(old_blocks[i1:i2], k_old[i1:i2], new_blocks[j1:j2], k_new[j1:j2])
        return out

    def _region(self, olds, k_old, news, k_new) -> list:
        """A stretch that differs: each new block takes the next similar old block of its kind as its
        earlier version (the old blocks skipped over were deleted); the rest are inserted."""
        out, i = [], 0
        for nb, nk in zip(news, k_new):
            found = None
            for k in range(i, min(len(olds), i + _LOOKAHEAD)):
                if k_old[k][0] == nk[0] and nk[0] in ("p", "tbl") and _similar(k_old[k][2], nk[2], nk[0] == "tbl"):
                    found = k
                    break
            if found is None:
                out.append(self._inserted(nb))
                continue
            out += [self._deleted(ob) for ob in olds[i:found]]
            ob = olds[found]
            out.append(self.changed_paragraph(ob, nb) if nk[0] == "p" else self.changed_table(ob, nb))
            i = found + 1
        out += [self._deleted(ob) for ob in olds[i:]]
        return out

    def _inserted(self, block):
        if block.tag == w("p"):
            return self.inserted_paragraph(block)
        if block.tag == w("tbl"):
            return self.inserted_table(block)
        return block

    def _deleted(self, block):
        if block.tag == w("p"):
            return self.deleted_paragraph(block)
        if block.tag == w("tbl"):
            return self.deleted_table(block)
        return None


def _similar(a: str, b: str, table: bool = False) -> bool:
    """Whether b reads as an edit of a: compared word by word (a table row by row), which is as
    telling as letter by letter and far quicker on a long paragraph or a big table."""
    if not a and not b:
        return True
    ta, tb = (a.split("\n"), b.split("\n")) if table else (a.split(), b.split())
    m = difflib.SequenceMatcher(None, ta, tb, autojunk=False)
    return m.real_quick_ratio() >= _SIMILAR and m.quick_ratio() >= _SIMILAR and m.ratio() >= _SIMILAR


def _parse(data: bytes):
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True,
                                                  remove_blank_text=False))


def _num_ids(package: zipfile.ZipFile) -> set[str]:
    try:
        root = _parse(package.read("word/numbering.xml"))
    except KeyError:
        return set()
    return {n.get(w("numId")) for n in root.iterchildren(w("num"))}


def redline_bytes(old_docx: Path, new_docx: Path, *, date: str, author: str = AUTHOR,
                  normalise_old: Callable[[str], str] = lambda s: s,
                  normalise_new: Callable[[str], str] = lambda s: s,
                  skip_unchanged: bool = False) -> tuple[bytes, RedlineStats]:
    """The new DOCX with the changes from the old one tracked; `normalise_*` map a block's text to
    what counts for "the same" (a build's own version and date stamps). With `skip_unchanged`, no
    file is assembled when nothing changed (empty bytes)."""
    with zipfile.ZipFile(old_docx) as old_pkg:
        old_root = _parse(old_pkg.read(DOCUMENT_PART))
    with zipfile.ZipFile(new_docx) as new_pkg:
        new_root = _parse(new_pkg.read(DOCUMENT_PART))
        writer = _Writer(date, author, normalise_old, normalise_new, _num_ids(new_pkg))
        old_body, new_body = old_root.find(w("body")), new_root.find(w("body"))
        old_blocks = [c for c in old_body if c.tag != w("sectPr")]
        new_blocks = [c for c in new_body if c.tag != w("sectPr")]
        sect_pr = new_body.find(w("sectPr"))
        blocks = [b for b in writer.body(old_blocks, new_blocks) if b is not None]
        if skip_unchanged and not writer.stats.changes:
            return b"", writer.stats
        for child in list(new_body):
            new_body.remove(child)
        new_body.extend(blocks)
        if sect_pr is not None:
            new_body.append(sect_pr)
        document = etree.tostring(new_root, xml_declaration=True, encoding="UTF-8", standalone=True)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
            for info in new_pkg.infolist():
                data = document if info.filename == DOCUMENT_PART else new_pkg.read(info.filename)
                packed = info.filename.lower().endswith((".png", ".jpg", ".jpeg", ".gif"))  # compressed already
                out.writestr(info, data, compress_type=zipfile.ZIP_STORED if packed else zipfile.ZIP_DEFLATED)
    return buffer.getvalue(), writer.stats


def write_redline(old_docx: Path, new_docx: Path, out_path: Path, **kwargs) -> RedlineStats:
    """Write the redline of `new_docx` against `old_docx` to `out_path` (atomically)."""
    from readiness.files import atomic_write

    data, stats = redline_bytes(old_docx, new_docx, **kwargs)
    atomic_write(Path(out_path), data)
    return stats


# ---------------------------------------------------------------- redlines of a draft version

REDLINES_DIR = "redlines"


@dataclass
class Redline:
    doc_id: str
    title: str
    against: int  # the older version
    name: str  # path inside the newer version folder, e.g. redlines/mou-v001-to-v002.docx
    path: Path
    stats: RedlineStats


def sha256_file(path: Path) -> str:
    import hashlib

    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def redline_name(stem: str, old: int, new: int) -> str:
    from readiness.documents.versions import folder_name

    return f"{REDLINES_DIR}/{stem}-{folder_name(old)}-to-{folder_name(new)}.docx"


def _normaliser(manifest: dict, number: int) -> Callable[[str], str]:
    from readiness.documents.diff import _normalise, _stamps

    stamps = _stamps(manifest, number)
    return lambda text: _normalise([text], stamps)[0]


def write_redlines(old_folder: Path, old_manifest: dict, old: int, new_folder: Path, new_manifest: dict,
                   new: int, *, date: str | None = None, listed: dict[str, str] | None = None
                   ) -> tuple[list[Redline], list[str]]:
    """A redline in `new_folder/redlines/` for each document whose DOCX changed between the two
    versions (an unchanged document gets none); returns them and notes on documents that could not
    be compared (an old file missing or damaged). A redline already there is kept as it is: written
    again when it is the one `listed` (name -> SHA-256 in the manifest), left alone with a note when
    someone changed it (a reviewer's copy saved over it)."""
    when = change_date(date if date is not None else new_manifest.get("generated"))
    norm_old, norm_new = _normaliser(old_manifest, old), _normaliser(new_manifest, new)
    olds = {str(d.get("id")): d for d in old_manifest.get("documents", []) if isinstance(d, dict)}
    made, notes = [], []
    for entry in new_manifest.get("documents", []):
        if not isinstance(entry, dict):
            continue
        doc_id = str(entry.get("id"))
        new_name = (entry.get("names") or {}).get("docx")
        old_name = (olds.get(doc_id, {}).get("names") or {}).get("docx")
        if not new_name or not old_name:
            continue
        old_path, new_path = Path(old_folder) / old_name, Path(new_folder) / new_name
        if _same_markdown(Path(old_folder), olds[doc_id], norm_old, Path(new_folder), entry, norm_new):
            continue  # the DOCX is made from the Markdown: nothing to mark, and no Word file to parse
        if old_path.is_symlink() or Path(old_name).name != old_name:  # as `diff`: links are not followed
            notes.append(f"no redline for {entry.get('title', doc_id)}: {old_path} is a link or outside "
                         "its draft folder; links are not followed")
            continue
        try:
            data, stats = redline_bytes(old_path, new_path, date=when, normalise_old=norm_old, normalise_new=norm_new,
                                        skip_unchanged=True)
        except FileNotFoundError:
            notes.append(f"no redline for {entry.get('title', doc_id)}: {old_path} is missing")
            continue
        except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, OSError) as exc:
            notes.append(f"no redline for {entry.get('title', doc_id)}: {old_path} cannot be read ({exc})")
            continue
        if not stats.changes:
            continue
        from readiness.files import atomic_write

        name = redline_name(Path(new_name).stem, old, new)
        target = Path(new_folder) / name
        if target.exists() and (listed or {}).get(name) != sha256_file(target):
            notes.append(f"{target} was changed since lead-readiness wrote it: left as it is "
                         "(move it away to write the redline again)")
            continue
        atomic_write(target, data)
        made.append(Redline(doc_id, str(entry.get("title", doc_id)), old, name, Path(new_folder) / name, stats))
    return made, notes


def _same_markdown(old_folder: Path, old_entry: dict, norm_old, new_folder: Path, new_entry: dict, norm_new) -> bool:
    """Whether both versions' Markdown reads the same once the builds' own stamps are set aside."""
    old_md, new_md = (old_entry.get("names") or {}).get("md"), (new_entry.get("names") or {}).get("md")
    if not old_md or not new_md or Path(old_md).name != old_md or (old_folder / old_md).is_symlink():
        return False
    try:
        a = (old_folder / old_md).read_text(encoding="utf-8").splitlines()
        b = (new_folder / new_md).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return False
    return len(a) == len(b) and all(x == y or norm_old(x) == norm_new(y) for x, y in zip(a, b))


def redlines_between(site_root: Path, old: str | None = None, new: str | None = None
                     ) -> tuple[int, int, Path, list[Redline], list[str]]:
    """`diff --docx`: redlines of version NEW against OLD (default: the two newest) in
    drafts/vNEW/redlines/, listed in that version's manifest. Returns (old, new, folder, redlines, notes)."""
    import json

    from readiness.documents import versions
    from readiness.documents.diff import _site_root, pick_versions
    from readiness.files import atomic_write

    root = _site_root(Path(site_root))
    n_old, n_new = pick_versions(root, old, new)
    if n_old == n_new:
        from readiness.errors import ReadinessError

        raise ReadinessError(f"both versions are {versions.folder_name(n_old)}; a redline needs two different versions",
                             hint="give an older and a newer version, e.g. v1 v2")
    with versions.build_lock(root):
        f_old, f_new = versions.version_folder(root, n_old), versions.version_folder(root, n_new)
        m_old, m_new = versions.read_manifest(f_old), versions.read_manifest(f_new)
        listed = {str(r.get("name")): str(r.get("sha256")) for d in m_new["documents"] if isinstance(d, dict)
                  for r in (d.get("redlines") or []) if isinstance(r, dict)}
        made, notes = write_redlines(f_old, m_old, n_old, f_new, m_new, n_new, listed=listed)
        if made:
            from readiness.files import read_text

            path = f_new / versions.MANIFEST
            raw = json.loads(read_text(path, "manifest", follow_links=False, kind="JSON"))
            entries = [e for key in ("documents", "extras") for e in (raw.get(key) or []) if isinstance(e, dict)]
            by_id = {str(e.get("id")): e for e in entries}
            for r in made:
                entry = by_id.get(r.doc_id)
                if entry is None:
                    continue
                others = [x for x in entry.get("redlines") or [] if isinstance(x, dict) and x.get("name") != r.name]
                entry["redlines"] = others + [{"against": n_old, "name": r.name, "sha256": sha256_file(r.path)}]
            atomic_write(path, json.dumps(raw, indent=2, ensure_ascii=False) + "\n")
    return n_old, n_new, f_new, made, notes
