"""Checks across reports: the cross-year identities, duplicate publications, copied prose.

A single report can only be checked against itself (`toolkit.parse.checks`); these checks need
the corpus. Every function is pure (DataFrames in, a tidy DataFrame out, no I/O):

* `carry_forward_chain`: identity 5 of REPORT_FORMAT.md: what a body carries forward at
  the end of year t is what it carries over at the start of year t+1;
* `regulation_stock_balance`: identity 6 (METRICS.md "regulation stock balance"): rules and
  normative documents in force move only by what was issued and repealed;
* `duplicate_reports`: one report published twice (two pages, two encodings, two names)
  must count once, and a body with two different reports for one year needs a look;
* `copied_prose`: prose sections copied from last year's report (boilerplate disclosure).

(Over the usual 500 lines: the four checks share the typed-output helpers below; the
duplicate finder, with its hash buckets and union-find, is the part to move to a module of
its own when it grows.)

Cross-year pairs (`toolkit.store.bodies.consecutive_pairs`, shared with the store's
cross-year repair) are only made for consecutive years (t, t+1) of the same `body_id`: a
body whose series has a gap gets no row for the gap (an identity across two years cannot
be checked against reports that are not there). Statuses follow `toolkit.parse.checks`:
`pass`, `fail`, `not_checkable` (a value on either side is null, or was read by the store's
cross-year repair through this very identity: `is_repaired`), never corrected.

`reports` is a reports table (report_id, body_id, agency, year, and template, status,
n_values, path where a check uses them); `wide` is report_id × canonical key values as
`toolkit.analysis.indicators.wide_values` builds (index report_id), optionally with the presence
mask of `toolkit.analysis.indicators.with_presence` in `wide.attrs["presence"]`.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

from toolkit.analysis.indicators import APPLICANTS, wide_values, with_presence
from toolkit.spec.template import load_template
from toolkit.spec.vocab import USABLE_STATUSES
from toolkit.store.bodies import consecutive_pairs, reports_table
from toolkit.store.repair import CARRY, STOCK

if TYPE_CHECKING:
    from toolkit.analysis.corpus import Corpus

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

TOLERANCE = 1e-6
CARRY_COLUMNS = (*APPLICANTS, "total", "legal_subtotal")
STOCK_ROWS = ("rules", "normative_docs")
PROSE_SECTIONS = ("overview", "problems", "other")

PAIR_COLUMNS = ["body_id", "agency", "year_from", "year_to"]
CARRY_OUT = [*PAIR_COLUMNS, "column", "expected", "actual", "difference", "status",
             "report_id_from", "report_id_to", "is_repaired"]
STOCK_OUT = [*PAIR_COLUMNS, "row", "in_force_before", "issued", "repealed", "expected",
             "actual", "balance", "status", "report_id_from", "report_id_to", "is_repaired"]
DUPLICATE_OUT = ["group_id", "kind", "report_id", "path", "agency", "year", "body_id",
                 "n_values", "reason"]
PROSE_OUT = [*PAIR_COLUMNS, "section", "similarity", "is_copied", "chars_from", "chars_to",
             "report_id_from", "report_id_to"]

_DTYPES = {
    "body_id": "string", "agency": "string", "year_from": "Int64", "year_to": "Int64",
    "column": "string", "row": "string", "section": "string", "status": "string",
    "report_id_from": "string", "report_id_to": "string", "report_id": "string",
    "path": "string", "kind": "string", "reason": "string", "year": "Int64",
    "group_id": "int64", "n_values": "int64", "chars_from": "int64", "chars_to": "int64",
    "is_copied": "boolean", "is_repaired": "boolean",
}


def _typed(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """The output columns in order, with stable dtypes (also for an empty result)."""
    out = frame.reindex(columns=list(columns)) if len(frame) else pd.DataFrame(
        {c: pd.Series(dtype="object") for c in columns})
    for column in columns:
        out[column] = out[column].astype(_DTYPES.get(column, "float64"))  # type: ignore[call-overload]
    return out.reset_index(drop=True)


# ------------------------------------------------------------------ pairs of years

def _wide(wide: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The values indexed by report_id without attrs, and the presence mask if it has one.

    The mask is taken out because pandas deep-copies `attrs` into every derived frame.
    """
    presence = wide.attrs.get("presence")
    frame = pd.DataFrame(wide, copy=False)  # the constructor does not carry attrs over
    frame.attrs = {}
    if "report_id" in frame.columns:
        frame = frame.set_index("report_id")
    return frame, presence if isinstance(presence, pd.DataFrame) else None


