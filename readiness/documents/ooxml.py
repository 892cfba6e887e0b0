"""The WordprocessingML names shared by the modules that edit or read a built DOCX with lxml
(redline.py, review.py): the main namespace `W`, a tag in it (`w("p")` is `{W}p`) and the local
name of an element (comments and processing instructions have none).
"""
from __future__ import annotations

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def w(tag: str) -> str:
    """The Clark name of a WordprocessingML tag: w("p") is "{W}p"."""
    return f"{{{W}}}{tag}"


def local(el) -> str:
    """The local name of an element's tag ("p" for w:p); "" for a comment or processing instruction."""
    return etree.QName(el).localname if isinstance(el.tag, str) else ""
