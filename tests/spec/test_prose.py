"""prose.toml is validated on load like template.toml: each mistake named with its claim."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from toolkit.spec.errors import TemplateError
from toolkit.spec.prose import DEFAULT_PATH, load_prose

SHIPPED = DEFAULT_PATH.read_text("utf-8")


def edited(tmp_path: Path, old: str, new: str) -> Path:
    assert SHIPPED.count(old) == 1, old
    path = tmp_path / "prose.toml"
    path.write_text(SHIPPED.replace(old, new), "utf-8")
    return path


@pytest.mark.parametrize(("old", "new", "message"), [
    pytest.param("meanings = [[\"requests.granted.total\"]]",
                 "meanings = [[\"requests.granted.totl\"]]",
                 "claims[7] (granted): 'requests.granted.totl' is not a canonical key of template "
                 "2019", id="unknown-key"),
    pytest.param("patterns = ['部分公开(?:的)?(?:共)?(?P<n>\\d[\\d,]*)件']",
                 "patterns = ['部分公开(?:的)?(?:共)?(\\d[\\d,]*)件']",
                 "claims[8] (partial).patterns[0]: has no number group", id="no-number"),
    pytest.param("patterns = ['部分公开(?:的)?(?:共)?(?P<n>\\d[\\d,]*)件']",
                 "patterns = ['部分公开(?:的(?P<n>\\d[\\d,]*)件']",
                 "claims[8] (partial).patterns[0]: not a regular expression", id="bad-regex"),
    pytest.param("versions.2019.meanings = [[\"requests.other.total\"]]",
                 "versions.2018.meanings = [[\"requests.other.total\"]]",
                 "claims[12] (other_handling).versions.2018: not a version", id="unknown-version"),
    pytest.param('name = "partial"', 'nome = "partial"', "claims[8]: unknown key 'nome'",
                 id="unknown-field"),
])
def test_mistakes_are_named(tmp_path: Path, old: str, new: str, message: str) -> None:
    with pytest.raises(TemplateError) as caught:
        load_prose(edited(tmp_path, old, new))
    assert message in str(caught.value)


def test_every_pattern_has_a_sentence_in_the_tests() -> None:
    """Each pattern (and each claim of 0) matches one of tests/parse/test_prose.py's
    sentences, and there every sentence passes `lines_with`."""
    source = (Path(__file__).parents[1] / "parse" / "test_prose.py").read_text("utf-8")
    sentences = [node.value for node in ast.walk(ast.parse(source))
                 if isinstance(node, ast.Constant) and isinstance(node.value, str)]
    prose = load_prose()
    for claim in prose.claims:
        for pattern in (*claim.patterns, *claim.zero):
            hits = [s for s in sentences if pattern.search(s)]
            assert hits, f"{claim.name}: no test sentence for {pattern.pattern}"
            assert all(prose.lines_with.search(s) for s in hits), claim.name
