"""Markdown drafts -> DOCX that stakeholders review in Word. The only module importing python-docx.

The body arrives as WordprocessingML text from `markdown_blocks` (fast, see there); this module
does what needs the package: the template or reference document, style ids, list restarts,
hyperlink relationships, comments, pictures, header and footer, properties, and the atomic save.
"""
from __future__ import annotations

import pathlib
import re
from typing import cast

from lxml import etree

from readiness.documents.markdown_blocks import (
    IMAGE_WIDTH_CM, BodyWriter, StyleSheet, esc, parse_blocks, xml_safe)
from readiness.errors import ReadinessError

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MARK = "urn:lead-readiness:marker"  # marks picture runs between parsing and filling; removed again
IMAGE_MAX_HEIGHT_CM = 19.0
_TWIPS_PER_EMU = 1 / 635


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def write_docx(markdown_text: str, out_path: pathlib.Path, *, title: str, header_text: str,
               footer_text: str, reference_docx: pathlib.Path | None = None,
               image_dir: pathlib.Path | None = None, comment_author: str = "lead-readiness",
               subject: str = "", version: int | None = None, toc: bool | None = None,
               marks: dict[str, str] | None = None, template: Template | None = None) -> list[str]:
    """Write a DOCX; returns the list of open-item texts found (placeholders), in order of appearance.

    Every occurrence is listed, but each distinct open item carries one comment, at its first
    mention; later mentions link to it (`dict.fromkeys` gives the commented items). `version` is
    the draft's number, written as the core properties' version and revision; `toc` forces the table
    of contents on or off (default: documents of more than about five pages get one). `template`, a
    `Template` of `reference_docx` made once for many documents, saves opening it for each.
    """
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml.parser import parse_xml
    from docx.text.run import Run

    start = template if template is not None else Template(reference_docx)
    doc = start.document()
    comment_styles = start.comment_styles
    comments = _comments_element(doc)
    links: dict[str, str] = {}

    def link_id(href: str) -> str:
        if href not in links:
            links[href] = doc.part.relate_to(href, RT.HYPERLINK, is_external=True)
        return links[href]

    writer = BodyWriter(start.style_sheet, start.text_width, link_id=link_id,
                        restart_list=lambda num_id, ilvl, start: _restart_list(doc, num_id, ilvl, start),
                        first_comment_id=start.first_comment_id, comment_style=comment_styles[1], toc=toc)
    xml = writer.write(parse_blocks(markdown_text, where=pathlib.Path(out_path).name))
    # The new body replaces the old one whole: moving thousands of parsed elements one by one into the
    # document (addprevious) costs lxml a namespace fix-up per element against the whole tree, quadratic
    # in the document's size (a 10,000-row table took a minute); one subtree moves in one step.
    body = parse_xml(f'<w:body xmlns:w="{W}" xmlns:r="{R}" xmlns:m="{MARK}">{xml}</w:body>')
    pictures = cast(list, etree.ElementBase.xpath(body, "//w:r[@m:img]", namespaces={"w": W, "m": MARK}))
    for el in pictures:
        el.attrib.clear()
    etree.cleanup_namespaces(body)
    old_body = doc.element.body
    body.attrib.update(old_body.attrib)
    sect_pr = old_body.find(_w("sectPr"))
    if sect_pr is not None:
        body.append(sect_pr)
    doc.element.replace(old_body, body)
    _add_comments(comments, writer, xml_safe(comment_author) or "lead-readiness", comment_styles)
    for r, (src, alt, pic_title, max_cm) in zip(pictures, writer.images):
        _picture(Run(r, doc._body), image_dir, src, alt, pic_title, max_cm)
    _header_footer(doc, xml_safe(header_text), xml_safe(footer_text))
    _properties(doc, xml_safe(title), xml_safe(subject), version)
    _settings(doc, update_fields=writer.has_toc)
    _app_properties(doc)
    if marks:
        _custom_properties(doc, {k: xml_safe(v) for k, v in marks.items()})
    _save_atomic(doc, pathlib.Path(out_path))
    return list(writer.open_items)


