"""Read section 四 (administrative review and litigation) from its token stream.

The template prints the table's 15 numbers in one row after its headers: review ×5, suits
filed directly ×5, suits after review ×5, and that order decides. Where a layout prints
each row under its own label (converter markdown: one small table per row), the labels
decide instead: a row whose label is lost is taken by elimination only, and a layout whose
labels contradict one another gives ambiguous cells, never a guess from position.
"""
from __future__ import annotations

from collections.abc import Sequence
from difflib import SequenceMatcher
from functools import lru_cache

from toolkit.parse.report import Fact
from toolkit.parse.tables import Accept, AllRules, TableResult, facts_for, resolve_cells, sum_rule
from toolkit.parse.tokens import BARE, BLANK, TEXT, VALUE, Token
from toolkit.spec.template import Template, label_key
from toolkit.spec.vocab import Flag

Run = tuple[str | None, list[Token]]
"""The review row the text before a run of cells names (None: none), and the cells."""
Resolved = list[tuple[Token | None, str | None]]


def parse_review(tokens: Sequence[Token], template: Template, at_end: bool) -> TableResult:
    """The 15 numbers after the header, by the rows' labels where each run of cells has
    one, else in order review ×5, direct ×5, after review ×5."""
    header_words = [label_key(w) for w in template.review_header_words]
    seen_header = False
    runs: list[Run] = []
    current: list[Token] = []
    last_text = ""
    for token in tokens:
        if token.kind == TEXT:
            key = label_key(token.text)
            if any(w in key for w in header_words):
                seen_header = True
            if current:
                runs.append((review_row_named(last_text, template), current))
                current = []
            last_text = token.text
            continue
        if seen_header:
            current.append(token)
    run_at_end = bool(current)
    if current:
        runs.append((review_row_named(last_text, template), current))
    if not seen_header:
        return TableResult([], {}, [])
    by_label = _by_label(runs, template)
    if by_label is not None:
        return _labelled(by_label, runs, template, at_end and run_at_end)
    return _in_order([run for _, run in runs], template, at_end and run_at_end)


def _in_order(runs: list[list[Token]], template: Template, cut: bool) -> TableResult:
    rows, cols = template.review_rows, template.review_columns
    width = len(rows) * len(cols)
    cells: list[Token] = []
    filled = [r for r in runs if any(t.kind == VALUE for t in r)]
    if filled:
        if len(filled) == len(rows) and all(len(r) <= len(cols) for r in filled):
            cells = [t for r in filled for t in r]
        else:
            cells = filled[0]
    elif runs:
        cells = max(runs, key=len) if max(len(r) for r in runs) >= width else []
    last_run = runs[-1] if runs else None
    cut = cut and cells is last_run
    cells = _after_opener(cells, width, cut)
    resolved = resolve_cells(cells, width, cut, _review_rule(template))
    if not cells:
        resolved = [(None, Flag.MISSING)] * width
    return _result([resolved[r * len(cols):(r + 1) * len(cols)] for r in range(len(rows))],
                   template, bool(cells))


def _by_label(runs: list[Run], template: Template) -> dict[str, list[list[Token]]] | None:
    """Runs by the row their label names, when the layout labels the rows: at least two
    labelled runs, no unlabelled run as long as the whole table's numbers, and the numbers
    under the labels (a header's row names over empty merged slots label no numbers)."""
    width = len(template.review_rows) * len(template.review_columns)
    labelled = [(row, run) for row, run in runs if row is not None]
    if len(labelled) < 2 or any(row is None and len(run) >= width for row, run in runs):
        return None
    filled = sum(1 for _, run in labelled if any(t.kind == VALUE for t in run))
    loose = any(row is None and any(t.kind == VALUE for t in run) for row, run in runs)
    if filled < 2 and loose:
        return None
    by_row: dict[str, list[list[Token]]] = {}
    for row, run in labelled:
        by_row.setdefault(row, []).append(run)
    return by_row


def _labelled(by_row: dict[str, list[list[Token]]], runs: list[Run], template: Template,
              cut: bool) -> TableResult:
    cols = template.review_columns
    unknown = [run for row, run in runs if row is None and any(t.kind == VALUE for t in run)]
    unlabelled_rows = [row for row in template.review_rows if row not in by_row]
    if len(unknown) == 1 and len(unlabelled_rows) == 1:
        by_row[unlabelled_rows[0]] = unknown  # the one row left, by elimination
        unknown = []
    last = runs[-1][1] if runs else None
    parts: list[Resolved] = []
    for row in template.review_rows:
        found = by_row.get(row, [])
        if len(found) != 1 or (unknown and not found):
            flag = Flag.AMBIGUOUS if found or unknown else Flag.MISSING
            parts.append([(None, flag)] * len(cols))
            continue
        run = found[0]
        parts.append(resolve_cells(run, len(cols), cut and run is last,
                                   sum_rule(list(range(len(cols) - 1)), len(cols) - 1)))
    return _result(parts, template, True)


def _result(parts: Sequence[Resolved], template: Template, found: bool) -> TableResult:
    facts: list[Fact] = []
    for row, part in zip(template.review_rows, parts, strict=True):
        label = template.review_row_labels[row]
        facts.extend(facts_for("review", row, label, template.review_columns, part, {}))
    return TableResult(facts, {}, list(template.review_rows) if found else [])


def review_row_named(text: str, template: Template) -> str | None:
    """The review row a label names (复议后起诉 → litigation_after_review), if one: the
    longest word of `review.row_words` it holds, else one it reads as with a character
    misread (OCR)."""
    return _named(label_key(text), template)


@lru_cache(maxsize=4096)
def _named(key: str, template: Template) -> str | None:
    words = sorted(((label_key(w), row) for row, ws in template.review_row_words.items()
                    for w in ws), key=lambda item: -len(item[0]))
    for word, row in words:
        if word in key:
            return row
    for word, row in words:
        if len(word) >= 4 and abs(len(key) - len(word)) <= 2 and SequenceMatcher(
                None, key, word, autojunk=False).ratio() >= 0.75:
            return row
    return None


def _after_opener(cells: list[Token], width: int, cut: bool) -> list[Token]:
    """The numbers row's cells without what precedes its opener: in layouts that open each
    row with a bare `|` line, blanks before that line belong to the header row above
    (its padding), and the opener itself is no cell. The opener is the first bare line
    among the blanks the run starts with, when that leaves the row's cells (all of them,
    or, on a page cut in the row, the ones it shows)."""
    if len(cells) <= width and not cut:
        return cells
    for index, token in enumerate(cells):
        if token.kind != BLANK:
            break
        if token.text == BARE and (len(cells) - index - 1 == width
                                   or (cut and len(cells) - index - 1 < width)):
            return cells[index + 1:]
    return cells


@lru_cache(maxsize=4)
def _review_rule(template: Template) -> Accept:
    n_rows, n_cols = len(template.review_rows), len(template.review_columns)
    rules = [sum_rule(list(range(r * n_cols, r * n_cols + n_cols - 1)), r * n_cols + n_cols - 1)
             for r in range(n_rows)]
    return AllRules(rules)