def _values(wide: pd.DataFrame, key: str, ids: pd.Series) -> FloatArray:
    """`key`'s value for each report id (NaN where the report or the key is absent)."""
    if key not in wide.columns:
        return np.full(len(ids), np.nan, dtype=np.float64)
    column = wide[key].astype("float64")
    found = column.reindex(ids.astype(object).to_numpy()).to_numpy(dtype="float64", na_value=np.nan)
    return np.asarray(found, dtype=np.float64)


def _present(presence: pd.DataFrame | None, key: str, ids: pd.Series) -> BoolArray | None:
    """Whether each report has `key` in its template (None without a presence mask)."""
    if presence is None:
        return None
    if key not in presence.columns:
        return np.zeros(len(ids), dtype=bool)
    found = presence[key].reindex(ids.astype(object).to_numpy())
    return found.fillna(False).to_numpy(dtype=bool)


def _status(expected: FloatArray, actual: FloatArray,
            repaired: BoolArray | None = None) -> npt.NDArray[np.object_]:
    checkable = ~(np.isnan(expected) | np.isnan(actual))
    if repaired is not None:
        checkable &= ~repaired
    same = np.abs(np.nan_to_num(expected) - np.nan_to_num(actual)) < TOLERANCE
    return np.where(checkable, np.where(same, "pass", "fail"), "not_checkable").astype(object)


def _repaired_here(repairs: pd.DataFrame | None, identity: str, pairs: pd.DataFrame,
                   keys: Sequence[tuple[str, str]]) -> BoolArray:
    """Per pair: whether a value of `keys` ((side, key), side `from` or `to`) was read by the
    store's cross-year repair with `identity` from the pair's other report.

    Such a value was chosen because it satisfies the identity: checking the identity on it
    again would pass by construction, so the row is no evidence (`not_checkable`).
    """
    marked = np.zeros(len(pairs), dtype=bool)
    if repairs is None or repairs.empty or pairs.empty:
        return marked
    mine = repairs[repairs["identity"] == identity]
    used = set(zip(mine["report_id"], mine["key"], mine["other_report_id"], strict=True))
    for side, key in keys:
        other = "to" if side == "from" else "from"
        marked |= np.array([(this, key, that) in used for this, that in zip(
            pairs[f"report_id_{side}"], pairs[f"report_id_{other}"], strict=True)], dtype=bool)
    return marked


# ------------------------------------------------------------------ identity 5