class Template:
    """The reference document (or the built-in template) opened, checked and prepared once: its body
    emptied, the styles the body and comments need added, its comments part made, its styles
    resolved by name into ids.  Every document of a build starts from a copy of it in memory
    (`document`), so the package is unzipped and its XML parsed once per build, not once per
    document."""

    def __init__(self, reference_docx: pathlib.Path | None = None):
        self.reference_docx = reference_docx
        self._doc = _open(reference_docx)
        self.comment_styles = _ensure_styles(self._doc)
        self.text_width = _text_width(self._doc.sections[-1])
        comments = _comments_element(self._doc)
        used = [int(i) for i in comments.xpath("./w:comment/@w:id") if i.isdigit()]
        self.first_comment_id = max(used, default=-1) + 1
        self.style_sheet = _style_sheet(self._doc)

    def document(self):
        """A fresh python-docx Document: a deep copy of the prepared one (its parts, relationships
        and XML), sharing nothing with it or with the other copies."""
        import copy

        return copy.deepcopy(self._doc)


def _text_width(section) -> int:
    """Twips between the margins; a reference document may leave page size or margins unset."""
    try:
        return max(2000, int((section.page_width - section.left_margin - section.right_margin) * _TWIPS_PER_EMU))
    except TypeError:
        return 9360  # US Letter with 1-inch margins, Word's own default


def _open(reference_docx: pathlib.Path | None):
    """Start from the reference document like pandoc's --reference-doc: its styles, sections and
    headers stay, its body goes."""
    import docx

    if reference_docx is None:
        return _default_document()
    _check_package(pathlib.Path(reference_docx))
    try:
        doc = docx.Document(str(reference_docx))
    except Exception as exc:  # python-docx raises several unrelated types for a bad package
        raise ReadinessError(f"{reference_docx}: cannot use as a reference document ({exc})",
                             hint="give a .docx saved by Word or LibreOffice (not .dotx or .doc)") from exc
    _drop_legacy_parts(doc)
    body = doc.element.body
    for child in list(body):
        if child.tag != _w("sectPr"):
            body.remove(child)
    if body.find(_w("sectPr")) is None:  # a reference without section properties: Word's defaults
        from docx.shared import Inches

        body.get_or_add_sectPr()
        section = doc.sections[-1]
        section.page_width, section.page_height = Inches(8.5), Inches(11)
        section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Inches(1)
    return doc


# A letterhead reference document is tens or hundreds of kilobytes; a zip bomb of 1 MB unpacks to gigabytes.
MAX_REFERENCE_UNPACKED = 50 << 20  # what all its parts may hold, unpacked
MAX_REFERENCE_RATIO = 100  # how much one part may expand (XML compresses ~5-20 times)
MAX_REFERENCE_MEMBERS = 1_000


def _check_package(path: pathlib.Path) -> None:
    """Refuse a reference.docx whose zip directory says it would unpack to far too much, before any
    part of it is unpacked (python-docx reads every part into memory)."""
    import zipfile

    hint = "give a .docx saved by Word or LibreOffice with the letterhead and styles only"
    try:
        with zipfile.ZipFile(path) as package:
            members = package.infolist()
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        raise ReadinessError(f"{path}: cannot use as a reference document (not a Word file: {exc})",
                             hint="give a .docx saved by Word or LibreOffice (not .dotx or .doc)") from None
    if len(members) > MAX_REFERENCE_MEMBERS:
        raise ReadinessError(f"{path}: reference document has {len(members):,} parts (the limit is "
                             f"{MAX_REFERENCE_MEMBERS:,})", hint=hint)
    total = sum(m.file_size for m in members)
    if total > MAX_REFERENCE_UNPACKED:
        raise ReadinessError(f"{path}: reference document would unpack to {total / 1e6:,.0f} MB (the limit is "
                             f"{MAX_REFERENCE_UNPACKED / 1e6:.0f} MB)", hint=hint)
    for m in members:
        if m.file_size > 1_000_000 and m.file_size > MAX_REFERENCE_RATIO * max(m.compress_size, 1):
            raise ReadinessError(f"{path}: reference document part '{m.filename}' expands {m.file_size // max(m.compress_size, 1):,} "
                                 f"times when unpacked (a zip bomb?)", hint=hint)


_TEMPLATE: bytes | None = None


