"""Charts to SVG for the explorer and for files: CJK fonts, tooltips, a render cache, export.

vl-convert renders a chart's Vega-Lite spec to SVG offline and gives the same bytes every
run. Here it is given the machine's CJK font once (`register_cjk_font`), and a small subset
of that font for measuring text fast (`measure_font`); each mark's description becomes an
SVG <title>, a hover tooltip without JavaScript; `SvgRenderer` keeps recent results, and
`export_chart` writes .svg or .png for a report or a slide.
"""
from __future__ import annotations

import html
import json
import os
import re
from collections import OrderedDict
from pathlib import Path

import altair as alt

from toolkit.analysis.indicators import INDICATORS
from toolkit.present import charts

_FONTS_REGISTERED = False
_MEASURE_TRIED = False
_MEASURE_FAMILY: str | None = None
_TOOLTIP = re.compile(r'<(path|circle|rect|line|text|symbol)\b([^>]*?)\saria-label="([^"]*)"'
                      r'([^>]*?)(/>|>)')
_HIDDEN_FIELDS = re.compile(r"(?:^|; )(?:order|selected|small|low|high): [^;]*")


def register_cjk_font(fast: bool = True) -> str | None:
    """Give vl-convert the machine's CJK font once, so Chinese never renders as boxes.

    With `fast`, also register a small subset of the same font (see `measure_font`) and
    return its family name; None when only the full font is available.
    """
    global _FONTS_REGISTERED, _MEASURE_TRIED, _MEASURE_FAMILY
    import vl_convert

    if not _FONTS_REGISTERED:
        folder = charts.cjk_font_directory()
        if folder:
            vl_convert.register_font_directory(folder)
        _FONTS_REGISTERED = True
    if fast and not _MEASURE_TRIED:
        _MEASURE_TRIED = True
        try:
            subset = measure_font()
        except Exception:  # no fontTools, unreadable font, read-only cache: stay slow
            subset = None
        if subset is not None:
            vl_convert.register_font_directory(str(subset[0].parent))
            _MEASURE_FAMILY = subset[1]
    return _MEASURE_FAMILY if fast else None


def _font_characters() -> str:
    """Every character the explorer's charts can show: division names (titles, peer bars),
    template and indicator labels, the presentation modules' own strings, printable ASCII."""
    from toolkit.places.gazetteer import load_gazetteer

    chars = {chr(c) for c in range(32, 127)} | set("·—–…“”‘’、,。:;!?()【】《》%‰≥≤±×")
    for division in load_gazetteer().divisions.values():
        for name in (division.name, division.province, division.city):
            chars |= set(name or "")
    chars |= {c for i in INDICATORS for c in i.label}
    here = Path(__file__).parent
    for source in (*sorted(here.glob("*.py")), here.parent / "spec" / "template.toml",
                   here.parent / "spec" / "vocab.py", here.parent / "analysis" / "indicators.py"):
        if source.exists():
            chars |= set(source.read_text(encoding="utf-8"))
    return "".join(sorted(c for c in chars if c.isprintable()))


