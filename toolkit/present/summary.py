"""The main job's closing summary: what the store holds, where, when, and the headline figures."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from toolkit.analysis.corpus import load
from toolkit.analysis.indicators import BY_NAME
from toolkit.present.formatting import fmt_value
from toolkit.spec.vocab import Level

HEADLINE = ("requests_received", "disclosure_rate", "refusal_rate", "review_correction_rate")


def summary_text(store: str | Path) -> str:
    """A plain-text summary of a store: statuses, years, regions and headline indicators."""
    corpus = load(store)
    everything = corpus.all_reports
    lines = [f"store: {store}", "", "reports by status:"]
    for status, count in everything["status"].value_counts().sort_index().items():
        lines.append(f"  {status:<12} {count:>6}")
    reports = corpus.reports
    unusable = corpus.unusable
    lines += ["", f"usable reports (one per body and year): {len(reports)}",
              f"set aside as unusable (unreadable, or under half the template read): "
              f"{len(unusable)}",
              "years: " + ", ".join(f"{y} ({n})" for y, n in
                                    reports["year"].value_counts().sort_index().items()),
              "templates: " + ", ".join(f"{t} ({n})" for t, n in
                                        reports["template"].value_counts().sort_index().items()),
              f"bodies placed in a region: {reports['adcode'].notna().sum()} of {len(reports)}"]
    tree = corpus.region_tree()
    lines += ["", "regions (province › city › county), with reports:"]
    def set_aside(region: pd.Series) -> str:
        n = int(region["n_reports_unusable"])
        return f" (+{n} unusable)" if n else ""

    for _, province in tree[tree["level"] == Level.PROVINCE].iterrows():
        lines.append(f"  {province['name']} [{province['adcode']}] {province['n_reports']} "
                     f"usable report(s){set_aside(province)}, years {province['years'] or '—'}")
        for _, city in corpus.children(province["adcode"]).iterrows():
            if city["level"] == Level.CITY:
                lines.append(f"    {city['name']} [{city['adcode']}] {city['n_reports']}"
                             f"{set_aside(city)}")
            for _, county in corpus.children(city["adcode"]).iterrows():
                lines.append(f"      {county['name']} [{county['adcode']}] "
                             f"{county['n_reports']}{set_aside(county)}")
    lines += ["", "headline indicators by province and year (counts summed, then divided; "
                  "[the bodies behind them]):"]
    table = corpus.rollup(Level.PROVINCE).reset_index()
    table = table[table["indicator"].isin(HEADLINE)]
    names = tree.drop_duplicates("adcode").set_index("adcode")["name"]
    for (region, year), group in table.groupby(["region", "year"]):
        cells = []
        for name in HEADLINE:
            row = group[group["indicator"] == name]
            if row.empty:
                continue
            indicator = BY_NAME[name]
            cells.append(f"{indicator.name}={fmt_value(row['value'].iloc[0], indicator.is_rate)}")
        mix = group["body_mix"].iloc[0]
        lines.append(f"  {names.get(region, region)} {year}: " + "  ".join(cells)
                     + f"  [{mix}]")
    from toolkit.analysis.crosscheck import cross_checks

    found = cross_checks(corpus)
    lines += ["", "cross-report checks:"]
    for name, frame in found.items():
        if "status" in frame.columns:
            failing = int((frame["status"] == "fail").sum())
            lines.append(f"  {name}: {len(frame)} checked, {failing} failing")
        elif "is_copied" in frame.columns:
            lines.append(f"  {name}: {len(frame)} compared, "
                         f"{int(frame['is_copied'].fillna(False).astype(bool).sum())} copied")
        else:
            groups = frame["group_id"].nunique() if len(frame) else 0
            lines.append(f"  {name}: {groups} group(s) of one report published more than once")
            for _, group in frame.groupby("group_id"):
                lines.append("    " + " = ".join(Path(p).name for p in group["path"]))
    unplaced = reports[reports["adcode"].isna()]
    if len(unplaced):
        lines += ["", f"not placed ({len(unplaced)}): see reports.region_reason in the store"]
    return "\n".join(lines)
