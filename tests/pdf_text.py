"""What a PDF made by LibreOffice says, in a form that does not depend on the fonts installed.

Which fonts a machine has decides where lines wrap and how many pages a document takes, so tests
compare words, not lines: `words` joins the whole text with single spaces (a phrase split over two
lines still reads as one), and `page_count` is read from the PDF itself, to check "Page N of M"
against the real M. `only_fonts` makes a fontconfig file that offers LibreOffice one font folder,
to show that a check holds with fonts other than the ones CI installs.
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path


def words(pdf: Path) -> str:
    """The PDF's text with every run of white space (line ends and page breaks included) one space."""
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, timeout=120,
                          check=True).stdout
    return re.sub(r"\s+", " ", text).strip()


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, timeout=60, check=True).stdout
    return int(next(line.split()[1] for line in info.splitlines() if line.startswith("Pages:")))


def only_fonts(folder: Path, tmp: Path) -> dict[str, str]:
    """Environment variables under which fontconfig (so LibreOffice) sees only the fonts in `folder`."""
    conf = tmp / "fonts.conf"
    conf.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
                    f"  <dir>{folder}</dir>\n  <cachedir>{tmp / 'fontconfig-cache'}</cachedir>\n</fontconfig>\n",
                    encoding="utf-8")
    return {"FONTCONFIG_FILE": str(conf)}