def _drop_legacy_parts(doc) -> None:
    """Word 2010's stylesWithEffects copy of the styles (Word 2013+ ignores it, and styles added here
    would be missing from it) and the thumbnail of another document's first page."""
    for source in (doc.part, doc.part.package):
        for rid, rel in list(source.rels.items()):
            if rel.reltype.endswith(("/stylesWithEffects", "/thumbnail")):
                del source.rels[rid]


def _default_document():
    """python-docx's template carries 340 kB of table styles Word offers anyway, a legacy
    stylesWithEffects copy and a blank-page thumbnail; parsing and re-zipping them was 40% of a
    build. A trimmed, already set-up copy is made once per process and reopened from memory."""
    import io

    import docx

    global _TEMPLATE
    if _TEMPLATE is None:
        doc = docx.Document()
        _default_setup(doc)
        styles = doc.styles.element
        for el in list(styles.iterchildren(_w("style"))):
            if el.get(_w("type")) == "table" and el.get(_w("styleId")) not in ("TableNormal", "TableGrid"):
                styles.remove(el)
        _drop_legacy_parts(doc)
        buffer = io.BytesIO()
        doc.save(buffer)
        _TEMPLATE = buffer.getvalue()
    return docx.Document(io.BytesIO(_TEMPLATE))


