"""Markdown -> simple blocks -> WordprocessingML body markup, as plain text, without python-docx.

Why text: python-docx spends most of its time resolving styles by name on every paragraph
(design.md §8). Building the body as one string with style ids resolved once, then parsing it in a
single lxml call, is several times faster, and keeps this half testable without python-docx.
Placeholders are found across emphasis boundaries, so `[TO CONFIRM: *name*]` is one open item.
`docx_writer` supplies the package-level pieces (style ids, hyperlink ids, list restarts).
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from readiness.errors import ReadinessError

BOLD, ITALIC, CODE, STRIKE = 1, 2, 4, 8

# XML 1.0 forbids these; a DOCX containing one will not open, so they go before parsing.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# \x00 marks non-text spans in the joined paragraph text, so a placeholder never spans one.
PLACEHOLDER = re.compile(r"\[\s*TO CONFIRM\s*:([^\]\n\x00]*)\]")
_PAGEBREAK = re.compile(r"<!--\s*pagebreak\s*-->", re.IGNORECASE)
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_LINK_SCHEMES = re.compile(r"(https?:|mailto:)", re.IGNORECASE)
IMAGE_WIDTH_CM = 15.0
# What one document may hold for Word. A real draft is ~30 kB with tables of a few dozen rows; these
# keep a runaway template or answer list from costing minutes and gigabytes in the conversion.
MAX_MARKDOWN_CHARS = 3_000_000
MAX_TABLE_ROWS = 10_000


def xml_safe(text: str) -> str:
    """Drop characters XML cannot carry (controls, lone surrogates, U+FFFE/FFFF)."""
    return _XML_ILLEGAL.sub("", text)


@dataclass(slots=True)
class Span:
    kind: str  # text | br | ph (placeholder) | img
    text: str = ""  # visible text; for img the alt text
    flags: int = 0
    href: str | None = None
    item: str = ""  # placeholder: the open item; img: the source path
    title: str = ""  # img: optional title


@dataclass(slots=True)
class Para:
    role: str  # title heading body quote code bullet number continue, or pagebreak rule (no spans)
    spans: list[Span]
    level: int = 0  # heading level, or list depth (1 = top level)
    list_id: int = 0  # one id per separate list, so ordered lists can restart numbering
    number: int = 0  # the item's number in an ordered list
    start: int = 1  # the list's first number


@dataclass(slots=True)
class Table:
    rows: list[list[list[Span]]]
    header_rows: int
    aligns: list[str | None] = field(default_factory=list)


Block = Para | Table


@functools.lru_cache(maxsize=1)
def _markdown():
    from markdown_it import MarkdownIt

    # text_join would fold an escaped `\\[` into the text around it; inline_spans joins text itself and
    # keeps escaped brackets apart, so an answer reading "[TO CONFIRM: ...]" is never an open item.
    return MarkdownIt("commonmark").enable("table").disable("text_join")


class DocumentTooLarge(ReadinessError):
    """A document beyond what the Word conversion accepts (MAX_MARKDOWN_CHARS, MAX_TABLE_ROWS)."""


def parse_blocks(markdown_text: str, where: str = "document") -> list[Block]:
    """The blocks of a Markdown document; DocumentTooLarge, naming `where`, past the limits above."""
    if len(markdown_text) > MAX_MARKDOWN_CHARS:
        raise DocumentTooLarge(f"{where}: the document is too long to convert to Word ({len(markdown_text):,} "
                               f"characters; the limit is {MAX_MARKDOWN_CHARS:,})",
                               hint="look for a list or loop in the template that repeats far too often")
    return _Walker(where).walk(_markdown().parse(xml_safe(markdown_text)))


@dataclass(slots=True)
class _List:
    ordered: bool
    list_id: int
    start: int
    count: int = 0
    pending: bool = False  # the current item has not had its first paragraph yet


class _Walker:
    def __init__(self, where: str = "document") -> None:
        self.where = where
        self.table_line = 0
        self.blocks: list[Block] = []
        self.lists: list[_List] = []
        self.quote = 0
        self.seen_title = False
        self.next_list_id = 1
        self.table: Table | None = None
        self.row: list[list[Span]] | None = None
        self.cell_align: str | None = None

    def walk(self, tokens) -> list[Block]:
        for i, tok in enumerate(tokens):
            t = tok.type
            if t == "inline":
                self._inline(tokens[i - 1] if i else None, tok)
            elif t in ("bullet_list_open", "ordered_list_open"):
                start = _int(tok.attrs.get("start"), 1)
                self.lists.append(_List(t == "ordered_list_open", self.next_list_id, start))
                self.next_list_id += 1
            elif t in ("bullet_list_close", "ordered_list_close"):
                self.lists.pop()
            elif t == "list_item_open":
                self.lists[-1].count += 1
                self.lists[-1].pending = True
            elif t == "list_item_close" and self.lists[-1].pending:
                self._para([])  # an empty item still shows its bullet
            elif t == "blockquote_open":
                self.quote += 1
            elif t == "blockquote_close":
                self.quote -= 1
            elif t in ("fence", "code_block"):
                self._code(tok.content)
            elif t == "html_block":
                if _PAGEBREAK.fullmatch(tok.content.strip()):
                    self.blocks.append(Para("pagebreak", []))
            elif t == "hr":
                self.blocks.append(Para("rule", []))
            elif t == "table_open":
                self.table = Table([], 0)
                self.table_line = tok.map[0] + 1 if tok.map else 0
            elif t == "table_close":
                assert self.table is not None  # markdown-it nests a table's tokens inside table_open/close
                self.blocks.append(self.table)
                self.table = None
            elif t == "tr_open":
                self.row = []
            elif t == "tr_close":
                assert self.table is not None and self.row is not None
                self.table.rows.append(self.row)
                if len(self.table.rows) - self.table.header_rows > MAX_TABLE_ROWS:
                    at = f" (Markdown line {self.table_line})" if self.table_line else ""
                    raise DocumentTooLarge(f"{self.where}: a table{at} has more than {MAX_TABLE_ROWS:,} rows, "
                                           "too many to convert to Word",
                                           hint="split the table, or shorten the list of answers that fills it")
            elif t == "thead_close":
                assert self.table is not None
                self.table.header_rows = len(self.table.rows)
            elif t in ("th_open", "td_open"):
                style = tok.attrs.get("style") or ""
                self.cell_align = style.partition(":")[2] or None
        return self.blocks

    def _inline(self, opener, tok) -> None:
        spans = inline_spans(tok.children or [])
        kind = opener.type if opener is not None else ""
        if kind == "heading_open":
            level = _int(opener.tag[1:], 1)
            if level == 1 and not self.seen_title:
                self.seen_title = True
                self.blocks.append(Para("title", spans, level=1))
            else:
                self.blocks.append(Para("heading", spans, level=level))
        elif kind in ("th_open", "td_open") and self.row is not None and self.table is not None:
            self.row.append(spans)
            if len(self.table.aligns) < len(self.row):
                self.table.aligns.append(self.cell_align)
        else:
            self._para(spans)

    def _para(self, spans: list[Span]) -> None:
        if self.lists:
            lst = self.lists[-1]
            depth = len(self.lists)
            if lst.pending:
                lst.pending = False
                role = "number" if lst.ordered else "bullet"
                number = lst.start + lst.count - 1
                self.blocks.append(Para(role, spans, depth, lst.list_id, number, lst.start))
            else:
                self.blocks.append(Para("continue", spans, depth))
        else:
            self.blocks.append(Para("quote" if self.quote else "body", spans))

    def _code(self, content: str) -> None:
        spans: list[Span] = []
        for n, line in enumerate(content.rstrip("\n").split("\n")):
            if n:
                spans.append(Span("br"))
            spans.append(Span("text", line.replace("\t", "    "), CODE))
        if self.lists and self.lists[-1].pending:
            self._para(spans)
        else:
            self.blocks.append(Para("code", spans, level=len(self.lists)))


def _int(value, default: int) -> int:
    try:
        return max(0, min(int(value), 10**6))
    except (TypeError, ValueError):
        return default


def inline_spans(children) -> list[Span]:
    """Flatten inline tokens into formatted spans; nesting is tracked by counters, not a tree."""
    spans: list[Span] = []
    depth = {BOLD: 0, ITALIC: 0, STRIKE: 0}
    hrefs: list[str | None] = []

    def flags() -> int:
        return sum(f for f, n in depth.items() if n > 0)

    joinable = False  # the previous token was text: join, as markdown-it's text_join would
    for tok in children:
        t = tok.type
        if t in ("text", "text_special"):
            if tok.content:
                href = hrefs[-1] if hrefs else None
                if t == "text_special" and tok.info == "escape" and tok.content == "[":
                    spans.append(Span("text", "[", flags(), href, ESCAPED))
                elif joinable and spans[-1].kind == "text" and not spans[-1].item:
                    spans[-1] = replace(spans[-1], text=spans[-1].text + tok.content)
                else:
                    spans.append(Span("text", tok.content, flags(), href))
            joinable = bool(spans) and spans[-1].kind == "text" and not spans[-1].item
            continue
        joinable = False
        if t == "softbreak":
            spans.append(Span("text", " ", flags(), hrefs[-1] if hrefs else None))
        elif t == "hardbreak":
            spans.append(Span("br"))
        elif t == "code_inline":
            spans.append(Span("text", tok.content, flags() | CODE, hrefs[-1] if hrefs else None))
        elif t.endswith("_open") or t.endswith("_close"):
            flag = {"strong": BOLD, "em": ITALIC, "s": STRIKE}.get(t.rpartition("_")[0])
            if flag:
                depth[flag] += 1 if t.endswith("_open") else -1
            elif t == "link_open":
                hrefs.append(tok.attrs.get("href") or None)
            elif t == "link_close" and hrefs:
                hrefs.pop()
        elif t == "image":
            alt = "".join(c.content for c in (tok.children or []))
            src, title = tok.attrs.get("src") or "", tok.attrs.get("title") or ""
            spans.append(Span("img", alt, flags(), None, str(src), str(title)))
        elif t == "html_inline" and _BR.fullmatch(tok.content.strip()):
            spans.append(Span("br"))
    return _unmark_escapes(_mark_placeholders(spans))


ESCAPED = "\\"  # item of a text span holding a bracket the Markdown escaped: it can open no placeholder


def _is_text(span: Span) -> bool:
    return span.kind == "text" and not span.flags & CODE and span.item != ESCAPED


def _unmark_escapes(spans: list[Span]) -> list[Span]:
    """Escaped brackets back into ordinary text, joined with their neighbours (one run, not three)."""
    if not any(s.item == ESCAPED for s in spans):
        return spans
    out: list[Span] = []
    glue = False  # out[-1] took in an escaped bracket: the text after it joins it too
    for span in spans:
        escaped = span.item == ESCAPED
        if escaped:
            span = replace(span, item="")
        if (escaped or glue) and span.kind == "text" and not span.item and out and out[-1].kind == "text" \
                and not out[-1].item and out[-1].flags == span.flags and out[-1].href == span.href:
            out[-1] = replace(out[-1], text=out[-1].text + span.text)
            glue = escaped or glue
            continue
        out.append(span)
        glue = escaped
    return out


def _mark_placeholders(spans: list[Span]) -> list[Span]:
    """Cut spans at placeholder boundaries; each placeholder becomes one `ph` span."""
    joined = "".join(s.text if _is_text(s) else "\x00" for s in spans)
    matches = list(PLACEHOLDER.finditer(joined))
    if not matches:
        return spans
    out: list[Span] = []
    pos = mi = 0
    for span in spans:
        start = pos
        end = pos = start + (len(span.text) if _is_text(span) else 1)
        if not _is_text(span):
            out.append(span)
            continue
        cur = start
        while cur < end:
            while mi < len(matches) and matches[mi].end() <= cur:
                mi += 1
            if mi == len(matches) or matches[mi].start() >= end:
                out.append(replace(span, text=span.text[cur - start:]))
                break
            m = matches[mi]
            if m.start() > cur:
                out.append(replace(span, text=span.text[cur - start:m.start() - start]))
                cur = m.start()
            if m.start() == cur:
                item = " ".join(m.group(1).split())
                out.append(Span("ph", "[TO CONFIRM: " + item + "]", span.flags, span.href, item))
            cur = min(end, m.end())
    return out


@dataclass
class StyleSheet:
    """What the body needs from a document's styles, resolved once per document."""

    ids: dict[tuple[str, str], str]  # (type, English UI name) -> style id
    numbering: dict[str, tuple[int, int]]  # paragraph style id -> (numId, ilvl) of its list

    def first(self, *names: str, kind: str = "paragraph") -> str | None:
        return next((self.ids[(kind, n)] for n in names if (kind, n) in self.ids), None)

    def leveled(self, base: str, level: int) -> str | None:
        """`List Bullet 2` for level 2, falling back to shallower levels a template lacks."""
        return self.first(*(f"{base} {n}" if n > 1 else base for n in range(min(max(level, 1), 3), 0, -1)))


def esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _rpr(flags: int, *, color: str = "", highlight: bool = False, underline: bool = False) -> str:
    """Run properties, in the element order the schema (and so Word) insists on."""
    parts = ['<w:rFonts w:ascii="Consolas" w:hAnsi="Consolas" w:cs="Consolas"/>' if flags & CODE else "",
             "<w:b/><w:bCs/>" if flags & BOLD else "", "<w:i/><w:iCs/>" if flags & ITALIC else "",
             "<w:strike/>" if flags & STRIKE else "", f'<w:color w:val="{color}"/>' if color else "",
             '<w:sz w:val="20"/><w:szCs w:val="20"/>' if flags & CODE else "",
             '<w:highlight w:val="yellow"/>' if highlight else "", '<w:u w:val="single"/>' if underline else ""]
    inner = "".join(parts)
    return f"<w:rPr>{inner}</w:rPr>" if inner else ""


def _ppr(style: str | None, *, numpr: str = "", border: bool = False, shade: bool = False,
         spacing: str = "", ind: str = "", jc: str | None = None, outline: int | None = None,
         keep: bool = False, lines: bool = False, tabs: str = "") -> str:
    """Paragraph properties, in schema order. `keep` keeps the paragraph on the page of the next one
    (headings, a signature block's rows), `lines` keeps its own lines together."""
    parts = [f'<w:pStyle w:val="{style}"/>' if style else "", "<w:keepNext/>" if keep else "",
             "<w:keepLines/>" if lines else "", numpr,
             '<w:pBdr><w:bottom w:val="single" w:sz="6" w:space="1" w:color="A6A6A6"/></w:pBdr>' if border else "",
             '<w:shd w:val="clear" w:color="auto" w:fill="F2F2F2"/>' if shade else "", tabs, spacing, ind,
             f'<w:jc w:val="{jc}"/>' if jc in ("left", "center", "right") else "",
             f'<w:outlineLvl w:val="{outline}"/>' if outline is not None else ""]
    inner = "".join(parts)
    return f"<w:pPr>{inner}</w:pPr>" if inner else ""


