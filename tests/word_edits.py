"""What a reviewer does to a returned draft in Word, done with lxml the way Word stores it: comments
(word/comments.xml with w14:paraId on their paragraphs, anchored in document.xml by
commentRangeStart/End and a commentReference run), replies (a comment anchored at its parent's
place, threaded by w15:paraIdParent in word/commentsExtended.xml), and typing over a placeholder
with track changes on (w:del of the old run with w:delText, then w:ins of the new text)."""
from __future__ import annotations

import copy
import zipfile
from pathlib import Path

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
EXT_TYPE = "http://schemas.microsoft.com/office/2011/relationships/commentsExtended"
EXT_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.commentsExtended+xml"
NS = {"w": W, "w14": W14, "w15": W15}


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


class WordFile:
    """A DOCX opened for editing; `save()` writes it back (all other parts unchanged)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        with zipfile.ZipFile(self.path) as z:
            self.parts = {i.filename: z.read(i.filename) for i in z.infolist()}
        self.doc = etree.fromstring(self.parts["word/document.xml"])
        self.comments = etree.fromstring(self.parts["word/comments.xml"])
        ext = self.parts.get("word/commentsExtended.xml")
        self.ext = etree.fromstring(ext) if ext else etree.Element(f"{{{W15}}}commentsEx", nsmap={"w15": W15})
        taken = [int(x, 16) for x in self.comments.xpath("//@w14:paraId", namespaces=NS)]
        self._next_para = max([0x10000000, *taken])  # a file edited twice never reuses a paragraph id

    def _para_id(self, p) -> str:
        pid = p.get(f"{{{W14}}}paraId")
        if not pid:
            self._next_para += 1
            pid = f"{self._next_para:08X}"
            p.set(f"{{{W14}}}paraId", pid)
        return pid

    def _new_comment(self, author: str, text: str, date: str) -> tuple[str, str]:
        ids = [int(i) for i in self.comments.xpath("./w:comment/@w:id", namespaces=NS)]
        cid = str(max(ids, default=-1) + 1)
        c = etree.SubElement(self.comments, w("comment"))
        c.set(w("id"), cid)
        c.set(w("author"), author)
        c.set(w("date"), date)
        c.set(w("initials"), "".join(x[0] for x in author.split()))
        p = etree.SubElement(c, w("p"))
        r = etree.SubElement(p, w("r"))
        etree.SubElement(r, w("annotationRef"))
        r = etree.SubElement(p, w("r"))
        etree.SubElement(r, w("t")).text = text
        pid = self._para_id(p)
        ex = etree.SubElement(self.ext, f"{{{W15}}}commentEx")
        ex.set(f"{{{W15}}}paraId", pid)
        ex.set(f"{{{W15}}}done", "0")
        return cid, pid

    @staticmethod
    def _reference_run(cid: str):
        r = etree.Element(w("r"))
        rpr = etree.SubElement(r, w("rPr"))
        etree.SubElement(rpr, w("rStyle")).set(w("val"), "CommentReference")
        etree.SubElement(r, w("commentReference")).set(w("id"), cid)
        return r

    def runs_with(self, text: str):
        """Runs holding `text` in the body, leaving out the table of contents (whose entries repeat the
        headings): a reviewer comments on the heading itself."""
        def in_contents(r) -> bool:
            p = next(r.iterancestors(w("p")), None)
            style = p.find(f"{w('pPr')}/{w('pStyle')}") if p is not None else None
            return style is not None and (style.get(w("val")) or "").upper().startswith("TOC")

        return [r for r in self.doc.iter(w("r"))
                if text in "".join(t.text or "" for t in r.iter(w("t"))) and not in_contents(r)]

    def comment(self, anchor_text: str, author: str, text: str, date: str = "2026-12-03T10:00:00Z") -> str:
        """A new comment on the first run holding `anchor_text`."""
        run = self.runs_with(anchor_text)[0]
        cid, _ = self._new_comment(author, text, date)
        start, end = etree.Element(w("commentRangeStart")), etree.Element(w("commentRangeEnd"))
        start.set(w("id"), cid)
        end.set(w("id"), cid)
        run.addprevious(start)
        run.addnext(end)
        end.addnext(self._reference_run(cid))
        return cid

    def open_item_comment(self, item: str) -> str:
        """The id of the tool's comment on the open item `item`."""
        for c in self.comments.iterchildren(w("comment")):
            if item in "".join(c.itertext()) and c.get(w("author")) == "lead-readiness":
                return c.get(w("id"))
        raise AssertionError(f"no open-item comment for {item!r}")

    def reply(self, parent_id: str, author: str, text: str, date: str = "2026-12-03T11:00:00Z") -> str:
        """A reply to comment `parent_id`, as Word stores one: anchored where the parent is, threaded
        in commentsExtended.xml."""
        parent = self.comments.xpath(f"./w:comment[@w:id='{parent_id}']", namespaces=NS)[0]
        parent_pid = self._para_id(parent.findall(w("p"))[-1])
        if not self.ext.xpath(f"./w15:commentEx[@w15:paraId='{parent_pid}']", namespaces=NS):
            ex = etree.Element(f"{{{W15}}}commentEx")
            ex.set(f"{{{W15}}}paraId", parent_pid)
            ex.set(f"{{{W15}}}done", "0")
            self.ext.insert(0, ex)
        cid, pid = self._new_comment(author, text, date)
        self.ext.xpath(f"./w15:commentEx[@w15:paraId='{pid}']", namespaces=NS)[0].set(f"{{{W15}}}paraIdParent", parent_pid)
        start = self.doc.xpath(f"//w:commentRangeStart[@w:id='{parent_id}']", namespaces=NS)[0]
        end = self.doc.xpath(f"//w:commentRangeEnd[@w:id='{parent_id}']", namespaces=NS)[0]
        ref = self.doc.xpath(f"//w:commentReference[@w:id='{parent_id}']", namespaces=NS)[0].getparent()
        s, e = etree.Element(w("commentRangeStart")), etree.Element(w("commentRangeEnd"))
        s.set(w("id"), cid)
        e.set(w("id"), cid)
        start.addnext(s)
        end.addnext(e)
        ref.addnext(self._reference_run(cid))
        return cid

    def type_over(self, placeholder_text: str, author: str, new_text: str, date: str = "2026-12-03T12:00:00Z") -> None:
        """Select the run holding `placeholder_text` and type `new_text` with track changes on."""
        run = self.runs_with(placeholder_text)[0]
        deleted = copy.deepcopy(run)
        for t in deleted.iter(w("t")):
            t.tag = w("delText")
        d = etree.Element(w("del"))
        i = etree.Element(w("ins"))
        for el, n in ((d, "701"), (i, "702")):
            el.set(w("id"), n)
            el.set(w("author"), author)
            el.set(w("date"), date)
        d.append(deleted)
        new_run = etree.SubElement(i, w("r"))
        etree.SubElement(new_run, w("t")).text = new_text
        run.addprevious(d)
        d.addnext(i)
        run.getparent().remove(run)

    def track_insert(self, after_text: str, author: str, new_text: str, date: str = "2026-12-03T13:00:00Z") -> None:
        run = self.runs_with(after_text)[0]
        i = etree.Element(w("ins"))
        i.set(w("id"), "703")
        i.set(w("author"), author)
        i.set(w("date"), date)
        r = etree.SubElement(i, w("r"))
        t = etree.SubElement(r, w("t"))
        t.text = new_text
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        run.addnext(i)

    def save(self, path: Path | None = None) -> Path:
        out = Path(path or self.path)
        self.parts["word/document.xml"] = etree.tostring(self.doc, xml_declaration=True, encoding="UTF-8", standalone=True)
        self.parts["word/comments.xml"] = etree.tostring(self.comments, xml_declaration=True, encoding="UTF-8", standalone=True)
        if len(self.ext):
            if "word/commentsExtended.xml" not in self.parts:
                types = etree.fromstring(self.parts["[Content_Types].xml"])
                o = etree.SubElement(types, f"{{{CT}}}Override")
                o.set("PartName", "/word/commentsExtended.xml")
                o.set("ContentType", EXT_CT)
                self.parts["[Content_Types].xml"] = etree.tostring(types, xml_declaration=True, encoding="UTF-8")
                rels = etree.fromstring(self.parts["word/_rels/document.xml.rels"])
                r = etree.SubElement(rels, f"{{{PR}}}Relationship")
                r.set("Id", "rIdCommentsEx1")
                r.set("Type", EXT_TYPE)
                r.set("Target", "commentsExtended.xml")
                self.parts["word/_rels/document.xml.rels"] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8")
            self.parts["word/commentsExtended.xml"] = etree.tostring(self.ext, xml_declaration=True, encoding="UTF-8",
                                                                      standalone=True)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in self.parts.items():
                z.writestr(name, data)
        return out
