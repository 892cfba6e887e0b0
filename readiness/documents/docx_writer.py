"""Markdown drafts -> DOCX that stakeholders review in Word. The only module importing python-docx.

Speed (design.md §8): python-docx spends most of its time resolving styles by name and checking
defaults on every `paragraph.style = ...`. So the body is written as one WordprocessingML string
with style ids resolved once per document, parsed in a single lxml call, and python-docx is used
only where it earns its keep: comments, pictures, headers/footers, properties and saving.
"""
from __future__ import annotations

import os
import pathlib
import re
import tempfile

from lxml import etree

from readiness.documents.markdown_blocks import (
    BOLD, CODE, ITALIC, STRIKE, Block, Marker, Para, Span, Table, parse_blocks, xml_safe)
from readiness.errors import ReadinessError

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MARK = "urn:lead-readiness:marker"  # temporary attributes locating runs to finish; removed again
_NS = {"w": W, "m": MARK}
IMAGE_WIDTH_CM, IMAGE_MAX_HEIGHT_CM = 15.0, 19.0
_LINK_SCHEMES = re.compile(r"(https?:|mailto:)", re.IGNORECASE)
_TWIPS_PER_EMU = 1 / 635


def _w(tag: str) -> str:
    return "{%s}%s" % (W, tag)


def write_docx(markdown_text: str, out_path: pathlib.Path, *, title: str, header_text: str,
               footer_text: str, reference_docx: pathlib.Path | None = None,
               image_dir: pathlib.Path | None = None, comment_author: str = "lead-readiness") -> list[str]:
    """Write a DOCX; returns the list of open-item texts found (placeholders), in order of appearance.

    Every occurrence is returned (a placeholder used twice is listed twice, as it carries two
    comments); callers wanting a set can use `dict.fromkeys`.
    """
    from docx.oxml.parser import parse_xml
    from docx.text.run import Run

    doc = _open(reference_docx)
    if reference_docx is None:
        _default_setup(doc)
    section = doc.sections[-1]
    text_width = int((section.page_width - section.left_margin - section.right_margin) * _TWIPS_PER_EMU)
    comments = _comments_element(doc)
    used = [int(i) for i in comments.xpath("./w:comment/@w:id") if i.isdigit()]
    body_writer = _BodyWriter(doc, text_width, first_comment_id=max(used, default=-1) + 1)
    xml = body_writer.write(parse_blocks(markdown_text))
    fragment = parse_xml(f'<w:body xmlns:w="{W}" xmlns:r="{R}" xmlns:m="{MARK}">{xml}</w:body>')
    pictures = etree.ElementBase.xpath(fragment, "//w:r[@m:img]", namespaces=_NS)
    for el in pictures:
        el.attrib.clear()
    etree.cleanup_namespaces(fragment)
    body = doc.element.body
    sect_pr = body.find(_w("sectPr"))
    for child in list(fragment):
        if sect_pr is not None:
            sect_pr.addprevious(child)
        else:
            body.append(child)
    _add_comments(comments, body_writer, xml_safe(comment_author) or "lead-readiness")
    for r, (src, alt, pic_title, max_cm) in zip(pictures, body_writer.images):
        _picture(Run(r, doc._body), image_dir, src, alt, pic_title, max_cm)
    _header_footer(doc, xml_safe(header_text), xml_safe(footer_text), text_width)
    _properties(doc, xml_safe(title))
    _save_atomic(doc, pathlib.Path(out_path))
    return list(body_writer.open_items)


def _open(reference_docx: pathlib.Path | None):
    """Start from the reference document like pandoc's --reference-doc: its styles, sections and
    headers stay, its body goes."""
    import docx

    if reference_docx is None:
        return docx.Document()
    try:
        doc = docx.Document(str(reference_docx))
    except Exception as exc:  # python-docx raises several unrelated types for a bad package
        raise ReadinessError(f"{reference_docx}: cannot use as a reference document ({exc})",
                             hint="give a .docx saved by Word or LibreOffice (not .dotx or .doc)") from exc
    body = doc.element.body
    for child in list(body):
        if child.tag != _w("sectPr"):
            body.remove(child)
    return doc


