"""The explorer app: widgets over a `Corpus`, one plain update method per interaction.

`Explorer(corpus).ui` is the whole app (JupyterLab and Voilà show the same thing). It opens
on the region with the most usable body-years (`Views.default_region`) and an indicator
with data there. Each widget's observer calls one method (`set_region`, `set_years`,
`set_kind`, `set_indicator`, `set_peer_group`, `set_peer_tier`, `show_view`,
`show_report`); the methods can be called directly, so tests and the benchmark drive the
app without a browser. Only the view on screen is rendered (one vl-convert call); the
others are re-rendered when their tab is opened, and only if what they depend on changed.
The chart on screen is offered for download as PNG and SVG, with its table as CSV
(`toolkit.present.downloads`): those links are rebuilt after the chart is shown, and timed
apart (`Timing.download_ms`). Every update is timed in `timings`.
"""
from __future__ import annotations

import html
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import altair as alt
import ipywidgets as w

from toolkit.analysis.compare import CompareError, compare_in_store
from toolkit.analysis.corpus import Corpus
from toolkit.analysis.indicators import BY_NAME
from toolkit.present import downloads
from toolkit.present.comparison import ComparisonView
from toolkit.present.downloads import Download
from toolkit.present.explore import (
    PEER_GROUPS,
    PEER_TIERS,
    VIEWS,
    Selection,
    Views,
    selection_with,
)
from toolkit.present.panels import (
    cells_html,
    checks_html,
    grid_html,
    headline_html,
    peers_html,
    quality_html,
    unusable_html,
)
from toolkit.present.render import SvgRenderer, export_chart, register_cjk_font
from toolkit.spec.vocab import ALL_KINDS, KIND_LABELS

ALL = ""  # dropdown value meaning "the whole region above"
TABLES = {"requests": "三、依申请公开", "review": "四、复议诉讼", "active": "二、主动公开"}
COMPARE_TAB = "两年对照"
"""The tab after the chart views: one body's two years side by side (no chart, no downloads)."""
PNG_CACHE = 16
"""PNG downloads kept (by their SVG), so going back to a view does not rasterise it again."""


@dataclass(frozen=True)
class Timing:
    """How long one interaction took, split into queries + chart building and rendering."""

    event: str
    view: str
    query_ms: float
    render_ms: float
    total_ms: float
    download_ms: float = 0.0
    """Rebuilding the download links after the chart is shown (PNG rasterising mostly):
    not part of `total_ms`, the time until the reader sees the update."""


