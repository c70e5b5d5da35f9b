"""template.toml is validated on load, and the versions, defaults and outcome rows the parser
asks for are read from it."""
from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.spec.errors import TemplateError
from toolkit.spec.template import DEFAULT_PATH, load_template

SHIPPED = DEFAULT_PATH.read_text("utf-8")


def edited(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of the shipped template.toml with one edit."""
    assert SHIPPED.count(old) == 1, old
    path = tmp_path / "template.toml"
    path.write_text(SHIPPED.replace(old, new), "utf-8")
    return path


def test_an_unknown_key_is_named_with_its_place(tmp_path: Path) -> None:
    path = edited(tmp_path, 'key = "denied_state_secret"\ngroup = "denied"\nenumerator = "1."\nlabels',
                  'key = "denied_state_secret"\ngroup = "denied"\nenumerator = "1."\nlable')
    with pytest.raises(TemplateError) as caught:
        load_template(path)
    message = str(caught.value)
    assert "template.toml: requests.rows[4]: unknown key 'lable'" in message
    assert "allowed: enumerator, group, key, labels" in message
    assert "template.toml: requests.rows[4]: missing key 'labels'" in message


def test_a_missing_key_is_named_with_its_place(tmp_path: Path) -> None:
    path = edited(tmp_path, "[templates.2021]\nstarts = 2021\n", "[templates.2021]\n")
    with pytest.raises(TemplateError, match=r"^template\.toml: templates\.2021: missing key 'starts'$"):
        load_template(path)


@pytest.mark.parametrize(("old", "new", "message"), [
    pytest.param("starts = 2021", 'starts = "2021"', "templates.2021.starts: expected int, not str",
                 id="wrong-type"),
    pytest.param('key = "other"\ngroup = "other"\nenumerator = "(六)"\ntemplate = "2019"',
                 'key = "other"\ngroup = "other"\nenumerator = "(六)"\ntemplate = "2091"',
                 "requests.rows[20]: template '2091' is not a version under [templates]",
                 id="row-of-an-undeclared-version"),
    pytest.param('group = "granted"', 'group = "grant"',
                 "requests.rows[2]: group 'grant' is not one of requests.outcome_groups",
                 id="undeclared-group"),
    pytest.param('columns.2021 = ["decisions"]\n\n[[active.rows]]\nkey = "other_services"',
                 'columns.2021 = ["decision"]\n\n[[active.rows]]\nkey = "other_services"',
                 "active.rows[2]: column 'decision' is not under [active.columns]",
                 id="undeclared-column"),
    pytest.param("[review]", "[reviews]", "unknown key 'reviews'", id="unknown-table"),
    pytest.param("starts = 2019", "starts = 2019\n[", "cannot be read as TOML", id="not-toml"),
])
def test_other_mistakes_are_named(tmp_path: Path, old: str, new: str, message: str) -> None:
    with pytest.raises(TemplateError, match=r"^template\.toml: ") as caught:
        load_template(edited(tmp_path, old, new))
    assert message in str(caught.value)


def test_loaded_once_per_path(tmp_path: Path) -> None:
    copy = tmp_path / "template.toml"
    copy.write_text(SHIPPED, "utf-8")
    assert load_template() is load_template()
    assert load_template(copy) is load_template(copy)
    assert load_template(copy) is not load_template()


def test_versions_come_in_start_order_whatever_the_file_order(tmp_path: Path) -> None:
    path = tmp_path / "template.toml"
    first = SHIPPED.index("[templates.2019]")
    block = SHIPPED[first:SHIPPED.index("[templates.2021]")]
    path.write_text(SHIPPED.replace(block, "") + "\n" + block, "utf-8")
    assert list(load_template(path).versions) == ["2019", "2021"]
    assert load_template(path).versions_in_order() == ("2019", "2021")


@pytest.mark.parametrize(("year", "version"), [
    pytest.param(2018, None, id="legacy"),
    pytest.param(2019, "2019", id="first-year"),
    pytest.param(2020, "2019", id="second-year"),
    pytest.param(2021, "2021", id="new-version"),
    pytest.param(2030, "2021", id="latest"),
])
def test_version_for_year(year: int, version: str | None) -> None:
    assert load_template().version_for_year(year) == version


def test_version_for_year_among_some_versions() -> None:
    assert load_template().version_for_year(2022, among=["2019"]) == "2019"
    assert load_template().version_for_year(2018, among=["2019", "2021"]) is None


def test_outcome_rows_are_the_rows_of_the_outcome_groups() -> None:
    template = load_template()
    assert template.rows_in_group("other", "2019") == ("other",)
    assert template.rows_in_group("other", "2021") == (
        "other_no_correction", "other_no_fee", "other_misc")
    assert template.rows_in_group("unable", "2021") == (
        "unable_not_held", "unable_need_create", "unable_unclear")
    for version in template.versions_in_order():
        outcomes = template.outcome_rows(version)
        assert outcomes[:2] == ("granted", "partial")
        assert len(outcomes) == 2 + 8 + 3 + 5 + len(template.rows_in_group("other", version))
        assert not {"new_received", "carried_over", "total_processed", "carried_forward"} & set(outcomes)


def test_an_enumerator_spaced_out_by_distributed_alignment_is_one() -> None:
    """Word's distributed alignment prints （六） as （ 六 ）."""
    from toolkit.spec.template import label_key, leading_enumerator

    assert leading_enumerator("（ 六 ）其 他 处理") == "(六)"
    assert label_key("（ 六 ）其 他 处理") == label_key("（六）其他处理") == "其他处理"