# Layout a reviewer expects (twips: 1/1440 inch).
SIGNATURE_ROW_TWIPS = 720  # half an inch: room to sign by hand
FILL_IN_ROW_TWIPS = 480  # a third of an inch: a name or a date written by hand
SHORT_TABLE_ROWS = 12  # header included: a table this short never splits over a page
SHORT_CELL_CHARS = 12  # a cell this short ("Not met", "In writing") is kept on one line
TOC_MIN_CHARS = 12_000  # visible characters, about five pages: longer documents get a table of contents
TOC_MIN_HEADINGS = 4
TOC_LEVELS = (2, 3)  # Markdown heading levels listed; the title (level 1) is not
# Bookmarks, comments and tracked changes share one id space in WordprocessingML; bookmarks start far above.
BOOKMARK_ID_BASE = 1 << 20
_SIGNING_SECTION = re.compile(r"signature|sign-off|\bapprov", re.IGNORECASE)
_SIGNING_ROW = re.compile(r"signature|\bsigned\b", re.IGNORECASE)
CELL_MARGIN_TWIPS = 108  # Word's default left and right cell margin


def plain_text(spans: list[Span]) -> str:
    return "".join(s.text for s in spans if s.kind in ("text", "ph"))


def text_width_twips(text: str, *, bold: bool = False, size_pt: float = 11) -> int:
    """How wide `text` sets in Calibri (or its metric twin Carlito) at `size_pt`: per-character
    widths in thousandths of an em, rounded up, so a column sized by it holds the word on one line."""
    em = 0
    for ch in text:
        em += _CHAR_EM.get(ch, 560 if ch.isupper() else 620 if not ch.isascii() else 500)
    twips = em * size_pt * 20 / 1000
    return int(twips * (1.06 if bold else 1.0)) + 1


