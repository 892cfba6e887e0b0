"""Markdown -> a flat list of simple blocks, so the DOCX writer never sees markdown-it tokens.

Keeping parsing apart from writing lets the writer stay a straight loop over blocks (fast, easy to
read) and lets tests check the parsing without python-docx. Placeholders are found here, across
emphasis boundaries, so `[TO CONFIRM: *name*]` still becomes one open item.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

BOLD, ITALIC, CODE, STRIKE = 1, 2, 4, 8

# XML 1.0 forbids these; a DOCX containing one will not open, so they go before parsing.
_XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# \x00 marks non-text spans in the joined paragraph text, so a placeholder never spans one.
PLACEHOLDER = re.compile(r"\[\s*TO CONFIRM\s*:([^\]\n\x00]*)\]")
_PAGEBREAK = re.compile(r"<!--\s*pagebreak\s*-->", re.IGNORECASE)
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)


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
    role: str  # title | heading | body | quote | code | bullet | number | continue
    spans: list[Span]
    level: int = 0  # heading level, or list depth (1 = top level)
    list_id: int = 0  # one id per separate list, so ordered lists can restart numbering
    number: int = 0  # the item's number in an ordered list
    start: int = 1  # the list's first number
    align: str | None = None


@dataclass(slots=True)
class Table:
    rows: list[list[list[Span]]]
    header_rows: int
    aligns: list[str | None] = field(default_factory=list)


@dataclass(slots=True)
class Marker:
    kind: str  # pagebreak | rule


Block = Para | Table | Marker


def _parser():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table")


_MD = None


def parse_blocks(markdown_text: str) -> list[Block]:
    global _MD
    if _MD is None:
        _MD = _parser()
    return _Walker().walk(_MD.parse(xml_safe(markdown_text)))


@dataclass(slots=True)
class _List:
    ordered: bool
    list_id: int
    start: int
    count: int = 0
    pending: bool = False  # the current item has not had its first paragraph yet


class _Walker:
    def __init__(self) -> None:
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
                    self.blocks.append(Marker("pagebreak"))
            elif t == "hr":
                self.blocks.append(Marker("rule"))
            elif t == "table_open":
                self.table = Table([], 0)
            elif t == "table_close":
                self.blocks.append(self.table)
                self.table = None
            elif t == "tr_open":
                self.row = []
            elif t == "tr_close":
                self.table.rows.append(self.row)
            elif t == "thead_close":
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
        elif kind in ("th_open", "td_open") and self.row is not None:
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

    for tok in children:
        t = tok.type
        if t in ("text", "text_special"):
            if tok.content:
                spans.append(Span("text", tok.content, flags(), hrefs[-1] if hrefs else None))
        elif t == "softbreak":
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
    return _mark_placeholders(spans)


def _is_text(span: Span) -> bool:
    return span.kind == "text" and not span.flags & CODE


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