def _comments_element(doc):
    """The comments part's root; built by hand below because python-docx's add_comment parses
    XML and searches for ids on every call (a fifth of the build time with 50 open items)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    doc.comments  # noqa: B018 - creates the comments part when the document has none
    return doc.part.part_related_by(RT.COMMENTS).element


def _add_comments(comments, body_writer: BodyWriter, author: str, styles: tuple[str, str]) -> None:
    """One comment per distinct open item: `Open item: ... — confirm before signature.`, and how
    often the document mentions it when more than once (the later mentions link to this one)."""
    import datetime as dt
    from docx.oxml.parser import parse_xml

    initials = esc("".join(w[0] for w in re.split(r"[^0-9A-Za-z]+", author) if w).upper()[:4])
    date = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    text_style, ref_style = styles

    def more(count: int) -> str:
        return (f" The document mentions it {count} times; the later mentions link here, and this one "
                "comment covers them all." if count > 1 else "")

    parts = [f'<w:comment w:id="{cid}" w:author="{esc(author)}" '
             f'w:initials="{initials}" w:date="{date}"><w:p><w:pPr><w:pStyle w:val="{text_style}"/></w:pPr>'
             f'<w:r><w:rPr><w:rStyle w:val="{ref_style}"/></w:rPr><w:annotationRef/></w:r>'
             f'<w:r><w:t xml:space="preserve">Open item: {esc(item or "unspecified")} — confirm before '
             f"signature.{more(count)}</w:t></w:r></w:p></w:comment>" for cid, item, count in body_writer.comments]
    if parts:
        comments.extend(list(parse_xml(f'<w:comments xmlns:w="{W}">{"".join(parts)}</w:comments>')))


# Styles the body and the comments refer to, added when the template or reference document lacks
# them (python-docx's template has no comment or contents styles: 30 schema errors in the demo pack).
# Found by their built-in name first, so a reference document's own (or translated) ids are kept.
_EXTRA_STYLES = (
    ("paragraph", "CommentText", "annotation text",
     '<w:basedOn w:val="Normal"/><w:link w:val="CommentTextChar"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/>'
     '<w:pPr><w:spacing w:after="60" w:line="240" w:lineRule="auto"/></w:pPr>'
     '<w:rPr><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr>'),
    ("character", "CommentTextChar", "Comment Text Char",
     '<w:basedOn w:val="DefaultParagraphFont"/><w:link w:val="CommentText"/><w:uiPriority w:val="99"/>'
     '<w:rPr><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr>'),
    ("character", "CommentReference", "annotation reference",
     '<w:basedOn w:val="DefaultParagraphFont"/><w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/>'
     '<w:rPr><w:sz w:val="16"/><w:szCs w:val="16"/></w:rPr>'),
    ("paragraph", "CommentSubject", "annotation subject",
     '<w:basedOn w:val="CommentText"/><w:next w:val="CommentText"/><w:link w:val="CommentSubjectChar"/>'
     '<w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/><w:rPr><w:b/><w:bCs/></w:rPr>'),
    ("character", "CommentSubjectChar", "Comment Subject Char",
     '<w:basedOn w:val="CommentTextChar"/><w:link w:val="CommentSubject"/><w:uiPriority w:val="99"/>'
     '<w:semiHidden/><w:rPr><w:b/><w:bCs/><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr>'),
    ("paragraph", "TOC2", "toc 2",
     '<w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:autoRedefine/><w:uiPriority w:val="39"/>'
     '<w:unhideWhenUsed/><w:pPr><w:spacing w:after="60"/></w:pPr>'),
    ("paragraph", "TOC3", "toc 3",
     '<w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:autoRedefine/><w:uiPriority w:val="39"/>'
     '<w:unhideWhenUsed/><w:pPr><w:spacing w:after="60"/><w:ind w:left="220"/></w:pPr>'),
)


def _ensure_styles(doc) -> tuple[str, str]:
    """Add the styles of `_EXTRA_STYLES` a document lacks; returns the ids of its comment text and
    comment reference styles."""
    from docx.oxml.parser import parse_xml

    styles = doc.styles.element
    by_name: dict[tuple[str, str], str] = {}
    ids: set[str] = set()
    for el in styles.iterchildren(_w("style")):
        sid, name_el = el.get(_w("styleId")), el.find(_w("name"))
        ids.add(sid)
        if name_el is not None:
            by_name.setdefault((el.get(_w("type"), "paragraph"), (name_el.get(_w("val")) or "").lower()), sid)
    found: dict[str, str] = {}
    added = []
    for kind, sid, name, inner in _EXTRA_STYLES:
        known = by_name.get((kind, name.lower()))
        if known:
            found[sid] = known
            continue
        found[sid] = sid
        if sid in ids:  # the id is taken by another style: leave that one alone
            continue
        for ref in re.findall(r'w:(?:basedOn|link|next) w:val="([^"]+)"', inner):
            if ref not in ids and ref not in {s for _, s, _, _ in _EXTRA_STYLES}:
                inner = re.sub(rf'<w:(?:basedOn|link|next) w:val="{ref}"/>', "", inner)
        custom = ' w:customStyle="1"' if name.endswith(" Char") else ""
        added.append(f'<w:style w:type="{kind}"{custom} w:styleId="{sid}"><w:name w:val="{name}"/>{inner}</w:style>')
        ids.add(sid)
    if added:
        styles.extend(list(parse_xml(f'<w:styles xmlns:w="{W}">{"".join(added)}</w:styles>')))
    return found["CommentText"], found["CommentReference"]


# The order of w:settings' children (ECMA-376 CT_Settings) up to the ones set here and what follows them.
_SETTINGS_ORDER = (
    "writeProtection view zoom removePersonalInformation removeDateAndTime doNotDisplayPageBoundaries "
    "displayBackgroundShape printPostScriptOverText printFractionalCharacterWidth printFormsData "
    "embedTrueTypeFonts embedSystemFonts saveSubsetFonts saveFormsData mirrorMargins alignBordersAndEdges "
    "bordersDoNotSurroundHeader bordersDoNotSurroundFooter gutterAtTop hideSpellingErrors hideGrammaticalErrors "
    "activeWritingStyle proofState formsDesign attachedTemplate linkStyles stylePaneFormatFilter "
    "stylePaneSortMethod documentType mailMerge revisionView trackRevisions doNotTrackMoves doNotTrackFormatting "
    "documentProtection autoFormatOverride styleLockTheme styleLockQFSet defaultTabStop autoHyphenation "
    "consecutiveHyphenLimit hyphenationZone doNotHyphenateCaps showEnvelope summaryLength clickAndTypeStyle "
    "defaultTableStyle evenAndOddHeaders bookFoldRevPrinting bookFoldPrinting bookFoldPrintingSheets "
    "drawingGridHorizontalSpacing drawingGridVerticalSpacing displayHorizontalDrawingGridEvery "
    "displayVerticalDrawingGridEvery doNotUseMarginsForDrawingGridOrigin drawingGridHorizontalOrigin "
    "drawingGridVerticalOrigin doNotShadeFormData noPunctuationKerning characterSpacingControl printTwoOnOne "
    "strictFirstAndLastChars noLineBreaksAfter noLineBreaksBefore savePreviewPicture doNotValidateAgainstSchema "
    "saveInvalidXml ignoreMixedContent alwaysShowPlaceholderText doNotDemarcateInvalidXml saveXmlDataOnly "
    "useXSLTWhenSaving saveThroughXslt showXMLTags alwaysMergeEmptyNamespace updateFields hdrShapeDefaults "
    "footnotePr endnotePr compat docVars rsids mathPr attachedSchema themeFontLang clrSchemeMapping "
    "doNotIncludeSubdocsInStats doNotAutoCompressPictures forceUpgrade captions readModeInkLockDown smartTagType "
    "schemaLibrary shapeDefaults doNotEmbedSmartTags decimalSymbol listSeparator").split()
WORD_COMPAT_URI = "http://schemas.microsoft.com/office/word"
COMPATIBILITY_MODE = 15  # Word 2013 and later: current layout, no "Compatibility Mode" in the title bar


def _settings_child(settings, tag: str):
    """The settings' `tag` child, created at its place in the schema's order when missing."""
    el = settings.find(_w(tag))
    if el is not None:
        return el
    el = etree.SubElement(settings, _w(tag))
    later = set(_SETTINGS_ORDER[_SETTINGS_ORDER.index(tag) + 1:])
    for sibling in settings.iterchildren():
        if isinstance(sibling.tag, str) and etree.QName(sibling).localname in later and sibling is not el:
            sibling.addprevious(el)
            break
    return el


def _settings(doc, *, update_fields: bool) -> None:
    """Word 2013+ compatibility (a reference document's newer mode is kept), and, when the document
    has a table of contents, Word updates its fields (page numbers) as it opens the file."""
    settings = doc.settings.element
    compat = _settings_child(settings, "compat")
    mode = next((el for el in compat.iterchildren(_w("compatSetting"))
                 if el.get(_w("name")) == "compatibilityMode" and el.get(_w("uri")) == WORD_COMPAT_URI), None)
    if mode is None:
        mode = etree.SubElement(compat, _w("compatSetting"))
        mode.set(_w("name"), "compatibilityMode")
        mode.set(_w("uri"), WORD_COMPAT_URI)
        for legacy in list(compat):  # compatSetting elements come after the legacy switches
            if legacy.tag != _w("compatSetting"):
                continue
            if legacy is not mode:
                legacy.addprevious(mode)
            break
    current = mode.get(_w("val"), "")
    mode.set(_w("val"), str(max(COMPATIBILITY_MODE, int(current) if current.isdigit() else 0)))
    if update_fields:
        _settings_child(settings, "updateFields").set(_w("val"), "true")


def _app_properties(doc) -> None:
    """docProps/app.xml without statistics: the template's (or a reference document's) page and word
    counts describe another document. Word fills them in when it saves the file."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    for rel in doc.part.package.rels.values():
        if rel.reltype == RT.EXTENDED_PROPERTIES and not rel.is_external:
            rel.target_part._blob = (
                b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
                b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
                b'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
                b"<Template>Normal.dotm</Template><TotalTime>0</TotalTime><DocSecurity>0</DocSecurity>"
                b"<ScaleCrop>false</ScaleCrop><LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
                b"<HyperlinksChanged>false</HyperlinksChanged><Application>lead-readiness</Application></Properties>")


