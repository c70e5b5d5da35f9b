"""The report's three tables as the template prints them: rows and columns in order, labelled.

The explorer's drill-down grid and the comparison's tables both lay cells out this way.
"""
from __future__ import annotations

from toolkit.spec.template import load_template


def row_order(table: str) -> tuple[list[str], dict[str, str], list[str], dict[str, str]]:
    """Rows and columns of a template table in printed order, with their Chinese labels."""
    template = load_template()
    if table == "requests":
        rows = [r.key for r in template.request_rows]
        row_labels = {r.key: r.labels[0] for r in template.request_rows}
        columns = [*template.request_columns[:-1], template.subtotal_column,
                   template.request_columns[-1]]
        return rows, row_labels, columns, dict(template.request_column_labels)
    if table == "review":
        return (list(template.review_rows), dict(template.review_row_labels),
                list(template.review_columns), dict(template.review_column_labels))
    rows = [r.key for r in template.active_rows]
    row_labels = {r.key: r.labels[0] for r in template.active_rows}
    columns = list(template.active_columns)
    return rows, row_labels, columns, {k: c.labels[0] for k, c in template.active_columns.items()}


__all__ = ["row_order"]
