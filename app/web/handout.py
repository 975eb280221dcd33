"""Handing out new invitation links: all of them as text to copy, as a CSV file, a QR code each.

A link is a secret, shown on the answer that made it and never again (the server keeps its
hash). So nothing here makes a request that carries one: the CSV file is a `data:` URL of
the page itself and each QR code an SVG `data:` URI (the CSP's `img-src data:`), and the
page that shows them is answered with `Cache-Control: no-store` (security/headers.py).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

import segno

from app.security.spreadsheet import safe_cell

# Excel reads a CSV file as UTF-8 only when it starts with a byte-order mark; without one,
# Armenian and Cyrillic names come out as mojibake.
BOM = "\ufeff"
# A module is 4 pixels and the quiet zone 4 modules: a phone camera reads it off a laptop
# screen or a printout, and a page of them stays small.
QR_SCALE = 4
QR_BORDER = 4


@dataclass(frozen=True)
class NewLink:
    """One new link as the page shows it: whose it is, and the link in every form."""

    invitation_id: int
    name: str  # the real name, or "" when the invitation has none
    role: object  # a SeatRole, shown through `label`
    community: str  # the community's label in the page's language, or ""
    language: str  # the language the link opens in, or "" (the person chooses)
    link: str
    qr: str  # an SVG data URI
    qr_size: int  # its width and height in CSS pixels


def qr_code(link: str) -> tuple[str, int]:
    """The link as a QR code in an SVG data URI, black on white for any theme, and its size
    in pixels (a longer address needs more modules)."""
    code = segno.make(link, error="m")
    width, _height = code.symbol_size(scale=QR_SCALE, border=QR_BORDER)
    return str(code.svg_data_uri(scale=QR_SCALE, border=QR_BORDER, dark="#000", light="#fff")), int(width)


def copy_text(links: Sequence[NewLink]) -> str:
    """What "Copy all links" copies: one person a line, their name (if any) before their link."""
    return "\n".join(f"{row.name} — {row.link}" if row.name else row.link for row in links)


def links_csv(links: Sequence[NewLink], headings: Sequence[str]) -> str:
    """The links as a CSV file's text: a heading line, then name, community, language, link.
    No cell can run as a formula in a spreadsheet (a name may start with = or +)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(heading) for heading in headings])
    for row in links:
        writer.writerow([safe_cell(cell) for cell in (row.name, row.community, row.language, row.link)])
    return BOM + out.getvalue()


def csv_data_url(text: str) -> str:
    """A CSV file's text as a `data:` URL for a download link (percent-encoded UTF-8)."""
    return "data:text/csv;charset=utf-8," + quote(text, safe="")