def _comments_element(doc):
    """The comments part's root; built by hand below because python-docx's add_comment parses
    XML and searches for ids on every call (a fifth of the build time with 50 open items)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    doc.comments  # noqa: B018 - creates the comments part when the document has none
    return doc.part.part_related_by(RT.COMMENTS).element


def _add_comments(comments, body_writer: "_BodyWriter", author: str) -> None:
    import datetime as dt
    from docx.oxml.parser import parse_xml

    initials = _esc("".join(w[0] for w in re.split(r"[^0-9A-Za-z]+", author) if w).upper()[:4])
    date = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    parts = [f'<w:comment w:id="{body_writer.first_comment_id + n}" w:author="{_esc(author)}" '
             f'w:initials="{initials}" w:date="{date}"><w:p><w:pPr><w:pStyle w:val="CommentText"/></w:pPr>'
             '<w:r><w:rPr><w:rStyle w:val="CommentReference"/></w:rPr><w:annotationRef/></w:r>'
             f'<w:r><w:t xml:space="preserve">Open item: {_esc(item or "unspecified")} — confirm before '
             "signature.</w:t></w:r></w:p></w:comment>" for n, item in enumerate(body_writer.open_items)]
    if parts:
        comments.extend(list(parse_xml(f'<w:comments xmlns:w="{W}">{"".join(parts)}</w:comments>')))


def _default_setup(doc) -> None:
    """US Letter, 2.5 cm margins, Calibri 11 pt: what a US stakeholder's Word would produce."""
    from docx.shared import Cm, Inches, Pt

    section = doc.sections[0]
    section.page_width, section.page_height = Inches(8.5), Inches(11)
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Cm(2.5)
    section.header_distance = section.footer_distance = Cm(1.25)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = "Calibri", Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.1


class _Styles:
    """Style ids by English UI name, read straight from styles.xml once per document."""

    def __init__(self, doc) -> None:
        from docx.styles import BabelFish

        self.ids: dict[tuple[str, str], str] = {}
        self.numbering: dict[str, tuple[int, int]] = {}  # style id -> (numId, ilvl)
        for el in doc.styles.element.iterchildren(_w("style")):
            name_el, sid = el.find(_w("name")), el.get(_w("styleId"))
            if name_el is None or not sid:
                continue
            name = BabelFish.internal2ui(name_el.get(_w("val"), ""))
            self.ids.setdefault((el.get(_w("type"), "paragraph"), name), sid)
            num_id = el.xpath("./w:pPr/w:numPr/w:numId/@w:val")
            if num_id and num_id[0].isdigit():
                ilvl = el.xpath("./w:pPr/w:numPr/w:ilvl/@w:val")
                self.numbering[sid] = (int(num_id[0]), int(ilvl[0]) if ilvl and ilvl[0].isdigit() else 0)

    def first(self, *names: str, kind: str = "paragraph") -> str | None:
        return next((self.ids[(kind, n)] for n in names if (kind, n) in self.ids), None)

    def leveled(self, base: str, level: int) -> str | None:
        """`List Bullet 2` for level 2, falling back to shallower levels a template lacks."""
        names = [f"{base} {n}" if n > 1 else base for n in range(min(max(level, 1), 3), 0, -1)]
        return self.first(*names)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _rpr(flags: int, *, color: str = "", size: int = 0, highlight: bool = False, underline: bool = False) -> str:
    """Run properties, in the element order the schema (and so Word) insists on."""
    parts = ['<w:rFonts w:ascii="Consolas" w:hAnsi="Consolas" w:cs="Consolas"/>' if flags & CODE else "",
             "<w:b/><w:bCs/>" if flags & BOLD else "", "<w:i/><w:iCs/>" if flags & ITALIC else "",
             "<w:strike/>" if flags & STRIKE else "", f'<w:color w:val="{color}"/>' if color else "",
             f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>' if size else "",
             '<w:highlight w:val="yellow"/>' if highlight else "", '<w:u w:val="single"/>' if underline else ""]
    inner = "".join(parts)
    return f"<w:rPr>{inner}</w:rPr>" if inner else ""


