"""Shapes real files give the template's tables, applied to a generated report's grids.

Real publishers leave zeros blank, leave the 总计 column empty on every outcome row, lose the
row tags of an HTML table, and (in the tests' mutations) print a row label the parser cannot
know. Each shape changes the grids a layout prints and says what a correct parse then gives:
which keys are `blank`, which are lost (their row's label unknown: `missing` or `ambiguous`,
never another row's numbers).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from toolkit.dev.cells import Cell, Grid, expand

GARBAGE = "甲乙丙丁戊己庚"
"""A label no template row has (a row label replaced by garbage)."""
UNKNOWN_ROW = "其他未列明事项"
"""The label of a row outside the template, inserted by `Variant.insert_before`."""
ROW_TAGS = ("rows", "none", "one")
"""HTML row tags: a <tr> per row; none (<td>s in document order); one <tr> around them all."""


@dataclass(frozen=True)
class Variant:
    """How a report's tables are printed, beyond the layout.

    `garble`/`insert_before` name a row (`requests.carried_over`): its label replaced by
    garbage, or an unknown row (with numbers of its own) inserted before it; `unprinted`: a
    row printed without its cells (pg_009: labels only), in text layouts; `shift_row`: a
    row's numbers printed under the next row's label (whose own numbers are lost), the row
    itself without cells: a layout slip only the prose can reveal.
    """

    blank_zeros: bool = False
    blank_totals: bool = False
    row_tags: str = "rows"
    garble: str | None = None
    insert_before: str | None = None
    unprinted: str | None = None
    shift_row: str | None = None

    def __post_init__(self) -> None:
        if self.row_tags not in ROW_TAGS:
            raise ValueError(f"row_tags {self.row_tags!r}: choose from {', '.join(ROW_TAGS)}")


PLAIN = Variant()
SHAPES: dict[str, Variant] = {
    "blank_zeros": Variant(blank_zeros=True),
    "blank_totals": Variant(blank_totals=True),
    "no_row_tags": Variant(row_tags="none"),
    "one_row_tag": Variant(row_tags="one"),
}
"""The real shapes property tests read back in every layout that gives each cell its place."""


@dataclass
class Effects:
    """What a variant did: keys printed as empty cells, keys whose row label is lost."""

    blank: set[str] = field(default_factory=set)
    lost: set[str] = field(default_factory=set)


def apply(grids: list[Grid], variant: Variant, outcome_rows: frozenset[str]) -> tuple[
        list[Grid], Effects]:
    """The grids as `variant` prints them. `outcome_rows`: the requests row keys whose 总计
    cell `blank_totals` empties (the rows under 三、本年度办理结果)."""
    effects = Effects()
    out = []
    for grid in grids:
        grid = [[_cell(c, variant, outcome_rows, effects) for c in row
                 if not _unprinted(c, variant, effects)] for row in grid]
        if variant.insert_before:
            grid = _insert(grid, variant.insert_before)
        if variant.shift_row:
            grid = _shift(grid, variant.shift_row, effects)
        out.append(grid)
    return out, effects


def _unprinted(cell: Cell, variant: Variant, effects: Effects) -> bool:
    if variant.unprinted and cell.key and cell.key.startswith(variant.unprinted + "."):
        effects.lost.add(cell.key)
        return True
    return False


def _cell(cell: Cell, variant: Variant, outcome_rows: frozenset[str], effects: Effects) -> Cell:
    if cell.row is not None and cell.row == variant.garble:
        return cell._replace(text=GARBAGE)
    if cell.key is None:
        return cell
    if variant.garble and cell.key.startswith(variant.garble + "."):
        effects.lost.add(cell.key)
        return cell
    table, row, column = cell.key.split(".")
    total_of_outcome = table == "requests" and column == "total" and row in outcome_rows
    if (variant.blank_zeros and cell.text == "0") or (variant.blank_totals and total_of_outcome):
        effects.blank.add(cell.key)
        return cell._replace(text="")
    return cell


def insertable(grid: Grid, row: str) -> bool:
    """Whether a row can be inserted before the one labelled `row`: its label opens its grid
    row, outside any merged cell (a row inside a rowspan would break the merge)."""
    return _row_index(grid, row) is not None


def _row_index(grid: Grid, row: str) -> int | None:
    slots = expand(grid)
    for r, cells in enumerate(grid):
        if cells and cells[0].row == row and slots[r][0] is cells[0]:
            return r
    return None


def _insert(grid: Grid, row: str) -> Grid:
    """An unknown row before `row`, shaped like it, with numbers that add up (so no identity
    can tell them from the template's rows)."""
    at = _row_index(grid, row)
    if at is None:
        return grid
    model = grid[at]
    numbers = [c for c in model if c.number]
    values = [str(i % 3) for i in range(len(numbers))]
    if len(numbers) > 2:
        values[-1] = str(sum(int(v) for v in values[:-1]))
    cells = [Cell(UNKNOWN_ROW, model[0].rowspan, model[0].colspan)]
    cells += [c._replace(text=values.pop(0), key=None) if c.number else c._replace(text="")
              for c in model[1:]]
    return [*grid[:at], cells, *grid[at:]]


def _shift(grid: Grid, row: str, effects: Effects) -> Grid:
    """The numbers of `row` moved to the next row that has numbers (whose own are dropped);
    both rows' keys are lost."""
    at = next((r for r, cells in enumerate(grid) if any(c.row == row for c in cells)), None)
    if at is None:
        return grid
    after = next((r for r in range(at + 1, len(grid)) if any(c.number for c in grid[r])), None)
    if after is None:
        return grid
    moved = [c for c in grid[at] if c.number]
    effects.lost.update(c.key for c in (*moved, *grid[after]) if c.key)
    numbers = iter(moved)
    out = list(grid)
    out[at] = [c for c in grid[at] if not c.number]
    out[after] = [next(numbers)._replace(key=None) if c.number else c for c in grid[after]]
    return out