def measure_font(cache_dir: Path | None = None) -> tuple[Path, str] | None:
    """A subset of the CJK font holding the characters charts show, built once and cached.

    Why: vl-convert measures every text item by re-opening and parsing the font file, and
    Noto Sans CJK is a 19 MB collection, so text measurement dominated render time (about
    3× slower than with this 300 KB subset). Charts name the subset first and the full font
    after it: widths are the same glyphs' widths, characters outside the subset fall back
    to the full font, and the family is removed from the SVG again (`SvgRenderer`).
    Returns (file, family) or None when there is no CJK font or no fontTools.
    """
    folder = charts.cjk_font_directory()
    if folder is None:
        return None
    sources = sorted(p for p in Path(folder).rglob("*SansCJK*Regular*") if p.is_file())
    if not sources:
        return None
    source = sources[0]
    import hashlib

    from fontTools import subset as ft_subset
    from fontTools import version as ft_version
    from fontTools.ttLib import TTCollection, TTFont

    text = _font_characters()
    stat = source.stat()
    digest = hashlib.sha256(
        f"{source}|{stat.st_size}|{stat.st_mtime_ns}|{ft_version}|{charts.FONT}|{text}".encode()
    ).hexdigest()[:12]
    # letters only: a family token starting with a digit is not a valid CSS name, and the
    # measurer would silently fall back to estimating widths
    family = "OGI Measure " + "".join(chr(ord("a") + int(c, 16)) for c in digest)
    base = cache_dir or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    target = base / "ogi-toolkit" / "fonts" / digest / "measure.otf"
    if target.exists():
        return target, family
    if source.suffix.lower() == ".ttc":
        names = [f["name"].getDebugName(1) for f in TTCollection(str(source), lazy=True).fonts]
        if charts.FONT not in names:
            return None
        font = TTFont(str(source), fontNumber=names.index(charts.FONT), lazy=True)
    else:
        font = TTFont(str(source), lazy=True)
    options = ft_subset.Options()
    options.layout_features = []
    options.hinting = False
    options.notdef_outline = True
    options.name_IDs = [1, 2, 3, 4, 5, 6, 16, 17]
    subsetter = ft_subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    for record in font["name"].names:
        if record.nameID in (1, 16):
            record.string = family
        elif record.nameID == 4:
            record.string = f"{family} Regular"
        elif record.nameID == 6:
            record.string = family.replace(" ", "") + "-Regular"
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.tmp")
    font.save(str(partial))
    os.replace(partial, target)
    return target, family


def _with_tooltips(svg: str) -> str:
    """Turn each mark's aria description into an SVG <title>: a hover tooltip, no JavaScript."""
    def title(match: re.Match[str]) -> str:
        tag, before, label, after, end = match.groups()
        if 'role="graphics-symbol"' not in before + after:
            return match.group(0)
        text = _HIDDEN_FIELDS.sub("", html.unescape(label)).strip("; ")
        head = f'<{tag}{before} aria-label="{label}"{after}>'
        tip = f"<title>{html.escape(text, quote=False)}</title>"
        return head + tip + (f"</{tag}>" if end == "/>" else "")
    return _TOOLTIP.sub(title, svg)


class SvgRenderer:
    """Chart → SVG string through vl-convert, with tooltips; recent results kept (LRU)."""

    def __init__(self, cache_size: int = 64, fast: bool = True) -> None:
        self.cache_size = cache_size
        self.fast = fast
        self._cache: OrderedDict[str, str] = OrderedDict()

    def __call__(self, chart: alt.TopLevelMixin) -> str:
        import vl_convert

        family = register_cjk_font(self.fast)
        key = json.dumps(chart.to_dict(validate=False), sort_keys=True, ensure_ascii=False,
                         default=str)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        full = json.dumps(charts.FONT)
        spec = json.loads(key.replace(full, json.dumps(family)) if family else key)
        svg = vl_convert.vegalite_to_svg(spec)
        if family:
            svg = svg.replace(f'font-family="{family}"', f'font-family="{charts.FONT}"')
        svg = _with_tooltips(svg)
        if self.cache_size:
            self._cache[key] = svg
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return svg


def export_chart(chart: alt.TopLevelMixin, path: str | Path, scale: float = 2.0) -> Path:
    """Write a chart to .svg or .png with the CJK font (what a report or slide needs)."""
    import vl_convert

    register_cjk_font(fast=False)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    spec = chart.to_dict()
    if path.suffix.lower() == ".svg":
        path.write_text(vl_convert.vegalite_to_svg(spec), encoding="utf-8")
    elif path.suffix.lower() == ".png":
        path.write_bytes(vl_convert.vegalite_to_png(spec, scale=scale))
    else:
        raise ValueError(f"{path}: export to .svg or .png")
    return path


__all__ = ["SvgRenderer", "export_chart", "measure_font", "register_cjk_font"]
