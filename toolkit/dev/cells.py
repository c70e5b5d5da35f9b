"""A generated report's tables as grids of printed cells, before any layout prints them.

Shared by the generator (`toolkit.dev.synth`), the shapes real files give those grids
(`toolkit.dev.variants`) and the converter-markdown printer (`toolkit.dev.converter`): each
cell knows which canonical key it prints, or which row it labels, so a shape that blanks or
garbles a cell can say what a correct parse must then give.
"""
from __future__ import annotations

from typing import NamedTuple


class Cell(NamedTuple):
    """One table cell as printed; a merged cell carries its spans.

    `key`: the canonical key a number cell prints (`requests.granted.total`); `row`: the row a
    label cell names (`requests.granted`); both None for headers and group labels.
    """

    text: str
    rowspan: int = 1
    colspan: int = 1
    number: bool = False
    key: str | None = None
    row: str | None = None


Grid = list[list[Cell]]


def width(grid: Grid) -> int:
    """Columns of the grid (its first row spans them all)."""
    return sum(c.colspan for c in grid[0])


def expand(grid: Grid) -> list[list[Cell | None]]:
    """The grid with merged cells resolved: each cell in its top-left slot, spanned slots None."""
    out: list[list[Cell | None]] = [[None] * width(grid) for _ in grid]
    taken = [[False] * width(grid) for _ in grid]
    for r, row in enumerate(grid):
        c = 0
        for cell in row:
            while taken[r][c]:
                c += 1
            out[r][c] = cell
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken[r + dr][c + dc] = True
            c += cell.colspan
    return out


def expand_text(grid: Grid) -> list[list[str]]:
    """`expand` as text: spanned slots empty."""
    return [[cell.text if cell else "" for cell in row] for row in expand(grid)]
