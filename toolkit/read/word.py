"""Word documents: .docx read from its XML (fields, smart tags, tracked insertions kept,
merged cells shown once, list numbers as Word shows them), .doc through antiword or
LibreOffice when one is installed."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from toolkit.read.bounds import check_zip
from toolkit.read.document import CELL_SEP, Document, clean_cell_piece, is_layout_row
from toolkit.spec.errors import ReadError, UnsupportedFormat
from toolkit.spec.limits import DEFAULT_LIMITS, Limits

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_W_P, _W_TBL, _W_TR, _W_TC = _W + "p", _W + "tbl", _W + "tr", _W + "tc"
_W_SKIP = frozenset(
    {_W + "del", _W + "delText", _W + "instrText", _W + "pPr", _W + "rPr", _MC_FALLBACK}
)


_CHINESE_DIGITS = "零一二三四五六七八九"
_LEGAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_STEMS = "甲乙丙丁戊己庚辛壬癸"
_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"
_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def _chinese(n: int, digits: str = _CHINESE_DIGITS, ten: str = "十", hundred: str = "百",
             thousand: str = "千") -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五 (Word's chineseCounting)."""
    if n <= 0 or n >= 10000:
        return str(n)
    out, zero = "", False
    for unit, name in ((1000, thousand), (100, hundred), (10, ten), (1, "")):
        digit = n // unit % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += digits[0]
            zero = False
        out += ("" if unit == 10 and digit == 1 and not out else digits[digit]) + name
    return out


def _roman(n: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        while n >= value:
            out, n = out + letters, n - value
    return out


def _letters(n: int) -> str:
    """1 → A, 26 → Z, 27 → AA (Word repeats the letter)."""
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1) if n > 0 else str(n)


def _number_text(n: int, fmt: str) -> str:
    """A list counter as Word prints it in format `fmt` (w:numFmt)."""
    simple: dict[str, Callable[[int], str]] = {
        "decimal": str, "decimalZero": lambda v: f"{v:02d}", "upperRoman": _roman,
        "lowerRoman": lambda v: _roman(v).lower(), "upperLetter": _letters,
        "lowerLetter": lambda v: _letters(v).lower(), "none": lambda v: "",
        "chineseCounting": _chinese, "chineseCountingThousand": _chinese,
        "japaneseCounting": _chinese, "taiwaneseCounting": _chinese,
        "taiwaneseCountingThousand": _chinese,  # LibreOffice's for Word's 一、 via .doc
        "ideographDigital": lambda v: "".join("〇一二三四五六七八九"[int(d)] for d in str(v)),
        "chineseLegalSimplified": lambda v: _chinese(v, _LEGAL_DIGITS, "拾", "佰", "仟"),
        "ideographTraditional": lambda v: _STEMS[(v - 1) % 10],
        "ideographZodiac": lambda v: _BRANCHES[(v - 1) % 12],
        "decimalFullWidth": lambda v: str(v).translate({c: c + 0xFEE0 for c in range(48, 58)}),
        "decimalEnclosedCircle": lambda v: chr(0x2460 + v - 1) if 0 < v <= 20 else str(v),
        "decimalEnclosedCircleChinese": lambda v: chr(0x2460 + v - 1) if 0 < v <= 20 else str(v),
        "decimalEnclosedParen": lambda v: chr(0x2474 + v - 1) if 0 < v <= 20 else f"({v})",
        "decimalEnclosedFullstop": lambda v: chr(0x2488 + v - 1) if 0 < v <= 20 else f"{v}.",
    }
    return simple.get(fmt, str)(n)


