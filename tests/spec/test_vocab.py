"""The vocabulary is declared once: no module spells out its own list of usable statuses."""
from __future__ import annotations

import re
from pathlib import Path

from toolkit.spec.vocab import USABLE_STATUSES, Status

PACKAGE = Path(__file__).resolve().parents[2] / "toolkit"
PASTED = re.compile(r"""['"](ok|partial)['"]\s*,\s*['"](ok|partial)['"]""")


def test_usable_statuses_are_ok_and_partial() -> None:
    assert USABLE_STATUSES == (Status.OK, Status.PARTIAL)


def test_no_module_pastes_its_own_usable_statuses() -> None:
    pasted = [str(p.relative_to(PACKAGE)) for p in sorted(PACKAGE.rglob("*.py"))
              if PASTED.search(p.read_text(encoding="utf-8"))]
    assert pasted == [], "use toolkit.spec.vocab.USABLE_STATUSES"
