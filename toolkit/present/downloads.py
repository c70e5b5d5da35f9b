"""Downloads for people who do not code: the chart on screen as PNG and SVG, the table behind
it as CSV, offered as links in the explorer (JupyterLab and Voilà alike).

Each file is an `<a download="…" href="data:…;base64,…">` inside an `ipywidgets.HTML`: the
bytes travel with the page, so a click saves them with no JavaScript, no server route and no
network. The links are rebuilt whenever the view on screen or its selection changes.

- **SVG**: the chart as the explorer shows it (vl-convert's SVG, hover titles included).
- **PNG**: that SVG rasterised by vl-convert at twice its size (for slides and documents),
  with the CJK font the explorer registered.
- **CSV**: `Views.table(view, selection)` with Chinese column names, UTF-8 with a byte-order
  mark so Excel opens the Chinese correctly.

File names are made from the selection only (adcode, view, indicator, body kind, peer
choices, years: ASCII), never from report text: `350128_trend_disclosure_rate_2019-2025.png`.
"""
from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass

import pandas as pd

from toolkit.present.explore import Selection, table_labels
from toolkit.spec.vocab import ALL_KINDS

PNG_SCALE = 2.0
"""PNG pixels per SVG pixel: sharp on slides and in print."""
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
CSV_ENCODING = "utf-8-sig"
"""UTF-8 with a byte-order mark: what Excel needs to read Chinese from a CSV."""
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class Download:
    """One file offered for download: its name, media type, bytes and link text."""

    filename: str
    mime: str
    payload: bytes
    label: str

    @property
    def href(self) -> str:
        """The file as a `data:` URI (what the link's href holds)."""
        return f"data:{self.mime};base64,{base64.b64encode(self.payload).decode('ascii')}"

    def link(self) -> str:
        """The link, styled as a button."""
        return (f'<a class="ogi-download ogi-download-{self.filename.rsplit(".", 1)[-1]}" '
                f'download="{html.escape(self.filename)}" href="{self.href}" '
                'style="display:inline-block;margin-right:8px;padding:3px 10px;'
                'border:1px solid #3b6ea5;border-radius:3px;color:#3b6ea5;'
                f'text-decoration:none;font-size:13px">{html.escape(self.label)}</a>')


def file_stem(sel: Selection, view: str) -> str:
    """The name of a view's files for a selection, ASCII only:
    `350128_trend_disclosure_rate_2019-2025`, `150000_peers_refusal_rate_government_own_level_2021`."""
    parts = [sel.adcode, view]
    if view in ("trend", "peers"):
        parts.append(sel.indicator)
    if sel.kind != ALL_KINDS:
        parts.append(sel.kind)
    if view == "peers":
        parts += [sel.peer_tier, sel.peer_group]
    if sel.years is not None:
        low, high = sel.years
        parts.append(f"{low}-{high}" if low != high else str(low))
    return _UNSAFE.sub("-", "_".join(str(p) for p in parts)).strip("-_.") or "chart"


def csv_bytes(table: pd.DataFrame) -> bytes:
    """A view's table as CSV with Chinese column names, UTF-8 with BOM (Excel-ready)."""
    return table_labels(table).to_csv(index=False).encode(CSV_ENCODING)


def png_bytes(svg: str, scale: float = PNG_SCALE) -> bytes:
    """An SVG from the explorer rasterised to PNG (the CJK font must be registered, as
    `toolkit.present.render.register_cjk_font` does before any chart is rendered)."""
    import vl_convert

    return bytes(vl_convert.svg_to_png(svg, scale=scale))


def downloads(stem: str, svg: str, table: pd.DataFrame, png: bytes | None = None
              ) -> list[Download]:
    """The three files of a view: PNG, SVG and CSV (`png` when already made)."""
    return [
        Download(f"{stem}.png", "image/png", png if png is not None else png_bytes(svg),
                 "下载图表 PNG"),
        Download(f"{stem}.svg", "image/svg+xml", svg.encode("utf-8"), "下载图表 SVG"),
        Download(f"{stem}.csv", "text/csv;charset=utf-8", csv_bytes(table), "下载数据 CSV"),
    ]


def links_html(files: list[Download]) -> str:
    """The download links in one line, with a note on what they hold."""
    if not files:
        return ""
    return ("<div class='ogi-downloads' style='margin:4px 0'>"
            "<span style='color:#666;font-size:12px;margin-right:8px'>当前图表:</span>"
            + "".join(f.link() for f in files)
            + "<span style='color:#666;font-size:12px'>(CSV为图表背后的数据,UTF-8编码,可用"
            "Excel打开)</span></div>")


__all__ = ["CSV_ENCODING", "PNG_MAGIC", "Download", "csv_bytes", "downloads", "file_stem",
           "links_html", "png_bytes"]