class _Numbering:
    """The numbers Word shows before list paragraphs (一、 1. (一) …): no part of the text,
    they come from numbering.xml, through the paragraph's w:numPr or its style's. Computed
    once for every paragraph in document order, as Word counts them."""

    def __init__(self, numbering: Any, styles: Any) -> None:
        self.levels: dict[str, dict[int, dict[str, Any]]] = {}
        self.abstract_of: dict[str, str] = {}
        self.overrides: dict[str, dict[int, int]] = {}
        abstracts: dict[str, dict[int, dict[str, Any]]] = {}
        if numbering is not None:
            for abstract in numbering.findall(_W + "abstractNum"):
                abstracts[abstract.get(_W + "abstractNumId", "")] = {
                    int(lvl.get(_W + "ilvl", "0")): self._level(lvl)
                    for lvl in abstract.findall(_W + "lvl")}
            for num in numbering.findall(_W + "num"):
                num_id = num.get(_W + "numId", "")
                ref = num.find(_W + "abstractNumId")
                abstract_id = ref.get(_W + "val", "") if ref is not None else ""
                self.abstract_of[num_id] = abstract_id
                self.levels[num_id] = dict(abstracts.get(abstract_id, {}))
                for override in num.findall(_W + "lvlOverride"):
                    ilvl = int(override.get(_W + "ilvl", "0"))
                    start = override.find(_W + "startOverride")
                    if start is not None:
                        self.overrides.setdefault(num_id, {})[ilvl] = int(
                            start.get(_W + "val", "1"))
                    lvl = override.find(_W + "lvl")
                    if lvl is not None:
                        self.levels[num_id][ilvl] = self._level(lvl)
        self.style_num: dict[str, tuple[str | None, int | None]] = {}
        self.based_on: dict[str, str] = {}
        if styles is not None:
            for style in styles.findall(_W + "style"):
                sid = style.get(_W + "styleId", "")
                base = style.find(_W + "basedOn")
                if base is not None:
                    self.based_on[sid] = base.get(_W + "val", "")
                num_pr = style.find(f"{_W}pPr/{_W}numPr")
                if num_pr is not None:
                    self.style_num[sid] = self._num_pr(num_pr)
        self.labels: dict[Any, str] = {}

    @staticmethod
    def _level(lvl: Any) -> dict[str, Any]:
        def val(tag: str, default: str) -> str:
            el = lvl.find(_W + tag)
            return el.get(_W + "val", default) if el is not None else default

        return {"start": int(val("start", "1")), "fmt": val("numFmt", "decimal"),
                "text": val("lvlText", ""), "suff": val("suff", "tab"),
                "style": val("pStyle", ""), "legal": lvl.find(_W + "isLgl") is not None}

    @staticmethod
    def _num_pr(num_pr: Any) -> tuple[str | None, int | None]:
        num_id, ilvl = num_pr.find(_W + "numId"), num_pr.find(_W + "ilvl")
        return (num_id.get(_W + "val") if num_id is not None else None,
                int(ilvl.get(_W + "val", "0")) if ilvl is not None else None)

    def _style_chain(self, style: str) -> tuple[str | None, int | None, str]:
        seen: set[str] = set()
        while style and style not in seen:
            seen.add(style)
            if style in self.style_num:
                num_id, ilvl = self.style_num[style]
                return num_id, ilvl, style
            style = self.based_on.get(style, "")
        return None, None, ""

    def number(self, body: Any) -> None:
        """Label every numbered paragraph under `body`, in document order."""
        counters: dict[str, dict[int, int]] = {}
        started: set[str] = set()
        for p in body.iter(_W_P):
            if any(a.tag in (_MC_FALLBACK, _W + "del") for a in p.iterancestors()):
                continue
            label = self._label(p, counters, started)
            if label:
                self.labels[p] = label

    def _label(self, p: Any, counters: dict[str, dict[int, int]], started: set[str]) -> str:
        ppr = p.find(_W + "pPr")
        style_el = ppr.find(_W + "pStyle") if ppr is not None else None
        style = style_el.get(_W + "val", "") if style_el is not None else ""
        num_id, ilvl, linked = self._style_chain(style)
        num_pr = ppr.find(_W + "numPr") if ppr is not None else None
        if num_pr is not None:
            own_id, own_level = self._num_pr(num_pr)
            num_id = own_id if own_id is not None else num_id
            ilvl = own_level if own_level is not None else ilvl
        if not num_id or num_id == "0" or num_id not in self.levels:
            return ""
        levels = self.levels[num_id]
        if ilvl is None:  # a style linked to a level of the list names it in w:pStyle
            ilvl = next((i for i, lvl in levels.items() if linked and lvl["style"] == linked), 0)
        if ilvl not in levels:
            return ""
        key = self.abstract_of.get(num_id, num_id)
        count = counters.setdefault(key, {})
        if num_id not in started and ilvl in self.overrides.get(num_id, {}):
            count[ilvl] = self.overrides[num_id][ilvl] - 1
        started.add(num_id)
        count[ilvl] = count.get(ilvl, levels[ilvl]["start"] - 1) + 1
        for deeper in [lvl for lvl in count if lvl > ilvl]:
            del count[deeper]
        level = levels[ilvl]

        def counter(match: re.Match[str]) -> str:
            at = int(match.group(1)) - 1
            value = count.get(at, levels.get(at, {"start": 1})["start"])
            fmt = "decimal" if level["legal"] else levels.get(at, level)["fmt"]
            return _number_text(value, fmt)

        text = re.sub(r"%([1-9])", counter, level["text"])
        if level["fmt"] == "bullet" or not text:
            return ""
        return text + {"tab": "\t", "space": " "}.get(level["suff"], "")