class Explorer:
    """Region, years, body kind, indicator and peer widgets driving seven views.

    Without `adcode` it opens on `Views.default_region()` (the region with the most usable
    body-years, the most specific of equals); without `indicator`, on the disclosure rate
    or, where the region has none, the first indicator with data there."""

    def __init__(self, corpus: Corpus | Views, adcode: str | None = None,
                 indicator: str | None = None, kind: str = ALL_KINDS,
                 years: tuple[int, int] | None = None, peer_group: str = "siblings",
                 view: str = "trend", warm: bool = True, cache_size: int = 64,
                 peer_tier: str = "own") -> None:
        self.views = corpus if isinstance(corpus, Views) else Views(corpus)
        if warm:
            self.views.warm()
        register_cjk_font()  # the PNG downloads need the CJK font even when not warmed
        self.render = SvgRenderer(cache_size)
        self.timings: list[Timing] = []
        self._busy = False
        self._rendered: dict[str, tuple[object, ...]] = {}
        self._downloaded: tuple[object, ...] | None = None
        self._png: dict[str, bytes] = {}
        self.files: list[Download] = []
        if indicator is not None and indicator not in BY_NAME:
            raise KeyError(f"unknown indicator {indicator!r}; choose from {sorted(BY_NAME)}")
        if peer_tier not in PEER_TIERS:
            raise KeyError(f"unknown peer tier {peer_tier!r}; choose from {list(PEER_TIERS)}")
        start = adcode or self.views.default_region()
        span = self.views.year_range()
        if indicator is None:
            indicator = (self.views.default_indicator(str(start)) if start is not None
                         else "disclosure_rate")
        self._build_widgets(span, indicator, kind, peer_group, peer_tier, view)
        if start is None or span is None:
            self.selection: Selection | None = None
            self.headline.value = self._empty_message()
            return
        self.selection = Selection(str(start), years or span, kind, indicator, peer_group,
                                   peer_tier)
        with self._quiet():
            self._show_path(str(start))
        self._refresh("start")

    # -- widgets -----------------------------------------------------------------------

    def _empty_message(self) -> str:
        """What the app says on a store with no usable report (instead of a chart)."""
        unusable = len(self.views.corpus.unusable)
        files = (f"它的{unusable}份文件都无法使用(无法读取,或读出的表格单元格不足一半)。"
                 if unusable else "")
        return ("<div class='ogi-headline-box'><b>这个数据库里没有可用的报告。</b>"
                f"{files}<br><span style='color:#666'>No usable reports in this store: "
                "ingest some with <code>make run</code> (or "
                "<code>python -m toolkit ingest DIR</code>).</span></div>")

    def _build_widgets(self, span: tuple[int, int] | None, indicator: str, kind: str,
                       peer_group: str, peer_tier: str, view: str) -> None:
        layout = w.Layout(width="230px")
        style = {"description_width": "40px"}
        self.province = w.Dropdown(description="省", options=[], layout=layout, style=style)
        self.city = w.Dropdown(description="市", options=[("—", ALL)], layout=layout, style=style)
        self.county = w.Dropdown(description="区县", options=[("—", ALL)], layout=layout,
                                 style=style)
        for dropdown, css in ((self.province, "ogi-province"), (self.city, "ogi-city"),
                              (self.county, "ogi-county")):
            dropdown.add_class(css)
        self.province.options = self.views.region_options(None)
        low, high = span or (2019, 2019)
        self.years = w.IntRangeSlider(description="年份", min=low, max=high, value=(low, high),
                                      continuous_update=False, disabled=low == high,
                                      layout=w.Layout(width="420px"), style=style)
        self.kind = w.ToggleButtons(value=kind, style={"button_width": "80px"},
                                    options=[(label, key) for key, label in KIND_LABELS.items()])
        self.indicator = w.Dropdown(description="指标", options=self.views.indicator_options(),
                                    value=indicator, layout=w.Layout(width="700px"), style=style)
        self.peer_group = w.ToggleButtons(value=peer_group, style={"button_width": "150px"},
                                          options=[(label, key) for key, label in
                                                   PEER_GROUPS.items()])
        self.peer_tier = w.ToggleButtons(value=peer_tier, style={"button_width": "150px"},
                                         options=[(label, key) for key, label in
                                                  PEER_TIERS.items()])
        self.kind.add_class("ogi-kind")
        self.peer_group.add_class("ogi-peer-group")
        self.peer_tier.add_class("ogi-peer-tier")
        self.headline = w.HTML().add_class("ogi-headline")
        self.downloads = w.HTML().add_class("ogi-download-links")
        self.panels = {name: w.HTML().add_class(f"ogi-view-{name}") for name in VIEWS}
        self.peer_list = w.HTML().add_class("ogi-peer-table")
        self.unusable = w.HTML().add_class("ogi-unusable-table")
        self.checks = w.HTML().add_class("ogi-checks-table")
        self.report = w.Dropdown(description="报告", options=[("— 选择一份报告查看 —", ALL)],
                                 layout=w.Layout(width="600px"), style=style).add_class("ogi-report")
        self.table = w.ToggleButtons(options=[(label, key) for key, label in TABLES.items()],
                                     value="requests", style={"button_width": "110px"})
        self.quality_table = w.HTML().add_class("ogi-quality-table")
        self.grid = w.HTML(layout=w.Layout(width="55%"))
        self.cells = w.HTML(layout=w.Layout(width="45%", max_height="520px", overflow="auto"))
        quality = w.VBox([self.panels["quality"], self.unusable, self.checks,
                          self.quality_table, w.HBox([self.report, self.table]),
                          w.HBox([self.grid, self.cells])])
        boxes = {"quality": quality, "peers": w.VBox([self.panels["peers"], self.peer_list])}
        children = [boxes.get(name, self.panels[name]) for name in VIEWS]
        self.compare_body = w.Dropdown(description="机关", options=[], style=style,
                                       layout=w.Layout(width="520px")).add_class("ogi-compare-body")
        self.compare_from = w.Dropdown(description="前一年", options=[], style=style,
                                       layout=w.Layout(width="150px"))
        self.compare_to = w.Dropdown(description="后一年", options=[], style=style,
                                     layout=w.Layout(width="150px"))
        self.compare_panel = w.HTML().add_class("ogi-compare-panel")
        children.append(w.VBox([w.HBox([self.compare_body, self.compare_from, self.compare_to]),
                                self.compare_panel]))
        self.tabs = w.Tab(children=children, titles=[*VIEWS.values(), COMPARE_TAB],
                          selected_index=list(VIEWS).index(view))
        self._chart_view = view
        label = w.Layout(width="44px")
        self.ui = w.VBox([
            w.HBox([self.province, self.city, self.county]),
            self.years,
            w.HBox([w.Label("机关", layout=label), self.kind]),
            self.indicator,
            w.HBox([w.Label("同级", layout=label), self.peer_group, self.peer_tier]),
            self.headline,
            self.downloads,
            self.tabs,
        ]).add_class("ogi-explorer")
        self.province.observe(lambda c: self._on_region(0, c["new"]), "value")
        self.city.observe(lambda c: self._on_region(1, c["new"]), "value")
        self.county.observe(lambda c: self._on_region(2, c["new"]), "value")
        self.years.observe(lambda c: self._unless_busy(self.set_years, tuple(c["new"])), "value")
        self.kind.observe(lambda c: self._unless_busy(self.set_kind, c["new"]), "value")
        self.indicator.observe(lambda c: self._unless_busy(self.set_indicator, c["new"]), "value")
        self.peer_group.observe(lambda c: self._unless_busy(self.set_peer_group, c["new"]),
                                "value")
        self.peer_tier.observe(lambda c: self._unless_busy(self.set_peer_tier, c["new"]),
                               "value")
        self.tabs.observe(lambda c: self._unless_busy(self._on_tab, c["new"]), "selected_index")
        self.compare_body.observe(lambda c: self._unless_busy(self.show_compare, c["new"]),
                                  "value")
        for year in (self.compare_from, self.compare_to):
            year.observe(lambda c: self._unless_busy(
                lambda _: self.show_compare(self.compare_body.value,
                                            (self.compare_from.value, self.compare_to.value)),
                c["new"]), "value")
        self.report.observe(lambda c: self._unless_busy(self.show_report, c["new"]), "value")
        self.table.observe(lambda c: self._unless_busy(self.show_report, self.report.value),
                           "value")

    @contextmanager
    def _quiet(self) -> Iterator[None]:
        """Change several widgets without each change triggering an update."""
        busy, self._busy = self._busy, True
        try:
            yield
        finally:
            self._busy = busy

    def _unless_busy(self, method: object, value: object) -> None:
        if not self._busy:
            method(value)  # type: ignore[operator]

    def _on_region(self, depth: int, value: str | None) -> None:
        if self._busy:
            return
        if value in (ALL, None):
            above = [self.province, self.city][depth - 1].value if depth else None
            if above:
                self.set_region(str(above))
            return
        self.set_region(str(value))

    def _show_path(self, adcode: str) -> None:
        """Put the dropdowns on `adcode`'s path; fill each with the children of the one above."""
        path = self.views.region_path(adcode)
        dropdowns = (self.province, self.city, self.county)
        for depth, dropdown in enumerate(dropdowns):
            if depth:
                parent = path[depth - 1] if depth - 1 < len(path) else None
                options = self.views.region_options(parent) if parent else []
                placeholder = "— 全省 —" if depth == 1 else "— 全市 —"
                dropdown.options = [(placeholder if options else "—", ALL), *options]
                dropdown.disabled = not options
            dropdown.value = path[depth] if depth < len(path) else ALL

    # -- the interactions ----------------------------------------------------------------

    def set_region(self, adcode: str) -> Timing:
        """Select a region (province, city or county adcode) and update."""
        self.views.region(adcode)  # unknown codes fail here, with a message
        with self._quiet():
            self._show_path(str(adcode))
        return self._change("region", adcode=str(adcode))

    def set_years(self, years: tuple[int, int]) -> Timing:
        """Select the first and last year (inclusive) and update."""
        with self._quiet():
            self.years.value = years
        return self._change("years", years=(int(years[0]), int(years[1])))

    def set_kind(self, kind: str) -> Timing:
        """Select all bodies, people's governments or departments and update."""
        with self._quiet():
            self.kind.value = kind
        return self._change("kind", kind=kind)

    def set_indicator(self, indicator: str) -> Timing:
        """Select an indicator of docs/DATA_DICTIONARY.md (its name, e.g. disclosure_rate) and update."""
        with self._quiet():
            self.indicator.value = indicator
        return self._change("indicator", indicator=indicator)

    def set_peer_group(self, peer_group: str) -> Timing:
        """Compare with regions under the same parent (siblings) or the whole level."""
        with self._quiet():
            self.peer_group.value = peer_group
        return self._change("peer_group", peer_group=peer_group)

    def set_peer_tier(self, peer_tier: str) -> Timing:
        """Compare each region's own-level bodies of one kind (`own`, like with like) or
        each region's whole figure (`all`)."""
        if peer_tier not in PEER_TIERS:
            raise KeyError(f"unknown peer tier {peer_tier!r}; choose from {list(PEER_TIERS)}")
        with self._quiet():
            self.peer_tier.value = peer_tier
        return self._change("peer_tier", peer_tier=peer_tier)

    def show_view(self, view: str) -> Timing:
        """Open a tab; its chart is rendered now if the selection changed since last time."""
        with self._quiet():
            self.tabs.selected_index = list(VIEWS).index(view)
        self._chart_view = view
        return self._refresh("view", headline=False)

    def _on_tab(self, index: int) -> None:
        if index < len(VIEWS):
            self.show_view(list(VIEWS)[index])
        else:
            self.show_compare()

    def show_compare(self, body: str | None = None, years: tuple[int, int] | None = None
                     ) -> Timing:
        """The 两年对照 tab: a body of the selected region (with two usable years or more)
        and two of its years side by side (`toolkit.present.comparison`), by default the
        body with the most years and its latest two."""
        started = time.perf_counter()
        bodies = self.views.compare_bodies(self.selection) if self.selection else []
        years_of = {b: y for _, b, y in bodies}
        with self._quiet():
            self.tabs.selected_index = len(VIEWS)
            self.compare_body.options = [(label, b) for label, b, _ in bodies]
            chosen = body if body in years_of else (bodies[0][1] if bodies else None)
            self.compare_body.value = chosen
            options = years_of.get(chosen or "", [])
            self.compare_from.options = self.compare_to.options = options
            if options:
                pick = years if years and all(y in options for y in years) else (
                    options[-2], options[-1])
                self.compare_from.value, self.compare_to.value = pick
        queried = time.perf_counter()
        if chosen is None:
            self.compare_panel.value = ("<p>所选地区和机关类型中没有哪个机关有两年以上的可用报告,"
                                        "无法对照。</p>")
        else:
            try:
                comparison = compare_in_store(self.views.corpus, chosen, self.compare_from.value,
                                              self.compare_to.value)
                region = comparison.later.meta.get("adcode")
                path = self.views.region(region).path if isinstance(region, str) else ""
                self.compare_panel.value = ComparisonView(comparison, path).html()
            except CompareError as error:
                self.compare_panel.value = f"<p>{html.escape(str(error))}</p>"
        return self._timed("compare", "compare", started, queried, time.perf_counter())

    def show_report(self, report_id: str | None) -> Timing:
        """The drill-down: a report's table next to the source text of its cells."""
        started = time.perf_counter()
        if not report_id:
            self.grid.value = self.cells.value = ""
            return self._timed("report", "quality", started, started, started)
        drill = self.views.drilldown(str(report_id), self.table.value)
        queried = time.perf_counter()
        agency = drill.report.get("agency")
        title = (f"<b>{agency if isinstance(agency, str) else '(机关名称未识别)'} "
                 f"{drill.report.get('year') or ''}年</b> · {TABLES[drill.table]} · "
                 f"<code>{drill.report.get('path')}</code><br>")
        self.grid.value = title + grid_html(drill.grid)
        self.cells.value = cells_html(drill.cells, drill.checks)
        return self._timed("report", "quality", started, queried, queried)

    def forget(self) -> None:
        """Drop remembered query answers and PNG downloads (benchmarks time cold updates)."""
        self.views.forget()
        self._png.clear()

    @property
    def view(self) -> str:
        """The chart view on screen (the last one shown while 两年对照 is open)."""
        index = self.tabs.selected_index or 0
        return list(VIEWS)[index] if index < len(VIEWS) else self._chart_view

    def chart(self, view: str | None = None) -> alt.TopLevelMixin:
        """The chart of a view for the current selection (to display or export)."""
        if self.selection is None:
            raise ValueError("no selection: the store has no usable reports")
        return self.views.chart(view or self.view, self.selection)

    def export(self, view: str, path: str | Path) -> Path:
        """Write a view's chart to .png or .svg (with the CJK font)."""
        return export_chart(self.chart(view), path)

    # -- updating ------------------------------------------------------------------------

    def _change(self, event: str, **changes: object) -> Timing:
        if self.selection is None:
            raise ValueError("no selection: the store has no usable reports")
        self.selection = selection_with(self.selection, **changes)
        timing = self._refresh(event)
        if (self.tabs.selected_index or 0) >= len(VIEWS):
            self.show_compare(self.compare_body.value)
        return timing

    def _refresh(self, event: str, headline: bool = True) -> Timing:
        """Recompute the headline and render the visible view if it is out of date; then
        rebuild the download links for what is on screen."""
        started = time.perf_counter()
        sel = self.selection
        view = self.view
        if sel is None:
            return self._timed(event, view, started, started, started)
        if headline:
            self.headline.value = headline_html(self.views.headline(sel))
        stale = self._rendered.get(view) != sel.key(view)
        chart = self.views.chart(view, sel) if stale else None
        extras = self._extras(view, sel) if stale else {}
        queried = time.perf_counter()
        svg = self.render(chart) if chart is not None else None
        rendered = time.perf_counter()
        if svg is not None:
            self.panels[view].value = svg
            self._rendered[view] = sel.key(view)
        for widget, value in extras.items():
            widget.value = value
        if stale and view == "quality":
            self._report_choices(sel)
        timing = self._timed(event, view, started, queried, rendered)
        return self._update_downloads(timing)

    def _extras(self, view: str, sel: Selection) -> dict[w.HTML, str]:
        """The HTML beside a view's chart: the peers listed, or the quality tab's tables."""
        if view == "peers":
            indicator = BY_NAME[sel.indicator]
            return {self.peer_list: peers_html(self.views.peers(sel),
                                               self.views.peer_standing(sel),
                                               indicator.is_rate)}
        if view == "quality":
            return {self.unusable: unusable_html(self.views.unusable(sel)),
                    self.checks: checks_html(self.views.failed_checks(sel)),
                    self.quality_table: quality_html(self.views.quality_reports(sel))}
        return {}

    def _report_choices(self, sel: Selection) -> None:
        """The drill-down's reports: those with problems, then the files left out."""
        problems = self.views.quality_reports(sel)
        unusable = self.views.unusable(sel)

        def name(agency: object) -> str:
            return agency if isinstance(agency, str) else "(机关名称未识别)"

        options = [(f"{name(a)} {y}年", str(r)) for a, y, r in zip(
            problems["agency"], problems["year"], problems["report_id"], strict=True)][:200]
        options += [(f"{name(a)} {'' if y is None or y != y else y}年(未计入)", str(r))
                    for a, y, r in zip(unusable["agency"], unusable["year"],
                                       unusable["report_id"], strict=True)][:100]
        with self._quiet():
            self.report.options = [("— 选择一份报告查看 —", ALL), *options]
            self.report.value = ALL
        self.grid.value = self.cells.value = ""

    # -- downloads -----------------------------------------------------------------------

    def download_files(self, view: str | None = None) -> list[Download]:
        """The files offered for a view of the current selection: its chart as PNG and SVG,
        its table (`Views.table`) as CSV. The visible view's are `files`."""
        if self.selection is None:
            return []
        view = view or self.view
        sel = self.selection
        if view == self.view and self._rendered.get(view) == sel.key(view):
            svg = self.panels[view].value
        else:
            svg = self.render(self.views.chart(view, sel))
        png = self._png.get(svg)
        if png is None:
            png = downloads.png_bytes(svg)
            self._png[svg] = png
            while len(self._png) > PNG_CACHE:
                self._png.pop(next(iter(self._png)))
        return downloads.downloads(downloads.file_stem(sel, view), svg,
                                   self.views.table(view, sel), png=png)

    def _update_downloads(self, timing: Timing) -> Timing:
        """Rebuild the links when the view on screen or its selection changed."""
        sel = self.selection
        if sel is None:
            return timing
        key = (self.view, sel.key(self.view))
        if key == self._downloaded:
            return timing
        started = time.perf_counter()
        self.files = self.download_files()
        self.downloads.value = downloads.links_html(self.files)
        self._downloaded = key
        timed = replace(timing, download_ms=round((time.perf_counter() - started) * 1000, 1))
        self.timings[-1] = timed
        return timed

    def _timed(self, event: str, view: str, started: float, queried: float,
               rendered: float) -> Timing:
        done = time.perf_counter()
        timing = Timing(event, view, round((queried - started) * 1000, 1),
                        round((rendered - queried) * 1000, 1), round((done - started) * 1000, 1))
        self.timings.append(timing)
        return timing


def explorer(store: str | Path, **options: object) -> Explorer:
    """Open a store and build the explorer on it (what the notebook calls)."""
    from toolkit.present.explore import open_corpus

    return Explorer(open_corpus(store), **options)  # type: ignore[arg-type]


__all__ = ["Explorer", "Timing", "explorer"]