def _ppr(style: str | None, *, numpr: str = "", border: bool = False, shade: bool = False,
         spacing: str = "", ind: str = "", jc: str | None = None, keep_next: bool = False) -> str:
    parts = [f'<w:pStyle w:val="{style}"/>' if style else "", "<w:keepNext/>" if keep_next else "", numpr,
             '<w:pBdr><w:bottom w:val="single" w:sz="6" w:space="1" w:color="A6A6A6"/></w:pBdr>' if border else "",
             '<w:shd w:val="clear" w:color="auto" w:fill="F2F2F2"/>' if shade else "", spacing, ind,
             f'<w:jc w:val="{jc}"/>' if jc in ("left", "center", "right") else ""]
    inner = "".join(parts)
    return f"<w:pPr>{inner}</w:pPr>" if inner else ""


class _BodyWriter:
    """Blocks -> one WordprocessingML string; records the runs that need python-docx afterwards."""

    def __init__(self, doc, text_width: int, first_comment_id: int = 0) -> None:
        self.doc, self.text_width, self.first_comment_id = doc, text_width, first_comment_id
        self.styles = _Styles(doc)
        self.open_items: list[str] = []
        self.images: list[tuple[str, str, str, float]] = []
        self._links: dict[str, str] = {}
        self._nums: dict[int, int] = {}  # list id -> numId restarting at the list's start
        self._rpr_cache: dict[tuple, str] = {}
        s = self.styles
        self.title_style = s.first("Title", "Heading 1")
        self.quote_style = s.first("Quote", "Intense Quote")
        self.table_style = s.first("Table Grid", kind="table")

    def write(self, blocks: list[Block]) -> str:
        out: list[str] = []
        for block in blocks:
            if isinstance(block, Para):
                out.append(self._para(block))
            elif isinstance(block, Table):
                out.append(self._table(block))
            elif block.kind == "pagebreak":
                out.append('<w:p><w:r><w:br w:type="page"/></w:r></w:p>')
            else:
                out.append("<w:p>" + _ppr(None, border=True, spacing='<w:spacing w:after="120"/>') + "</w:p>")
        return "".join(out) or "<w:p/>"

    def _para(self, p: Para) -> str:
        role, prefix, ppr = p.role, "", ""
        if role == "title":
            ppr = _ppr(self.title_style)
        elif role == "heading":
            ppr = _ppr(self.styles.first(*(f"Heading {n}" for n in range(p.level, 0, -1))))
        elif role in ("bullet", "number"):
            ppr, prefix = self._list_ppr(p)
        elif role == "continue":
            style = self.styles.leveled("List Continue", p.level)
            ppr = _ppr(style, ind="" if style else f'<w:ind w:left="{360 * p.level + 360}"/>')
        elif role == "quote":
            ppr = _ppr(self.quote_style, ind="" if self.quote_style else '<w:ind w:left="720" w:right="720"/>')
        elif role == "code":
            ppr = _ppr(None, shade=True, spacing='<w:spacing w:after="120" w:line="240" w:lineRule="auto"/>',
                       ind=f'<w:ind w:left="{360 * p.level}"/>' if p.level else "")
        elif len(p.spans) == 1 and p.spans[0].kind == "img":
            ppr = _ppr(None, jc="center")
        flags = ITALIC if role == "quote" and not self.quote_style else 0
        runs = (self._run(prefix, 0) if prefix else "") + self._runs(p.spans, IMAGE_WIDTH_CM, flags)
        return f"<w:p>{ppr}{runs}</w:p>"

    def _list_ppr(self, p: Para) -> tuple[str, str]:
        """Real Word numbering when the style has it; otherwise a literal bullet/number, so a
        reference document without list numbering still reads right."""
        style = self.styles.leveled("List Number" if p.role == "number" else "List Bullet", p.level)
        numbering = self.styles.numbering.get(style) if style else None
        if numbering and p.role == "number":
            num_id = self._restarting_num(p, *numbering)
            if num_id:
                return _ppr(style, numpr=f'<w:numPr><w:ilvl w:val="{numbering[1]}"/>'
                                         f'<w:numId w:val="{num_id}"/></w:numPr>'), ""
        elif numbering:
            return _ppr(style), ""
        left = 360 * p.level + 360
        prefix = f"{p.number}.\t" if p.role == "number" else "•\t"
        return _ppr(None, ind=f'<w:ind w:left="{left}" w:hanging="360"/>', spacing='<w:spacing w:after="60"/>'), prefix

    def _restarting_num(self, p: Para, num_id: int, ilvl: int) -> int | None:
        if p.list_id in self._nums:
            return self._nums[p.list_id]
        try:
            numbering = self.doc.part.numbering_part.element
            abstract = numbering.num_having_numId(num_id).abstractNumId.val
        except (KeyError, NotImplementedError, AttributeError):
            return None
        num = numbering.add_num(abstract)
        num.add_lvlOverride(ilvl=ilvl).add_startOverride(p.start)
        self._nums[p.list_id] = num.numId
        return num.numId

    def _run(self, text: str, flags: int, **kw) -> str:
        key = (flags, *kw.items())
        rpr = self._rpr_cache.get(key)
        if rpr is None:
            rpr = self._rpr_cache[key] = _rpr(flags, **kw)
        return f'<w:r>{rpr}<w:t xml:space="preserve">{_esc(text)}</w:t></w:r>'

    def _runs(self, spans: list[Span], image_cm: float, extra: int = 0) -> str:
        out: list[str] = []
        i = 0
        while i < len(spans):
            href = spans[i].href if spans[i].kind in ("text", "ph") else None
            if href and _LINK_SCHEMES.match(href):
                j = i
                while j < len(spans) and spans[j].href == href and spans[j].kind in ("text", "ph"):
                    j += 1
                inner = "".join(self._span(s, image_cm, extra, link=True) for s in spans[i:j])
                out.append(f'<w:hyperlink r:id="{self._link(href)}" w:history="1">{inner}</w:hyperlink>')
                i = j
            else:
                out.append(self._span(spans[i], image_cm, extra))
                i += 1
        return "".join(out)

    def _span(self, s: Span, image_cm: float, extra: int, link: bool = False) -> str:
        if s.kind == "text":
            if link:
                return self._run(s.text, s.flags | extra, color="0563C1", underline=True)
            return self._run(s.text, s.flags | extra)
        if s.kind == "br":
            return "<w:r><w:br/></w:r>"
        if s.kind == "ph":
            cid = self.first_comment_id + len(self.open_items)
            self.open_items.append(s.item)
            return (f'<w:commentRangeStart w:id="{cid}"/>{self._run(s.text, s.flags | extra | BOLD, highlight=True)}'
                    f'<w:commentRangeEnd w:id="{cid}"/><w:r><w:rPr><w:rStyle w:val="CommentReference"/></w:rPr>'
                    f'<w:commentReference w:id="{cid}"/></w:r>')
        self.images.append((s.item, s.text, s.title, image_cm))
        return '<w:r m:img="1"/>'

    def _link(self, href: str) -> str:
        from docx.opc.constants import RELATIONSHIP_TYPE as RT

        if href not in self._links:
            self._links[href] = self.doc.part.relate_to(href, RT.HYPERLINK, is_external=True)
        return self._links[href]

    def _table(self, t: Table) -> str:
        ncols = max(len(r) for r in t.rows)
        widths = self._column_widths(t, ncols)
        borders = "" if self.table_style else "".join(
            f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
            for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
        style = f'<w:tblStyle w:val="{self.table_style}"/>' if self.table_style else ""
        borders = f"<w:tblBorders>{borders}</w:tblBorders>" if borders else ""
        out = [f'<w:tbl><w:tblPr>{style}<w:tblW w:w="{sum(widths)}" w:type="dxa"/>{borders}'
               '<w:tblLayout w:type="fixed"/><w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" '
               'w:firstColumn="0" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>']
        out += [f'<w:gridCol w:w="{w}"/>' for w in widths]
        out.append("</w:tblGrid>")
        for r, row in enumerate(t.rows):
            header = r < t.header_rows
            out.append("<w:tr><w:trPr><w:cantSplit/>" + ("<w:tblHeader/>" if header else "") + "</w:trPr>")
            for c in range(ncols):
                spans = row[c] if c < len(row) else []
                align = t.aligns[c] if c < len(t.aligns) else None
                shade = '<w:shd w:val="clear" w:color="auto" w:fill="E7E6E6"/>' if header else ""
                ppr = _ppr(None, spacing='<w:spacing w:before="40" w:after="40" w:line="240" w:lineRule="auto"/>',
                           jc=align)
                runs = self._runs(spans, widths[c] / 567 - 0.4, BOLD if header else 0)
                out.append(f'<w:tc><w:tcPr><w:tcW w:w="{widths[c]}" w:type="dxa"/>{shade}</w:tcPr>'
                           f"<w:p>{ppr}{runs}</w:p></w:tc>")
            out.append("</w:tr>")
        # An empty, small paragraph keeps the next paragraph (or table) off the table's bottom line.
        out.append('</w:tbl><w:p><w:pPr><w:spacing w:after="0"/><w:rPr><w:sz w:val="12"/></w:rPr></w:pPr></w:p>')
        return "".join(out)

    def _column_widths(self, t: Table, ncols: int) -> list[int]:
        """Share the text width by each column's longest cell (capped, so one long sentence
        doesn't starve the others), with a floor so short columns stay legible."""
        weights = [6] * ncols
        for row in t.rows:
            for c, spans in enumerate(row):
                length = sum(len(s.text) for s in spans if s.kind != "img") + (20 if any(
                    s.kind == "img" for s in spans) else 0)
                weights[c] = max(weights[c], min(length, 50))
        total = sum(weights)
        floor = self.text_width // (ncols * 3)
        widths = [max(floor, self.text_width * w // total) for w in weights]
        scale = self.text_width / sum(widths)
        return [int(w * scale) for w in widths]


def _picture(run, image_dir: pathlib.Path | None, src: str, alt: str, title: str, max_cm: float) -> None:
    """Embed a picture with its alt text, or say visibly that it is missing; never fail the build."""
    from docx.shared import Cm

    base = pathlib.Path(image_dir or ".").resolve()
    path = (base / src).resolve() if src and "://" not in src else None
    try:
        if path is None or not path.is_relative_to(base) or not path.is_file():
            raise FileNotFoundError(src)
        from docx.image.image import Image

        image = Image.from_file(str(path))
        width = Cm(max(1.0, min(max_cm, IMAGE_WIDTH_CM)))
        height = int(width * image.px_height / max(image.px_width, 1))
        if height > Cm(IMAGE_MAX_HEIGHT_CM):
            width, height = int(width * Cm(IMAGE_MAX_HEIGHT_CM) / height), Cm(IMAGE_MAX_HEIGHT_CM)
        run.add_picture(str(path), width=width, height=height)
    except Exception:  # missing, outside image_dir, or not an image python-docx can read
        run.text = f"[image not available: {alt or src}]"
        run.italic = True
        return
    doc_pr = run._r.xpath(".//wp:docPr")[0]
    doc_pr.set("descr", alt)
    if title:
        doc_pr.set("title", title)


def _header_footer(doc, header_text: str, footer_text: str, text_width: int) -> None:
    """The DRAFT banner and page numbers go on every page, including a reference document's
    distinct first/even pages; an existing letterhead is kept and our lines are added below it."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    for section in doc.sections:
        headers, footers = [section.header], [section.footer]
        if section.different_first_page_header_footer:
            headers.append(section.first_page_header)
            footers.append(section.first_page_footer)
        if doc.settings.odd_and_even_pages_header_footer:
            headers.append(section.even_page_header)
            footers.append(section.even_page_footer)
        for header in headers:
            p = _free_paragraph(header)
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            run = p.add_run(header_text)
            run.bold, run.font.size, run.font.color.rgb = True, Pt(9), RGBColor(0x9C, 0x1C, 0x1C)
        for footer in footers:
            p = _free_paragraph(footer)
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = p.add_run(footer_text)
            run.font.size, run.font.color.rgb = Pt(8), RGBColor(0x59, 0x59, 0x59)
            p = footer.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _page_x_of_y(p)


def _free_paragraph(story):
    paragraphs = story.paragraphs
    if len(paragraphs) == 1 and not paragraphs[0].text and not paragraphs[0]._p.xpath(".//w:drawing"):
        return paragraphs[0]
    return story.add_paragraph()


def _page_x_of_y(paragraph) -> None:
    from docx.oxml.parser import parse_xml

    rpr = '<w:rPr><w:color w:val="595959"/><w:sz w:val="16"/></w:rPr>'
    fragment = parse_xml(
        f'<w:p xmlns:w="{W}"><w:r>{rpr}<w:t xml:space="preserve">Page </w:t></w:r>'
        f'<w:fldSimple w:instr=" PAGE "><w:r>{rpr}<w:t>1</w:t></w:r></w:fldSimple>'
        f'<w:r>{rpr}<w:t xml:space="preserve"> of </w:t></w:r>'
        f'<w:fldSimple w:instr=" NUMPAGES "><w:r>{rpr}<w:t>1</w:t></w:r></w:fldSimple></w:p>')
    for child in list(fragment):
        paragraph._p.append(child)


def _properties(doc, title: str) -> None:
    import datetime as dt

    props = doc.core_properties
    props.title, props.author, props.last_modified_by = title, "lead-readiness", "lead-readiness"
    props.keywords, props.comments, props.revision = "DRAFT", "Draft for stakeholder review", 1
    props.created = props.modified = dt.datetime.now(dt.timezone.utc).replace(microsecond=0, tzinfo=None)


def _save_atomic(doc, out_path: pathlib.Path) -> None:
    """A killed build never leaves a half-written .docx where a stakeholder might open it."""
    fd, tmp = tempfile.mkstemp(dir=out_path.parent, prefix=f".{out_path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            doc.save(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, out_path)
    except BaseException:
        pathlib.Path(tmp).unlink(missing_ok=True)
        raise


def dump_docx(path: pathlib.Path) -> list[str]:
    """Normalised text dump for tests: one line per block, 'StyleName: text' for paragraphs,
    'Table[r,c]: cell | cell' rows (header row marked), '[image alt=...]' for pictures,
    '[comment: text]' for comments. Used instead of comparing bytes.

    In `Table[r,c]`, r is the row index and c the number of cells; a repeating header row reads
    `Table[0,3] header: ...`. Line breaks show as ' / ', fields as {PAGE}; comments, pictures and
    page breaks follow the line they are anchored in; headers and footers come last, prefixed
    `[header]` / `[footer]`. Empty paragraphs are left out.
    """
    import docx

    doc = docx.Document(str(path))
    names = {s.style_id: s.name for s in doc.styles}
    comments = {c.comment_id: c.text for c in doc.comments}
    lines: list[str] = []
    for child in doc.element.body.iterchildren():
        if child.tag == _w("p"):
            lines += _dump_paragraph(child, names, comments)
        elif child.tag == _w("tbl"):
            for r, tr in enumerate(child.iterchildren(_w("tr"))):
                cells, extras = [], []
                for tc in tr.iterchildren(_w("tc")):
                    texts = []
                    for p in tc.iterchildren(_w("p")):
                        text, more = _dump_text(p, comments)
                        texts.append(text)
                        extras += more
                    cells.append(" / ".join(t for t in texts if t))
                mark = " header" if tr.xpath("./w:trPr/w:tblHeader") else ""
                lines.append(f"Table[{r},{len(cells)}]{mark}: " + " | ".join(cells))
                lines += extras
    for section in doc.sections:
        for prefix, story in (("[header]", section.header), ("[footer]", section.footer)):
            for p in story.paragraphs:
                lines += [f"{prefix} {line}" for line in _dump_paragraph(p._p, names, comments)]
    return lines


def _dump_paragraph(p, names: dict, comments: dict) -> list[str]:
    style = p.xpath("./w:pPr/w:pStyle/@w:val")
    name = names.get(style[0], style[0]) if style else "Normal"
    text, extras = _dump_text(p, comments)
    if not text and p.xpath("./w:pPr/w:pBdr"):
        return ["[rule]"]
    return ([f"{name}: {text}"] if text else []) + extras


def _dump_text(p, comments: dict) -> tuple[str, list[str]]:
    text: list[str] = []
    extras: list[str] = []

    def walk(el) -> None:
        tag = etree.QName(el).localname if isinstance(el.tag, str) else ""
        if tag == "t":
            text.append(el.text or "")
        elif tag == "tab":
            text.append("\t")
        elif tag == "br":
            if el.get(_w("type")) == "page":
                extras.append("[page break]")
            else:
                text.append(" / ")
        elif tag == "fldSimple":
            text.append("{" + (el.get(_w("instr")) or "").split()[0] + "}")
            return
        elif tag == "docPr":
            extras.append(f"[image alt={el.get('descr', '')}]")
        elif tag == "commentReference":
            extras.append(f"[comment: {comments.get(int(el.get(_w('id'))), '?')}]")
        for child in el:
            walk(child)

    walk(p)
    return "".join(text).strip(), extras