def _docx_par_text(p: Any, numbering: _Numbering | None = None) -> str:
    """Visible text of a w:p, including smart tags, fields and tracked insertions (which
    python-docx's Paragraph.text drops), excluding deletions and field codes, after the
    number Word shows for a list paragraph (`numbering`)."""
    out: list[str] = [numbering.labels.get(p, "")] if numbering is not None else []
    stack = list(reversed(p))
    while stack:
        el = stack.pop()
        tag = el.tag
        if not isinstance(tag, str) or tag in _W_SKIP:
            continue
        if tag == _W + "t":
            out.append(el.text or "")
        elif tag == _W + "tab":
            out.append("\t")
        elif tag in (_W + "br", _W + "cr"):
            out.append("\n")
        elif tag == _W + "noBreakHyphen":
            out.append("-")
        else:
            stack.extend(reversed(el))
    return "".join(out)


def _docx_is_continuation(tc: Any) -> bool:
    tc_pr = tc.find(_W + "tcPr")
    if tc_pr is None:
        return False
    for name in ("vMerge", "hMerge"):
        merge = tc_pr.find(_W + name)
        if merge is not None and merge.get(_W + "val") != "restart":
            return True
    return False


def _docx_children(el: Any, wanted: str) -> Iterator[Any]:
    """Children with tag `wanted`, looking through content controls and custom XML."""
    for child in el:
        if child.tag == wanted:
            yield child
        elif child.tag in (_W + "sdt", _W + "sdtContent", _W + "customXml"):
            yield from _docx_children(child, wanted)


def _docx_table_lines(tbl: Any, numbering: _Numbering | None = None) -> list[str]:
    lines: list[str] = []
    for tr in _docx_children(tbl, _W_TR):
        cells = [tc for tc in _docx_children(tr, _W_TC) if not _docx_is_continuation(tc)]
        read: list[tuple[str, list[Any]]] = []
        for tc in cells:
            pieces: list[str] = []
            nested: list[Any] = []
            for block in _docx_blocks(tc):
                if block.tag == _W_TBL:
                    nested.append(block)
                else:
                    pieces.append(clean_cell_piece(_docx_par_text(block, numbering)))
            read.append(("".join(pieces), nested))
        if is_layout_row(read):
            lines.extend(line for tc in cells for line in _docx_body_lines(tc, numbering))
            continue
        if read:
            lines.append(CELL_SEP.join(text for text, _ in read))
        for _, nested in read:
            for inner in nested:
                lines.extend(_docx_table_lines(inner, numbering))
    return lines