def _default_setup(doc) -> None:
    """US Letter, 2.5 cm margins, Calibri 11 pt: what a US stakeholder's Word would produce."""
    from docx.shared import Cm, Inches, Pt, RGBColor

    section = doc.sections[0]
    section.page_width, section.page_height = Inches(8.5), Inches(11)
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Cm(2.5)
    section.header_distance = section.footer_distance = Cm(1.25)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = "Calibri", Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.1
    for level in range(1, 5):  # the template's headings sit directly on the next line
        doc.styles[f"Heading {level}"].paragraph_format.space_after = Pt(3)
    quote = doc.styles["Quote"]  # notices such as "not legal advice" should stand apart
    quote.paragraph_format.left_indent = quote.paragraph_format.right_indent = Cm(0.75)
    quote.font.color.rgb = RGBColor(0x40, 0x40, 0x40)


def _style_sheet(doc) -> StyleSheet:
    """Style ids by English UI name, read from styles.xml once (python-docx's by-name look-up is
    what makes it slow)."""
    from docx.styles import BabelFish

    ids: dict[tuple[str, str], str] = {}
    numbering: dict[str, tuple[int, int]] = {}
    for el in doc.styles.element.iterchildren(_w("style")):
        name_el, sid = el.find(_w("name")), el.get(_w("styleId"))
        if name_el is None or not sid:
            continue
        ids.setdefault((el.get(_w("type"), "paragraph"), BabelFish.internal2ui(name_el.get(_w("val"), ""))), sid)
        num_pr = el.find(f"{_w('pPr')}/{_w('numPr')}")
        if num_pr is not None:
            num_id, ilvl = (num_pr.find(_w(t)) for t in ("numId", "ilvl"))
            num_id, ilvl = (x.get(_w("val"), "") if x is not None else "" for x in (num_id, ilvl))
            if num_id.isdigit():
                numbering[sid] = (int(num_id), int(ilvl) if ilvl.isdigit() else 0)
    return StyleSheet(ids, numbering)


