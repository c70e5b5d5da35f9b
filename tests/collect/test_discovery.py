"""The discovery rules as data: which links are reports, lists and files, per CMS family."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from toolkit.collect import discovery
from toolkit.collect.discovery import DiscoveryError, Link, load_rules, parse_rules
from toolkit.collect.outcome import Kind, Outcome

RULES = load_rules()
TOML = (Path(discovery.__file__).parent / "discovery.toml").read_text("utf-8")
BASE = "http://www.example.gov.cn/xxgk/ndbg/index.html"


@pytest.mark.parametrize(("text", "year"), [
    pytest.param("某区人民政府2022年政府信息公开工作年度报告", 2022, id="standard"),
    pytest.param("2021年度政府信息公开工作年度报告", 2021, id="niandu"),
    pytest.param("某局2020年政府信息公开年报", 2020, id="nianbao"),
    pytest.param("某县2019年政务公开工作年度报告", 2019, id="zhengwu"),
    pytest.param("某市２０１８年政府信息公开工作报告", 2018, id="full-width-digits"),
    pytest.param("关于报送2023年度政府信息公开工作年度报告的通知", None, id="notice"),
    pytest.param("2022年政府信息公开工作年度报告解读", None, id="interpretation"),
    pytest.param("政府信息公开年报", None, id="no-year"),
    pytest.param("2022年部门预算", None, id="budget"),
])
def test_report_names(text: str, year: int | None) -> None:
    assert discovery.report_year(RULES, text) == year


def test_links_of_a_trs_list() -> None:
    html = ("<html><head><title>政府信息公开年报</title></head><body>"
            "<a href='/'>首页</a><a href='/xxgk/'>政府信息公开</a><ul>"
            "<li><a href='./202301/t20230115_1.html' title='某区2022年政府信息公开工作年度报告'>"
            "某区2022年政府信息公开工作年...</a></li>"
            "<li><a href='./P020220130.pdf'>某区2021年政府信息公开工作年度报告</a></li>"
            "<li><a href='../tzgg/1.html'>关于春节假期的通知</a></li></ul>"
            "<a href='index_1.html'>下一页</a><a href='index_2.html'>尾页</a>"
            "<script>createPageHTML(4, 0, \"index\", \"html\");</script></body></html>")
    view = discovery.read_html(RULES, BASE, html)
    reports = {(link.url.rsplit("/", 1)[1], link.kind, link.year) for link in view.report_links}
    assert reports == {("t20230115_1.html", Kind.REPORT, 2022),
                       ("P020220130.pdf", Kind.ATTACHMENT, 2021)}
    assert discovery.page_outcome(RULES, view, Kind.LIST, None) == (Outcome.LIST, "")
    trs = [link for link in view.list_links if link.family == "trs"]
    assert [link.url.rsplit("/", 1)[1] for link in trs] == [
        "index_1.html", "index_2.html", "index_3.html"]
    assert {link.list_key for link in trs} == {"http://www.example.gov.cn/xxgk/ndbg/index"}
    columns = [link.url for link in view.list_links if link.family == "column"]
    assert columns == ["http://www.example.gov.cn/xxgk/"]
    assert [link.anchor for link in view.pager_links] == ["下一页", "尾页"]


def test_trs_pages_stop_past_the_list_limit() -> None:
    html = '<script>createPageHTML(1000, 0, "index", "html");</script>'
    pages = discovery.trs_pages(RULES, BASE, html)
    assert len(pages) == RULES.max_list_pages  # + index.html itself = limit + 1
    assert pages[-1].url.endswith(f"index_{RULES.max_list_pages}.html")


HANWEB_PAGE = (
    '<div id="4171"><script type="text/xml"><datastore><nextgroup><![CDATA['
    '<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=3&path=/&columnid=4171'
    '&unitid=9527&permissiontype=0"></a>]]></nextgroup><recordset>'
    '<record><![CDATA[<li><a href="/art/2023/1/30/art_4171_1.html" title="区财政局2022年政府'
    '信息公开工作年度报告">区财政局2022年…</a></li>]]></record></recordset></datastore></script>'
    "</div><script>$('#4171').jpage({proxyUrl:'/module/web/jpage/dataproxy.jsp', perPage:15,"
    " totalRecord:100, groupSize:3});</script>")


def test_hanweb_list_from_its_page_and_dataproxy_answers() -> None:
    url = "http://www.example.gov.cn/col/col4171/index.html"
    view = discovery.read_html(RULES, url, f"<html><body>{HANWEB_PAGE}</body></html>")
    assert [link.url for link in view.report_links] == [
        "http://www.example.gov.cn/art/2023/1/30/art_4171_1.html"]
    proxies = [link.url for link in view.list_links if link.family == "hanweb"]
    assert len(proxies) == 3  # 100 records, 45 a request
    assert proxies[0] == ("http://www.example.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=1"
                          "&endrecord=45&perpage=15&appid=1&webid=3&path=%2F&columnid=4171"
                          "&unitid=9527&permissiontype=0")
    answer = ('<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>100</totalrecord>'
              '<recordset><record><![CDATA[<li><a href="/art/2022/1/2/art_4171_9.html">'
              "区教育局2021年政府信息公开工作年度报告</a></li>]]></record></recordset></datastore>")
    links = discovery.read_hanweb_xml(RULES, proxies[0], answer)
    assert [(link.kind, link.year) for link in links if link.kind == Kind.REPORT] == [
        (Kind.REPORT, 2021)]
    assert sorted(link.url for link in links if link.kind == Kind.LIST) == sorted(proxies[1:])


def test_json_list_api() -> None:
    html = '<ul></ul><div data-api="/api/list?columnId=9&amp;page=1&amp;size=2"></div>'
    [api] = discovery.json_api_links(RULES, "http://x.gov.cn/nb/", html)
    assert api.url == "http://x.gov.cn/api/list?columnId=9&page=1&size=2"
    assert api.family == "json:data-api"
    answer = json.dumps({"data": {"total": 5, "list": [
        {"title": "某局2022年政府信息公开工作年度报告", "url": "/nb/1.html"},
        {"title": "某局2021年政府信息公开年报", "url": "/nb/2021.pdf"},
        {"title": "工作动态", "url": "/dt/1.html"}]}})
    links = discovery.read_json(RULES, api.family, api.url, answer)
    assert [(link.url, link.kind) for link in links if link.family == "report"] == [
        ("http://x.gov.cn/nb/1.html", Kind.REPORT), ("http://x.gov.cn/nb/2021.pdf", Kind.ATTACHMENT)]
    assert [link.url for link in links if link.kind == Kind.LIST] == [
        "http://x.gov.cn/api/list?columnId=9&page=2&size=2",
        "http://x.gov.cn/api/list?columnId=9&page=3&size=2"]


def test_files_are_followed_only_from_report_pages() -> None:
    html = ("<html><head><title>某区2022年政府信息公开工作年度报告</title></head><body>"
            "<p>根据《中华人民共和国政府信息公开条例》，现公布2022年度报告。</p>"
            "<a href='/download?id=1'>附件1</a><a href='/a/b.docx'>附件2</a>"
            "<a href='/x/qr.png'>二维码</a></body></html>")
    view = discovery.read_html(RULES, "http://x.gov.cn/nb/1.html", html)
    outcome, _ = discovery.page_outcome(RULES, view, Kind.REPORT, 2022)
    assert outcome == Outcome.REPORT
    files = [link.url for link in discovery.links_to_follow(view, outcome)]
    assert files == ["http://x.gov.cn/download?id=1", "http://x.gov.cn/a/b.docx"]
    assert discovery.links_to_follow(view, Outcome.PAGE) == []


def test_a_soft_404_behind_a_report_link_is_not_a_report() -> None:
    html = ("<html><head><title>提示</title></head><body><a href='/xxgk/'>政府信息公开</a>"
            "<p>您访问的页面不存在</p></body></html>")
    view = discovery.read_html(RULES, "http://x.gov.cn/nb/1.html", html)
    assert discovery.page_outcome(RULES, view, Kind.REPORT, 2022) == (
        Outcome.PAGE, "not a report page")


def test_relative_links_base_href_and_encoding() -> None:
    html = ("<html><head><base href='http://y.gov.cn/root/'></head><body>"
            "<a href='年报/2022.html#top'>2022年政府信息公开工作年度报告</a></body></html>")
    [link] = discovery.read_html(RULES, "http://x.gov.cn/", html).report_links
    assert link.url == "http://y.gov.cn/root/%E5%B9%B4%E6%8A%A5/2022.html"
    assert isinstance(link, Link)


@pytest.mark.parametrize(("edit", "message"), [
    pytest.param(("max_depth = 4", "max_depth = 4\nmax_dpeth = 3"), "unknown key 'limits.max_dpeth'",
                 id="unknown-key"),
    pytest.param(("max_depth = 4", "max_depth = 'four'"), "limits.max_depth: expected an integer",
                 id="wrong-type"),
    pytest.param(("year = '", "year = '(("), "reports.year: not a valid regular expression",
                 id="bad-regex"),
    pytest.param(("[pager]", "[pagers]"), "unknown key 'pagers'", id="unknown-table"),
    pytest.param(("name = 'data-api'", "nmae = 'data-api'"), "unknown key 'lists.json[0].nmae'",
                 id="unknown-key-in-array"),
])
def test_rules_are_validated(edit: tuple[str, str], message: str) -> None:
    old, new = edit
    assert old in TOML
    with pytest.raises(DiscoveryError, match=message.replace("[", r"\[").replace("(", r"\(")):
        parse_rules(TOML.replace(old, new, 1))