def _docx_body_lines(container: Any, numbering: _Numbering | None = None) -> list[str]:
    """The document body, or a layout cell: paragraphs as lines, tables as rows."""
    lines: list[str] = []
    for block in _docx_blocks(container):
        if block.tag == _W_TBL:
            lines.extend(_docx_table_lines(block, numbering))
        else:
            lines.append(_docx_par_text(block, numbering).replace("\r", "\n"))
    return lines


def _docx_blocks(el: Any) -> Iterator[Any]:
    for child in el:
        if child.tag in (_W_P, _W_TBL):
            yield child
        elif child.tag in (_W + "sdt", _W + "sdtContent", _W + "customXml"):
            yield from _docx_blocks(child)


def _part_element(owner: Any, name: str) -> Any:
    """The XML of a document's numbering or styles part (None when it has none)."""
    try:
        return getattr(owner, name).element
    except (AttributeError, KeyError, NotImplementedError):
        return None


def read_docx(p: Path, data: bytes, kind: str = "docx",
              limits: Limits = DEFAULT_LIMITS) -> Document:
    """A .docx's text; a zip that would expand past the limits is refused unbuilt."""
    import docx

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_zip(p, archive, limits)
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise ReadError(p, f"corrupt or unreadable .docx ({type(exc).__name__}: {exc})") from exc
    try:
        document = docx.Document(io.BytesIO(data))
        body = document.element.body
    except Exception as exc:
        raise ReadError(p, f"corrupt or unreadable .docx ({type(exc).__name__}: {exc})") from exc
    numbering = _Numbering(_part_element(document.part, "numbering_part"),
                           _part_element(document, "styles"))
    numbering.number(body)
    text = "\n".join(_docx_body_lines(body, numbering))
    if not text.strip():
        raise ReadError(p, "empty document")
    return Document(str(p), text, kind, None)



_ANTIWORD_ROW = re.compile(r"^\|(.*)\|\s*$")


def read_doc(p: Path) -> Document:
    """Legacy Word: antiword if present, else LibreOffice to .docx; nothing is installed here."""
    antiword = shutil.which("antiword")
    if antiword:
        try:
            proc = subprocess.run(
                [antiword, "-w", "0", "-m", "UTF-8.txt", str(p)],
                capture_output=True,
                timeout=120,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ReadError(p, f"antiword failed: {exc}") from exc
        if proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace").strip()[:200]
            raise ReadError(p, f"antiword failed: {err or f'exit {proc.returncode}'}")
        out = proc.stdout.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")
        lines = []
        for line in out.split("\n"):
            m = _ANTIWORD_ROW.match(line)
            if m:
                line = CELL_SEP.join(clean_cell_piece(c) for c in m.group(1).split("|"))
            lines.append(line)
        text = "\n".join(lines).rstrip()
        if not text.strip():
            raise ReadError(p, "empty document")
        return Document(str(p), text, "doc", None)

    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office:
        with tempfile.TemporaryDirectory(prefix="toolkit-doc-") as tmp:
            cmd = [
                office,
                "--headless",
                "--norestore",
                f"-env:UserInstallation=file://{tmp}/profile",
                "--convert-to",
                "docx",
                "--outdir",
                tmp,
                str(p),
            ]
            try:
                proc = subprocess.run(cmd, capture_output=True, timeout=300, check=False)
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise ReadError(p, f"LibreOffice conversion failed: {exc}") from exc
            out_path = Path(tmp) / (p.stem + ".docx")
            if not out_path.exists():
                err = proc.stderr.decode("utf-8", "replace").strip()[:200]
                raise ReadError(p, f"LibreOffice conversion failed: {err or 'no output'}")
            return read_docx(p, out_path.read_bytes(), kind="doc")

    raise UnsupportedFormat(
        p, "legacy .doc needs LibreOffice or antiword installed; convert it to .docx"
    )