def carry_forward_chain(reports: pd.DataFrame, wide: pd.DataFrame,
                        repairs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Identity 5: `requests.carried_forward.<col>` of year t == `carried_over.<col>` of t+1.

    Why: requests pending at the end of a year are the next year's carried-over requests;
    a break means one of the two reports is wrong (or the body counts differently).
    One row per body, consecutive year pair and applicant column present in both reports
    (with a presence mask: the keys each template has; without one: the seven template
    columns always, `legal_subtotal` when both reports give it). No row for a gap year.

    `repairs` (the store's `repairs` table: report_id, key, identity, other_report_id):
    a side that the store read by this very identity from the pair's other report is
    `is_repaired`, and its row `not_checkable`: the identity chose the value, so it
    cannot also confirm it. The values are shown as the store holds them.
    """
    pairs = consecutive_pairs(reports)
    wide, presence = _wide(wide)
    parts = []
    for column in CARRY_COLUMNS:
        before = f"requests.carried_forward.{column}"
        after = f"requests.carried_over.{column}"
        expected = _values(wide, before, pairs["report_id_from"])
        actual = _values(wide, after, pairs["report_id_to"])
        has_before = _present(presence, before, pairs["report_id_from"])
        has_after = _present(presence, after, pairs["report_id_to"])
        if has_before is not None and has_after is not None:
            keep = has_before & has_after
        elif column == "legal_subtotal":
            keep = ~(np.isnan(expected) | np.isnan(actual))
        else:
            keep = np.ones(len(pairs), dtype=bool)
        repaired = _repaired_here(repairs, CARRY, pairs, [("from", before), ("to", after)])
        part = pairs.loc[keep, [*PAIR_COLUMNS, "report_id_from", "report_id_to"]].assign(
            column=column, expected=expected[keep], actual=actual[keep],
            difference=actual[keep] - expected[keep],
            status=_status(expected[keep], actual[keep], repaired[keep]),
            is_repaired=repaired[keep])
        parts.append(part)
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if len(frame):
        order = {c: i for i, c in enumerate(CARRY_COLUMNS)}
        frame = frame.sort_values(["body_id", "year_from", "column"],
                                  key=lambda s: s.map(order) if s.name == "column" else s)
    return _typed(frame, CARRY_OUT)


# ------------------------------------------------------------------ identity 6

def _stock_versions() -> set[str]:
    """The template versions whose rules rows print 现行有效件数 (in_force)."""
    template = load_template()
    rows = [r for r in template.active_rows if r.key in STOCK_ROWS]
    return {v for v in template.versions_in_order()
            if all("in_force" in (r.columns or {}).get(v, ()) for r in rows)}


def regulation_stock_balance(reports: pd.DataFrame, wide: pd.DataFrame,
                             repairs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Identity 6: in_force_t - (in_force_{t-1} + issued_t - repealed_t), per stock row.

    Why: the stock of rules and normative documents in force changes only by what the
    body issued and repealed that year; a non-zero balance is a counting error or an
    unreported clean-up. Only year-t reports on the 2021 template (the only one with
    现行有效件数) are checked; when `reports` has no `template`, year t qualifies if it gives
    any issued / repealed / in_force value. A year t-1 on the 2019 template has no
    in_force, so its pair is `not_checkable`. `repairs`: as for `carry_forward_chain` (a
    term the store read by identity 6 from this pair's other report makes the row
    `is_repaired` and `not_checkable`; the same value is evidence in the other pairs).
    """
    pairs = consecutive_pairs(reports)
    wide, _ = _wide(wide)
    if "template" in reports_table(reports).columns:
        is_2021 = pairs["template_to"].isin(_stock_versions()).fillna(False).to_numpy(dtype=bool)
    else:
        keys = [f"active.{r}.{c}" for r in STOCK_ROWS for c in ("issued", "repealed", "in_force")]
        given = np.zeros(len(pairs), dtype=bool)
        for key in keys:
            given |= ~np.isnan(_values(wide, key, pairs["report_id_to"]))
        is_2021 = given
    pairs = pairs[is_2021].reset_index(drop=True)
    parts = []
    for row in STOCK_ROWS:
        before = _values(wide, f"active.{row}.in_force", pairs["report_id_from"])
        issued = _values(wide, f"active.{row}.issued", pairs["report_id_to"])
        repealed = _values(wide, f"active.{row}.repealed", pairs["report_id_to"])
        actual = _values(wide, f"active.{row}.in_force", pairs["report_id_to"])
        expected = before + issued - repealed
        terms = [("from", f"active.{row}.in_force"),
                 *(("to", f"active.{row}.{c}") for c in ("issued", "repealed", "in_force"))]
        repaired = _repaired_here(repairs, STOCK, pairs, terms)
        parts.append(pairs[[*PAIR_COLUMNS, "report_id_from", "report_id_to"]].assign(
            row=row, in_force_before=before, issued=issued, repealed=repealed,
            expected=expected, actual=actual, balance=actual - expected,
            status=_status(expected, actual, repaired), is_repaired=repaired))
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if len(frame):
        frame = frame.sort_values(["body_id", "year_from", "row"])
    return _typed(frame, STOCK_OUT)


# ------------------------------------------------------------------ duplicates

_NULL = -1.2345e300  # stands for a null value inside a hashed value vector


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:
            self.parent[i], i = root, self.parent[i]
        return root

    def union(self, i: int, j: int) -> None:
        a, b = self.find(i), self.find(j)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def _row_hashes(block: FloatArray) -> npt.NDArray[np.uint64]:
    hashed = pd.util.hash_pandas_object(pd.DataFrame(block), index=False)
    return np.asarray(hashed.to_numpy(), dtype=np.uint64)


def _bucket_pairs(members: npt.NDArray[np.int64], year: npt.NDArray[np.int64],
                  hashes: npt.NDArray[np.uint64], max_bucket: int | None,
                  star: bool) -> list[npt.NDArray[np.int64]]:
    """Candidate pairs: reports of one year whose hashed block is the same.

    `star` pairs each member with the first (enough when the whole vector is equal);
    otherwise all pairs, and buckets above `max_bucket` are skipped: a table block shared
    by that many reports is a common pattern (all ones, all zeros), not a fingerprint.
    """
    if len(members) < 2:
        return []
    order = np.lexsort((hashes, year))
    members, year, hashes = members[order], year[order], hashes[order]
    new = np.r_[True, (year[1:] != year[:-1]) | (hashes[1:] != hashes[:-1])]
    starts = np.flatnonzero(new)
    sizes = np.diff(np.r_[starts, len(members)])
    out = []
    for start, size in zip(starts[sizes > 1], sizes[sizes > 1], strict=True):
        group = members[start:start + size]
        if star:
            out.append(np.column_stack([np.full(size - 1, group[0]), group[1:]]))
        elif max_bucket is None or size <= max_bucket:
            i, j = np.triu_indices(size, 1)
            out.append(np.column_stack([group[i], group[j]]))
    return out


def _distinct_nonzero(values: FloatArray, mask: BoolArray) -> npt.NDArray[np.int64]:
    """Per row: how many different non-zero values the masked cells hold."""
    kept = np.sort(np.where(mask & (values != 0), values, np.nan), axis=1)
    valid = ~np.isnan(kept)
    change = np.ones(kept.shape, dtype=bool)
    change[:, 1:] = kept[:, 1:] != kept[:, :-1]
    return np.asarray((valid & change).sum(axis=1), dtype=np.int64)


def _verify(values: FloatArray, pairs: npt.NDArray[np.int64], min_common: int,
            min_distinct: int, chunk: int = 20_000
            ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Pairs equal on every key both give, with enough keys (and distinct numbers) in common."""
    kept, common = [], []
    for start in range(0, len(pairs), chunk):
        part = pairs[start:start + chunk]
        a, b = values[part[:, 0]], values[part[:, 1]]
        both = ~(np.isnan(a) | np.isnan(b))
        equal = np.where(both, a == b, True).all(axis=1)
        n_common = both.sum(axis=1)
        ok = equal & (n_common >= min_common)
        ok[ok] = _distinct_nonzero(a[ok], both[ok]) >= min_distinct
        kept.append(part[ok])
        common.append(n_common[ok])
    if not kept:
        return np.zeros((0, 2), dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(kept), np.concatenate(common)


def _components(n: int, pairs: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Connected components of the pair graph: each node labelled by its smallest member."""
    union = _UnionFind(n)
    for i, j in pairs.tolist():
        union.union(i, j)
    return np.array([union.find(i) for i in range(n)], dtype=np.int64)


def duplicate_reports(reports: pd.DataFrame, wide: pd.DataFrame, *, min_common: int = 20,
                      min_distinct: int = 3, decimals: int = 4,
                      max_bucket: int = 200) -> pd.DataFrame:
    """Groups of different files that are one report, and bodies with two reports a year.

    Why: a report published on two pages, in two encodings or under two names would be
    counted twice in every roll-up. Kind `same_values`: reports of the same year whose
    values (rounded to `decimals`) agree on every key both give, with at least
    `min_common` keys in common holding at least `min_distinct` different non-zero
    numbers (tables of zeros, blanks and ones are alike across unrelated small bodies).
    Kind `same_body_year`: one body_id and year with different contents not all in one
    `same_values` group. The reason says whether agencies or body_ids differ. One row per
    report and group; `reports` should hold one row per report_id (different report_id =
    different file bytes; byte-identical copies are already `duplicate` rows of the store).

    Scales by hashing, not by comparing all pairs: candidates share the hash of their
    whole value vector, of one table's values (active / requests / review) or of all tables
    but one, which finds a pair where one copy has cells the other read as null (the page
    and text copies of one report); candidates are then verified. A hashed block shared by
    more than `max_bucket` reports of one year is a common pattern and gives no candidates.
    """
    meta = reports_table(reports).drop_duplicates(subset=["report_id"]).reset_index(drop=True)
    meta = meta.reindex(columns=list(dict.fromkeys(
        [*meta.columns, "report_id", "path", "agency", "year", "body_id"])))
    meta["year"] = meta["year"].astype("Int64")
    wide, _ = _wide(wide)
    keys = sorted(wide.columns)
    values = (wide.reindex(index=meta["report_id"].astype(object).to_numpy(), columns=keys)
              .to_numpy(dtype="float64", na_value=np.nan))
    values = np.round(values, decimals) + 0.0  # -0.0 becomes 0.0
    given = ~np.isnan(values)
    n_values = given.sum(axis=1)
    year = meta["year"].fillna(-1).to_numpy(dtype=np.int64)
    eligible = (year >= 0) & (n_values >= min_common)
    eligible[eligible] = _distinct_nonzero(values[eligible], given[eligible]) >= min_distinct
    filled = np.where(given, values, _NULL)

    candidates: list[npt.NDArray[np.int64]] = []
    index = np.arange(len(meta), dtype=np.int64)
    tables = sorted({k.split(".", 1)[0] for k in keys})
    table_of = np.array([k.split(".", 1)[0] for k in keys], dtype=object)
    blocks = [("", np.arange(len(keys)))]
    blocks += [(t, np.flatnonzero(table_of == t)) for t in tables]
    if len(tables) > 2:  # all tables but one: more numbers to tell reports apart
        blocks += [(f"-{t}", np.flatnonzero(table_of != t)) for t in tables]
    for table, columns in blocks:
        chosen = eligible.copy()
        if table:
            chosen[chosen] = _distinct_nonzero(values[np.ix_(chosen, columns)],
                                               given[np.ix_(chosen, columns)]) >= min_distinct
        if chosen.sum() < 2:
            continue
        hashes = _row_hashes(filled[np.ix_(chosen, columns)])
        candidates += _bucket_pairs(index[chosen], year[chosen], hashes,
                                    max_bucket, star=not table)
    pairs = (np.unique(np.sort(np.concatenate(candidates), axis=1), axis=0) if candidates
             else np.zeros((0, 2), dtype=np.int64))
    pairs, n_common = _verify(values, pairs, min_common, min_distinct)
    label = _components(len(meta), pairs)

    # same values: every report in a component of more than one
    least = (pd.Series(n_common, index=label[pairs[:, 0]]).groupby(level=0).min()
             if len(pairs) else pd.Series(dtype="int64"))
    in_group = np.isin(label, least.index.to_numpy())
    same_values = pd.DataFrame({"_i": index[in_group], "_group": label[in_group],
                                "kind": "same_values"})
    same_values["_detail"] = same_values["_group"].map(least).astype("int64").map(
        lambda n: f"same values ({n} keys in common)")

    # same body and year, not all of one same-values group
    keyed = (meta["body_id"].notna() & meta["year"].notna()).to_numpy()
    frame = pd.DataFrame({"_i": index[keyed], "body_id": meta["body_id"].to_numpy()[keyed],
                          "year": year[keyed], "_label": label[keyed],
                          "_comparable": n_values[keyed] >= min_common})
    by_key = frame.groupby(["body_id", "year"], sort=False)
    size = by_key["_i"].transform("size")
    one_group = (by_key["_label"].transform("nunique") == 1) & pd.Series(
        np.isin(frame["_label"], least.index.to_numpy()), index=frame.index)
    frame = frame[(size > 1) & ~one_group]
    comparable = frame.groupby(["body_id", "year"], sort=False)["_comparable"].transform("sum")
    same_body = pd.DataFrame({
        "_i": frame["_i"].to_numpy(),
        "_group": -1 - frame.groupby(["body_id", "year"], sort=False).ngroup().to_numpy(),
        "kind": "same_body_year",
        "_detail": np.where(comparable.to_numpy() >= 2,
                            "same body_id and year, different file content; values differ",
                            "same body_id and year, different file content; "
                            "too few values to compare")})

    members = pd.concat([same_values, same_body], ignore_index=True)
    if members.empty:
        return _typed(pd.DataFrame(), DUPLICATE_OUT)
    picked = meta.iloc[members["_i"].to_numpy()].reset_index(drop=True)
    out = pd.concat([members.reset_index(drop=True),
                     picked[["report_id", "path", "agency", "year", "body_id"]]], axis=1)
    out["n_values"] = n_values[members["_i"].to_numpy()]
    for column in ("agency", "body_id", "path"):  # a null is a value of its own here
        out[f"_{column}"] = out[column].astype(object).where(out[column].notna(), "").astype(str)
    groups = out.groupby("_group", sort=False)
    agencies = groups["_agency"].transform("nunique")
    bodies = groups["_body_id"].transform("nunique")
    is_values = out["kind"] == "same_values"
    reason = out["_detail"].astype(str)
    reason = reason + np.where(agencies > 1, "; agencies differ",
                               np.where(is_values, "; same agency", ""))
    reason = reason + np.where(is_values, np.where(bodies > 1, "; body_ids differ",
                                                   "; same body_id"), "")
    out["reason"] = reason
    out["_first"] = groups["_path"].transform("min")
    out["_kind"] = (~is_values).astype(int)
    out = out.sort_values(["_kind", "_first", "_group", "path"], kind="stable")
    out["group_id"] = out.groupby(["_kind", "_first", "_group"], sort=False).ngroup() + 1
    return _typed(out, DUPLICATE_OUT)


# ------------------------------------------------------------------ copied prose

_CHROME = re.compile(
    r"^\s*(?:【?(?:关闭|打印|保存|分享到?|打印本页|关闭窗口|附件下载|网站地图|扫一扫.*|"
    r"上一[条篇][::]?.*|下一[条篇][::]?.*|当前位置.*|主办单位.*|【打印】.*)】?)\s*$",
    re.MULTILINE)
_SPACE = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+(?:\.\d+)?")


def without_chrome(text: str) -> str:
    """The section's text up to the web page's chrome (关闭 / 打印 / 附件下载 / site names).

    Why: a page's footer repeats every year on the same site and is no part of the report.
    """
    match = _CHROME.search(text)
    return text if match is None else text[:match.start()]


def prose_text(text: str) -> str:
    """The section's words as compared: web-page chrome cut off (`without_chrome`),
    whitespace removed (spacing differs between page and file copies)."""
    return _SPACE.sub("", without_chrome(text))


def shingles(text: str, n: int = 3) -> npt.NDArray[np.uint64]:
    """Sorted distinct character n-grams of `text`, each packed into one integer.

    Numbers are collapsed to one symbol first: a copied text with this year's figures and
    dates put in is still a copy.
    """
    text = _DIGITS.sub("#", text)
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(codes) < n:
        return _sorted_unique(codes)
    packed = np.zeros(len(codes) - n + 1, dtype=np.uint64)
    for k in range(n):  # 21 bits per code point; n <= 3 fits in 64 bits
        packed = (packed << np.uint64(21)) | codes[k:len(codes) - n + 1 + k]
    return _sorted_unique(packed)


def _sorted_unique(array: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """np.unique by sorting (np.unique's hash path is slow on many small arrays)."""
    array = np.sort(array)
    if len(array) < 2:
        return array
    keep = np.empty(len(array), dtype=bool)
    keep[0] = True
    np.not_equal(array[1:], array[:-1], out=keep[1:])
    return array[keep]


def jaccard(a: npt.NDArray[np.uint64], b: npt.NDArray[np.uint64]) -> float:
    """|a ∩ b| / |a ∪ b| of two sorted distinct shingle arrays."""
    if not len(a) and not len(b):
        return float("nan")
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    if not len(small):
        return 0.0
    at = np.minimum(np.searchsorted(large, small), len(large) - 1)
    inter = int(np.count_nonzero(large[at] == small))
    return inter / (len(a) + len(b) - inter)


def copied_prose(reports: pd.DataFrame, sections: pd.DataFrame, threshold: float = 0.9, *,
                 min_chars: int = 40, ngram: int = 3,
                 compare: Iterable[str] = PROSE_SECTIONS) -> pd.DataFrame:
    """Prose sections of year t+1 that repeat year t's (character n-gram Jaccard).

    Why: a report whose 总体情况 or 存在的主要问题 is last year's text with new numbers
    says nothing about the year it reports on. Compares each body's consecutive years,
    per section in `compare` that either report has; `similarity` is the Jaccard index of
    character `ngram`-grams of the whitespace-free text (numbers collapsed, page chrome
    cut). A section shorter than `min_chars` on either side (无, 本年度未收取费用) is not
    judged: similarity and is_copied are null.
    """
    if not 1 <= ngram <= 3:
        raise ValueError("ngram must be 1, 2 or 3")
    wanted = tuple(compare)
    pairs = consecutive_pairs(reports)
    ids = set(pairs["report_id_from"]) | set(pairs["report_id_to"])
    prose = sections[sections["section"].isin(wanted) & sections["report_id"].isin(ids)]
    prose = prose.drop_duplicates(subset=["report_id", "section"])
    texts: dict[tuple[str, str], str] = {
        (str(r), str(s)): prose_text(str(t)) if isinstance(t, str) else ""
        for r, s, t in zip(prose["report_id"], prose["section"], prose["text"], strict=True)}
    cache: dict[tuple[str, str], npt.NDArray[np.uint64]] = {}

    def grams(key: tuple[str, str]) -> npt.NDArray[np.uint64]:
        if key not in cache:
            cache[key] = shingles(texts[key], ngram)
        return cache[key]

    rows = []
    for pair in pairs.itertuples(index=False):
        for section in wanted:
            before, after = (str(pair.report_id_from), section), (str(pair.report_id_to), section)
            if before not in texts and after not in texts:
                continue
            n_from, n_to = len(texts.get(before, "")), len(texts.get(after, ""))
            similarity: float | None = None
            copied: bool | None = None
            if min(n_from, n_to) >= min_chars:
                similarity = jaccard(grams(before), grams(after))
                copied = similarity >= threshold
            rows.append((pair.body_id, pair.agency, pair.year_from, pair.year_to, section,
                         similarity, copied, n_from, n_to, pair.report_id_from,
                         pair.report_id_to))
    frame = pd.DataFrame(rows, columns=PROSE_OUT)
    return _typed(frame, PROSE_OUT)


# ------------------------------------------------------------------ corpus

def cross_checks(corpus: Corpus) -> dict[str, pd.DataFrame]:
    """All four checks on a loaded store: carry_forward, regulation_stock, duplicates, copied_prose.

    Values are the store's (`facts`: cross-year repairs applied); a year check whose side the
    store read by that very check's identity is `not_checkable` and `is_repaired`.

    The year checks use `corpus.reports` (one report per body and year); duplicates look
    at every parsed report (`corpus.all_reports`, status ok / partial), so they see the
    copies `one_per_body_year` dropped. Values are every canonical key from `facts`
    (`corpus.wide` holds only the indicator keys).
    """
    facts = corpus.con.sql("SELECT report_id, key, value FROM facts").df()
    if len(facts):
        wide = with_presence(wide_values(facts), facts)
    else:
        wide = pd.DataFrame(index=pd.Index([], name="report_id", dtype="object"))
    sections = corpus.con.sql("SELECT report_id, section, text FROM sections").df()
    repairs = corpus.con.sql(
        "SELECT report_id, key, identity, other_report_id FROM repairs").df()
    everything = corpus.all_reports
    usable = everything[everything["status"].isin([str(s) for s in USABLE_STATUSES])]
    return {
        "carry_forward": carry_forward_chain(corpus.reports, wide, repairs),
        "regulation_stock": regulation_stock_balance(corpus.reports, wide, repairs),
        "duplicates": duplicate_reports(usable, wide),
        "copied_prose": copied_prose(corpus.reports, sections),
    }


__all__ = [
    "carry_forward_chain", "copied_prose", "cross_checks", "duplicate_reports", "jaccard",
    "prose_text", "regulation_stock_balance", "shingles", "without_chrome",
]