def _restart_list(doc, num_id: int, ilvl: int, start: int) -> int | None:
    """A new list instance of the style's numbering that starts at `start`, so each Markdown list
    counts from its own first number instead of continuing the previous list."""
    try:
        numbering = doc.part.numbering_part.element
        num = numbering.add_num(numbering.num_having_numId(num_id).abstractNumId.val)
    except (KeyError, NotImplementedError, AttributeError):  # a reference doc without that list
        return None
    num.add_lvlOverride(ilvl=ilvl).add_startOverride(start)
    return num.numId


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
        width: int = Cm(max(1.0, min(max_cm, IMAGE_WIDTH_CM)))
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


def _header_footer(doc, header_text: str, footer_text: str) -> None:
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
            p = footer.add_paragraph(style=p.style)
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _page_x_of_y(p)


def _free_paragraph(story):
    """The template's empty header paragraph, or a new one below a letterhead, in its style."""
    paragraphs = story.paragraphs
    if len(paragraphs) == 1 and not paragraphs[0].text and not paragraphs[0]._p.xpath(".//w:drawing"):
        return paragraphs[0]
    return story.add_paragraph(style=paragraphs[0].style if paragraphs else None)


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


def _properties(doc, title: str, subject: str = "", version: int | None = None) -> None:
    """Title, subject, and the draft's version (also its revision), as Word's File > Info shows them."""
    import datetime as dt

    props = doc.core_properties
    # Word's core properties hold at most 255 characters; a consultant's title may be longer.
    props.title, props.author, props.last_modified_by = title[:255], "lead-readiness", "lead-readiness"
    props.subject = subject[:255]
    props.keywords, props.comments = "DRAFT", "Draft for stakeholder review"
    props.content_status = "Draft"
    props.revision = version if version and version > 0 else 1
    if version:
        props.version = str(version)
    props.created = props.modified = dt.datetime.now(dt.timezone.utc).replace(microsecond=0, tzinfo=None)


def _custom_properties(doc, marks: dict[str, str]) -> None:
    """The marks `review` recognizes a returned file by (readiness/documents/marks.py)."""
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    from readiness.documents import marks as m

    package = doc.part.package
    for rel in package.rels.values():  # a reference document's own custom properties: add ours to them
        if rel.reltype == m.CUSTOM_REL and not rel.is_external:
            rel.target_part._blob = m.merged_custom_xml(rel.target_part.blob, marks)
            return
    package.relate_to(Part(PackURI("/" + m.CUSTOM_PART), m.CUSTOM_CONTENT_TYPE, m.custom_xml(marks), package),
                      m.CUSTOM_REL)


def _save_atomic(doc, out_path: pathlib.Path) -> None:
    """A killed build never leaves a half-written .docx where a stakeholder might open it."""
    import io

    from readiness.files import atomic_write

    buffer = io.BytesIO()
    doc.save(buffer)
    atomic_write(out_path, buffer.getvalue())


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
            text.append("{" + " ".join((el.get(_w("instr")) or "").split()[:1]) + "}")
            return
        elif tag == "docPr":
            extras.append(f"[image alt={el.get('descr', '')}]")
        elif tag == "commentReference":
            extras.append(f"[comment: {comments.get(int(el.get(_w('id'))), '?')}]")
        for child in el:
            walk(child)

    walk(p)
    return "".join(text).strip(), extras