# Calibri's advance widths (thousandths of an em), rounded up; a character not listed counts as wide.
_CHAR_EM = {**{c: 230 for c in "fijlrtI!|.,:;'()[]{} "}, **{c: 510 for c in "0123456789"},
            **{c: 530 for c in "abcdeghknopqsuvxyz#$?_"}, **{c: 860 for c in "mwMW%@"},
            **{c: 660 for c in "ABCDEFGHJKLNOPQRSTUVXYZ&"}, "-": 310, "/": 390, "§": 500, "☐": 900}


class BodyWriter:
    """Blocks -> one WordprocessingML string. Placeholders get their comment anchors here (ids
    from `first_comment_id`), one comment per distinct open item; pictures get an `m:img` marker run
    for python-docx to fill in. A long document gets a table of contents field after its preamble."""

    def __init__(self, styles: StyleSheet, text_width: int, *, link_id: Callable[[str], str],
                 restart_list: Callable[[int, int, int], int | None], first_comment_id: int = 0,
                 comment_style: str = "CommentReference", toc: bool | None = None) -> None:
        self.styles, self.text_width, self.first_comment_id = styles, text_width, first_comment_id
        self.link_id, self.restart_list = link_id, restart_list
        self.comment_style = comment_style
        self.toc = toc  # None: when the document is long enough (TOC_MIN_CHARS, TOC_MIN_HEADINGS)
        self.open_items: list[str] = []  # every occurrence, in order
        self.comments: list[tuple[int, str, int]] = []  # (comment id, open item, how often it occurs)
        self._comment_of: dict[str, int] = {}  # open item -> index in self.comments
        self.images: list[tuple[str, str, str, float]] = []
        self.has_toc = False
        self._nums: dict[int, int | None] = {}  # list id -> numId restarting at the list's start
        self._rpr_cache: dict[tuple, str] = {}
        self._bookmarks = 0
        self._toc_marks: dict[int, tuple[str, int]] = {}  # id(heading Para) -> its bookmark's name and id
        s = self.styles
        self.title_style = s.first("Title", "Heading 1")
        self.quote_style = s.first("Quote", "Intense Quote")
        self.table_style = s.first("Table Grid", kind="table")

    def write(self, blocks: list[Block]) -> str:
        keep, signing = self._signature_blocks(blocks)
        toc_at = self._toc_position(blocks)
        out: list[str] = []
        for n, b in enumerate(blocks):
            if n == toc_at:
                out.append(self._toc(blocks[n:]))
            if isinstance(b, Table):
                out.append(self._table(b, signing=n in signing))
            else:
                out.append(self._para(b, keep=n in keep))
        return "".join(out) or "<w:p/>"

    # ------------------------------------------------------------ signature blocks and contents

    def _signature_blocks(self, blocks: list[Block]) -> tuple[set[int], set[int]]:
        """Which tables are signature blocks (their section's heading says so, or a header cell
        asks for a signature), and which paragraphs lead into one and so stay on its page. (A lead-in
        such as "Supervisors will:" is not kept with its list: LibreOffice then left the heading above
        it alone at the foot of the page.)"""
        keep: set[int] = set()
        signing: set[int] = set()
        section = ""
        for n, b in enumerate(blocks):
            if isinstance(b, Para):
                if b.role in ("title", "heading"):
                    section = plain_text(b.spans)
                continue
            header = " ".join(plain_text(c) for row in b.rows[:b.header_rows] for c in row)
            if _SIGNING_SECTION.search(section) or "signature" in header.lower():
                signing.add(n)
                m = n - 1
                while m >= 0 and isinstance(prev := blocks[m], Para) and prev.role not in ("pagebreak", "rule"):
                    keep.add(m)
                    if prev.role in ("title", "heading"):
                        break
                    m -= 1
        return keep, signing

    def _toc_position(self, blocks: list[Block]) -> int | None:
        listed = [b for b in blocks if isinstance(b, Para) and b.role == "heading" and b.level in TOC_LEVELS]
        wanted = self.toc
        if wanted is None:
            chars = sum(len(plain_text(b.spans)) if isinstance(b, Para)
                        else sum(len(plain_text(c)) for row in b.rows for c in row) for b in blocks)
            wanted = chars >= TOC_MIN_CHARS and len(listed) >= TOC_MIN_HEADINGS
        if not wanted or not listed:
            return None
        for heading in listed:
            bid = self._next_bookmark()
            self._toc_marks[id(heading)] = (f"_Toc{bid}", bid)
        return next(n for n, b in enumerate(blocks) if isinstance(b, Para) and b.role == "heading")

    def _toc(self, blocks: list[Block]) -> str:
        """A real TOC field, which Word fills in with page numbers as it opens the file (settings'
        updateFields; References > Update Table later). Its stored result lists the headings, each
        linked to its bookmark, without page numbers: LibreOffice shows that result as it is (it does
        not compute a PAGEREF inside a TOC), and dot leaders ending in no number would look broken."""
        self.has_toc = True
        heading_style = self.styles.first("TOC Heading")
        out = [f"<w:p>{_ppr(heading_style, keep=True, outline=None if heading_style else 9)}"
               f"{self._run('Contents', 0 if heading_style else BOLD)}</w:p>"]
        entries = [b for b in blocks if isinstance(b, Para) and id(b) in self._toc_marks]
        for n, b in enumerate(entries):
            mark = self._toc_marks[id(b)][0]
            style = self.styles.first(f"toc {b.level}", f"TOC {b.level}")
            ind = "" if style else f'<w:ind w:left="{220 * (b.level - TOC_LEVELS[0])}"/>'
            last = n == len(entries) - 1
            # The field ends in the last entry's paragraph: an empty paragraph after it made LibreOffice
            # push the first heading to the next page.
            spacing = '<w:spacing w:after="240"/>' if last else "" if style else '<w:spacing w:after="60"/>'
            begin = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> TOC '
                     f'\\o "{TOC_LEVELS[0]}-{TOC_LEVELS[-1]}" \\h \\z \\u </w:instrText></w:r>'
                     '<w:r><w:fldChar w:fldCharType="separate"/></w:r>') if n == 0 else ""
            end = '<w:r><w:fldChar w:fldCharType="end"/></w:r>' if last else ""
            out.append(f'<w:p>{_ppr(style, ind=ind, spacing=spacing)}{begin}<w:hyperlink w:anchor="{mark}" '
                       f'w:history="1">{self._run(" ".join(plain_text(b.spans).split()), 0)}</w:hyperlink>{end}</w:p>')
        return "".join(out)

    def _next_bookmark(self) -> int:
        self._bookmarks += 1
        return BOOKMARK_ID_BASE + self._bookmarks

    # ------------------------------------------------------------ paragraphs

    def _para(self, p: Para, keep: bool = False) -> str:
        role, prefix, ppr = p.role, "", ""
        if role == "pagebreak":
            return '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'
        if role == "rule":
            return "<w:p>" + _ppr(None, border=True, spacing='<w:spacing w:after="120"/>') + "</w:p>"
        # The outline level makes the title the level-1 heading that screen readers and Word's navigation
        # pane start from (Word's Title style has none), and keeps heading levels right when a reference
        # document lacks a deeper Heading style. Headings stay with the paragraph after them.
        if role == "title":
            ppr = _ppr(self.title_style, outline=0, keep=True, lines=True)
        elif role == "heading":
            ppr = _ppr(self.styles.first(*(f"Heading {n}" for n in range(p.level, 0, -1))),
                       outline=min(max(p.level, 1), 9) - 1, keep=True, lines=True)
        elif role in ("bullet", "number"):
            ppr, prefix = self._list_ppr(p, keep)
        elif role == "continue":
            style = self.styles.leveled("List Continue", p.level)
            ppr = _ppr(style, ind="" if style else f'<w:ind w:left="{360 * p.level + 360}"/>', keep=keep)
        elif role == "quote":
            ppr = _ppr(self.quote_style, ind="" if self.quote_style else '<w:ind w:left="720" w:right="720"/>',
                       keep=keep)
        elif role == "code":
            ppr = _ppr(None, shade=True, spacing='<w:spacing w:after="120" w:line="240" w:lineRule="auto"/>',
                       ind=f'<w:ind w:left="{360 * p.level}"/>' if p.level else "", keep=keep)
        elif len(p.spans) == 1 and p.spans[0].kind == "img":
            ppr = _ppr(None, jc="center", keep=keep)
        elif keep:
            ppr = _ppr(None, keep=True)
        flags = ITALIC if role == "quote" and not self.quote_style else 0
        runs = (self._run(prefix, 0) if prefix else "") + self._runs(p.spans, IMAGE_WIDTH_CM, flags)
        mark = self._toc_marks.get(id(p))
        if mark:
            runs = f'<w:bookmarkStart w:id="{mark[1]}" w:name="{mark[0]}"/>{runs}<w:bookmarkEnd w:id="{mark[1]}"/>'
        return f"<w:p>{ppr}{runs}</w:p>"

    def _list_ppr(self, p: Para, keep: bool = False) -> tuple[str, str]:
        """Real Word numbering when the style has it; otherwise a literal bullet/number, so a
        reference document without list numbering still reads right."""
        style = self.styles.leveled("List Number" if p.role == "number" else "List Bullet", p.level)
        numbering = self.styles.numbering.get(style) if style else None
        if numbering and p.role == "number":
            num_id = self._restarting_num(p, *numbering)
            if num_id:
                return _ppr(style, keep=keep, numpr=f'<w:numPr><w:ilvl w:val="{numbering[1]}"/>'
                                                    f'<w:numId w:val="{num_id}"/></w:numPr>'), ""
        elif numbering:
            return _ppr(style, keep=keep), ""
        left = 360 * p.level + 360
        prefix = f"{p.number}.\t" if p.role == "number" else "•\t"
        return _ppr(None, ind=f'<w:ind w:left="{left}" w:hanging="360"/>', spacing='<w:spacing w:after="60"/>',
                    keep=keep), prefix

    def _restarting_num(self, p: Para, num_id: int, ilvl: int) -> int | None:
        if p.list_id not in self._nums:
            self._nums[p.list_id] = self.restart_list(num_id, ilvl, p.start)
        return self._nums[p.list_id]

    def _run(self, text: str, flags: int, **kw) -> str:
        key = (flags, *kw.items())
        rpr = self._rpr_cache.get(key)
        if rpr is None:
            rpr = self._rpr_cache[key] = _rpr(flags, **kw)
        text = esc(text)
        if "\t" in text:  # Word wants tabs as elements, not characters
            text = text.replace("\t", '</w:t><w:tab/><w:t xml:space="preserve">')
        return f'<w:r>{rpr}<w:t xml:space="preserve">{text}</w:t></w:r>'

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
                out.append(f'<w:hyperlink r:id="{self.link_id(href)}" w:history="1">{inner}</w:hyperlink>')
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
            return self._placeholder(s, extra, link)
        self.images.append((s.item, s.text, s.title, image_cm))
        return '<w:r m:img="1"/>'

    def _placeholder(self, s: Span, extra: int, link: bool) -> str:
        """The first mention of an open item carries its comment (and a bookmark); a later mention is
        highlighted the same and links to the first, so a reviewer answers each item once."""
        run = self._run(s.text, s.flags | extra | BOLD, highlight=True)
        if s.item.strip(". …") == "" and s.item:  # `[TO CONFIRM: ...]` explains the notation
            return run
        self.open_items.append(s.item)
        known = self._comment_of.get(s.item)
        if known is not None:
            cid, item, count = self.comments[known]
            self.comments[known] = (cid, item, count + 1)
            if link:  # already inside a hyperlink: a link cannot hold another
                return run
            return (f'<w:hyperlink w:anchor="_OpenItem{cid}" w:tooltip="Open item: see the comment at its first '
                    f'mention" w:history="1">{run}</w:hyperlink>')
        cid = self.first_comment_id + len(self.comments)
        self._comment_of[s.item] = len(self.comments)
        self.comments.append((cid, s.item, 1))
        bid = self._next_bookmark()
        return (f'<w:bookmarkStart w:id="{bid}" w:name="_OpenItem{cid}"/><w:commentRangeStart w:id="{cid}"/>{run}'
                f'<w:commentRangeEnd w:id="{cid}"/><w:bookmarkEnd w:id="{bid}"/><w:r><w:rPr>'
                f'<w:rStyle w:val="{self.comment_style}"/></w:rPr><w:commentReference w:id="{cid}"/></w:r>')

    # ------------------------------------------------------------ tables

    def _table(self, t: Table, signing: bool = False) -> str:
        """Rows never split over a page, a header row stays with the first row under it, a short table
        and a signature block stay whole on one page, and signature rows are tall enough to sign in."""
        ncols = max([1, *(len(r) for r in t.rows)])
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
        header_signs = any("signature" in plain_text(c).lower() for row in t.rows[:t.header_rows] for c in row)
        last = len(t.rows) - 1
        # A short table is kept whole on one page (each row kept with the next): a reader never turns
        # the page in the middle of a timeline, and LibreOffice 7.4 does not drop the rows it would
        # have carried over (it printed only the header and first row of the prosecutor protocol's
        # timeline when that table met a page break).
        short = len(t.rows) <= SHORT_TABLE_ROWS
        for r, row in enumerate(t.rows):
            header = r < t.header_rows
            height = 0
            if not header:
                texts = [plain_text(row[c]).strip() if c < len(row) else "" for c in range(ncols)]
                blank = any(not x and not (c < len(row) and any(s.kind == "img" for s in row[c]))
                            for c, x in enumerate(texts))
                if blank and (header_signs or _SIGNING_ROW.search(" ".join(texts))):
                    height = SIGNATURE_ROW_TWIPS
                elif blank and signing:
                    height = FILL_IN_ROW_TWIPS
            rule = f'<w:trHeight w:val="{height}" w:hRule="atLeast"/>' if height else ""
            out.append(f"<w:tr><w:trPr><w:cantSplit/>{rule}" + ("<w:tblHeader/>" if header else "") + "</w:trPr>")
            keep = (header or signing or short) and r < last
            for c in range(ncols):
                spans = row[c] if c < len(row) else []
                align = t.aligns[c] if c < len(t.aligns) else None
                shade = '<w:shd w:val="clear" w:color="auto" w:fill="E7E6E6"/>' if header else ""
                ppr = _ppr(None, spacing='<w:spacing w:before="40" w:after="40" w:line="240" w:lineRule="auto"/>',
                           jc=align, keep=keep)
                runs = self._runs(spans, widths[c] / 567 - 0.4, BOLD if header else 0)
                out.append(f'<w:tc><w:tcPr><w:tcW w:w="{widths[c]}" w:type="dxa"/>{shade}</w:tcPr>'
                           f"<w:p>{ppr}{runs}</w:p></w:tc>")
            out.append("</w:tr>")
        # An empty, small paragraph keeps the next paragraph (or table) off the table's bottom line.
        out.append('</w:tbl><w:p><w:pPr><w:spacing w:after="0"/><w:rPr><w:sz w:val="12"/></w:rPr></w:pPr></w:p>')
        return "".join(out)

    def _column_widths(self, t: Table, ncols: int) -> list[int]:
        """Share the text width by each column's longest cell (capped, so one long sentence doesn't
        starve the others). No column is narrower than its longest word (set bold in a header cell),
        so no word breaks in the middle, and a column left empty for filling in (signature, date)
        gets room to write."""
        weights, mins = [4] * ncols, [0] * ncols
        filled = [False] * ncols
        body_chars, body_rows = [0] * ncols, max(1, len(t.rows) - t.header_rows)
        for r, row in enumerate(t.rows):
            header = r < t.header_rows
            for c, spans in enumerate(row[:ncols]):
                text = "".join(s.text for s in spans if s.kind != "img")
                has_image = any(s.kind == "img" for s in spans)
                weights[c] = max(weights[c], min(len(text), 40) + (20 if has_image else 0))
                if not header:
                    body_chars[c] += len(text)
                words = text.split()
                if text.lstrip().startswith("☐") or len(text) <= SHORT_CELL_CHARS:
                    words = [" ".join(words)]  # check boxes with their labels ("☐ Yes ☐ No"), a short status ("Not met"): one line
                if words:
                    widest = max(text_width_twips(w, bold=header or any(s.flags & BOLD or s.kind == "ph"
                                                                         for s in spans)) for w in words)
                    mins[c] = max(mins[c], widest)
                filled[c] = filled[c] or (not header and (bool(text.strip()) or has_image))
        # A column of long text in most rows (a checklist's requirements) gets up to twice the share of
        # one whose longest cell is a short sentence: weight by the average cell too, capped at 80.
        weights = [max(w, min(body_chars[c] // body_rows, 80)) for c, w in enumerate(weights)]
        if len(t.rows) > t.header_rows:
            weights = [w if filled[c] else max(w, 25) for c, w in enumerate(weights)]
        # The longest word plus the cell's margins and a little slack; a column never takes more than
        # half the width for one word (a long web address wraps instead).
        mins = [min(m + 2 * CELL_MARGIN_TWIPS + 60, self.text_width // 2) for m in mins]
        if sum(mins) >= self.text_width:
            scale = self.text_width / sum(mins)
            return [int(m * scale) for m in mins]
        # Share by weight; a column whose share is below its minimum gets the minimum, and the rest is
        # shared again among the others, until every column has at least its minimum.
        widths = [0] * ncols
        free = list(range(ncols))
        room = self.text_width
        while True:
            total = sum(weights[c] for c in free)
            short = [c for c in free if room * weights[c] / total < mins[c]]
            if not short:
                for c in free:
                    widths[c] = int(room * weights[c] / total)
                return widths
            for c in short:
                widths[c] = mins[c]
                room -= mins[c]
                free.remove(c)
