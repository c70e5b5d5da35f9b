"""Government departments' short names (住建局) and full names, from `departments.toml`."""
from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources


@cache
def department_names() -> dict[str, str]:
    """Short or full name → full name."""
    text = (resources.files("toolkit.places") / "departments.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    return {short: full for full, shorts in data["departments"].items() for short in shorts}


@cache
def department_pattern() -> re.Pattern[str]:
    """Any short or full name, longest first."""
    return re.compile("|".join(sorted(map(re.escape, department_names()), key=len, reverse=True)))
