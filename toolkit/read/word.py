"""Word documents: .docx read from its XML (fields, smart tags, tracked insertions kept,
merged cells shown once), .doc through antiword or LibreOffice when one is installed."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from toolkit.read.document import CELL_SEP, Document, clean_cell_piece, is_layout_row
from toolkit.spec.errors import ReadError, UnsupportedFormat

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_W_P, _W_TBL, _W_TR, _W_TC = _W + "p", _W + "tbl", _W + "tr", _W + "tc"
_W_SKIP = frozenset(
    {_W + "del", _W + "delText", _W + "instrText", _W + "pPr", _W + "rPr", _MC_FALLBACK}
)


def _docx_par_text(p: Any) -> str:
    """Visible text of a w:p, including smart tags, fields and tracked insertions (which
    python-docx's Paragraph.text drops), excluding deletions and field codes."""
    out: list[str] = []
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


def _docx_table_lines(tbl: Any) -> list[str]:
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
                    pieces.append(clean_cell_piece(_docx_par_text(block)))
            read.append(("".join(pieces), nested))
        if is_layout_row(read):
            lines.extend(line for tc in cells for line in _docx_body_lines(tc))
            continue
        if read:
            lines.append(CELL_SEP.join(text for text, _ in read))
        for _, nested in read:
            for inner in nested:
                lines.extend(_docx_table_lines(inner))
    return lines


def _docx_body_lines(container: Any) -> list[str]:
    """The document body, or a layout cell: paragraphs as lines, tables as rows."""
    lines: list[str] = []
    for block in _docx_blocks(container):
        if block.tag == _W_TBL:
            lines.extend(_docx_table_lines(block))
        else:
            lines.append(_docx_par_text(block).replace("\r", "\n"))
    return lines


def _docx_blocks(el: Any) -> Iterator[Any]:
    for child in el:
        if child.tag in (_W_P, _W_TBL):
            yield child
        elif child.tag in (_W + "sdt", _W + "sdtContent", _W + "customXml"):
            yield from _docx_blocks(child)


def read_docx(p: Path, data: bytes, kind: str = "docx") -> Document:
    import docx

    try:
        body = docx.Document(io.BytesIO(data)).element.body
    except Exception as exc:
        raise ReadError(p, f"corrupt or unreadable .docx ({type(exc).__name__}: {exc})") from exc
    text = "\n".join(_docx_body_lines(body))
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
