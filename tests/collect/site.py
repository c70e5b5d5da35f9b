"""A government site in miniature, for the collector's tests: the shapes the crawler meets.

Navigation chrome on every page; a 政府信息公开 section linking three 年报 columns, one per
CMS family: a TRS static list (index.html, index_1.html, index_2.html and a
createPageHTML(3, …) call), a Hanweb jpage list (first records embedded as XML, the rest
from dataproxy.jsp), a JSON list API (first page rendered statically). Report pages wrap
the real reports of the shared corpus; one is GBK with <meta charset=gb2312>, one gzip'd,
one chunked, one reached through a 302, one answers 500 once, one is slow, one is a soft
404; a 404; attachments with and without extensions, named in Content-Disposition in GBK
and in RFC 5987; the same report under two URLs; a robots.txt that disallows /private/;
a report link to another host; a report link older than --since.
"""
from __future__ import annotations

import html
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, quote, urlsplit

from toolkit.dev.httpsite import Hit, Reply

NAV = ('<div class="top"><a href="/">首页</a> | <a href="/jggk/">机构概况</a> | '
       '<a href="/xxgk/">政府信息公开</a> | <a href="/hdjl/">互动交流</a> | '
       '<a href="javascript:void(0)">无障碍</a> | <a href="#main">跳到正文</a></div>')
FOOT = ('<div class="foot"><a href="/wzdt.html">网站地图</a> <a href="/lxwm.html">联系我们</a>'
        ' <a href="mailto:xxgk@example.gov.cn">信箱</a> 主办：某区人民政府办公室</div>')


def page(title: str, body: str, charset: str = "utf-8") -> str:
    return (f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title}</title>'
            f"</head><body>{NAV}<div id='main'>{body}</div>{FOOT}</body></html>")


def report_page(title: str, text: str, extra: str = "", charset: str = "utf-8") -> str:
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines()
                         if line.strip())
    return page(title, f"<h1>{title}</h1><div class='TRS_Editor'>{paragraphs}</div>{extra}",
                charset)


def li(href: str, text: str, title: str | None = None) -> str:
    attr = f' title="{title}"' if title else ""
    return f'<li><a href="{href}"{attr} target="_blank">{text}</a><span>2024-01-20</span></li>'


@dataclass
class Expected:
    """What a crawl of the site from / with --since 2015 must record, by path."""

    outcomes: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    """path → (outcome, reason or None) for the rows the tests check."""
    documents: dict[str, str] = field(default_factory=dict)
    """path of every report page and attachment → its outcome."""
    never_requested: list[str] = field(default_factory=list)


HANWEB_RECORDS = [
    (101, "区发展和改革局2022年政府信息公开工作年度报告"),
    (102, "区财政局2022年政府信息公开工作年度报告"),
    (103, "区教育局2022年政府信息公开工作年度报告"),
    (104, "区卫生健康委员会2022年政府信息公开工作年度报告"),
    (105, "区住房和城乡建设局2022年政府信息公开工作年度报告"),
]


def _record(n: int, title: str) -> str:
    short = title[:16] + "…"
    return (f'<record><![CDATA[<li><a href="/art/2023/1/30/art_4171_{n}.html" title="{title}" '
            f'target="_blank">{short}</a><span>2023-01-30</span></li>]]></record>')


def _dataproxy(hit: Hit) -> Reply:
    query = parse_qs(urlsplit(hit.path).query)
    start = int(query.get("startrecord", ["1"])[0])
    end = int(query.get("endrecord", ["3"])[0])
    if query.get("columnid") != ["4171"]:
        return Reply("<datastore><totalrecord>0</totalrecord></datastore>", status=400,
                     content_type="text/xml; charset=utf-8")
    records = "".join(_record(n, t) for i, (n, t) in enumerate(HANWEB_RECORDS, 1)
                      if start <= i <= end)
    xml = (f'<?xml version="1.0" encoding="UTF-8"?><datastore><nextgroup><![CDATA[]]></nextgroup>'
           f"<recordset>{records}</recordset><totalrecord>{len(HANWEB_RECORDS)}</totalrecord>"
           "</datastore>")
    return Reply(xml, content_type="text/xml; charset=utf-8")


JSON_ITEMS = [
    {"title": "区司法局2022年政府信息公开工作年度报告", "url": "/api-list/detail/201.html"},
    {"title": "区司法局2021年政府信息公开工作年度报告", "url": "/api-list/detail/202.html"},
    {"title": "区司法局2020年政府信息公开工作年度报告", "url": "/api-list/files/2020年报.pdf"},
]


def _api(hit: Hit) -> Reply:
    import json

    query = parse_qs(urlsplit(hit.path).query)
    n, size = int(query.get("page", ["1"])[0]), int(query.get("size", ["2"])[0])
    items = JSON_ITEMS[(n - 1) * size:n * size]
    data = {"code": 200, "msg": "ok", "data": {"total": len(JSON_ITEMS), "list": items}}
    return Reply(json.dumps(data, ensure_ascii=False), content_type="application/json")


class Flaky:
    """500 on the first request, the page afterwards (a retry must fetch it)."""

    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        self.calls = 0
        self.lock = threading.Lock()

    def __call__(self, hit: Hit) -> Reply:
        with self.lock:
            self.calls += 1
            first = self.calls == 1
        if first:
            return Reply(page("500", "服务器繁忙"), status=500)
        return self.reply


def build(seeds: list[str], pdf: bytes, docx: bytes, other_host: str
          ) -> tuple[dict[str, Reply | Callable[[Hit], Reply]], Expected]:
    """The routes of the site and what a crawl of it must find. `other_host`: 'localhost:PORT'."""
    r: dict[str, Reply | Callable[[Hit], Reply]] = {}
    exp = Expected()

    def s(i: int) -> str:
        return seeds[i % len(seeds)]

    r["/robots.txt"] = Reply("User-agent: *\nDisallow: /private/\n\nUser-agent: BadBot\n"
                             "Disallow: /\n", content_type="text/plain")
    r["/"] = Reply(page("某区人民政府", (
        "<h2>通知公告</h2><ul>"
        + li("/tzgg/1.html", "关于开展2023年度政府信息公开工作年度报告编制工作的通知")
        + li("/tzgg/2.html", "2024年春节假期安排")
        + li(f"http://{other_host}/xxgk/2022nb.html", "某市2022年政府信息公开工作年度报告")
        + "</ul>")))
    r["/xxgk/"] = Reply(page("政府信息公开", (
        '<div class="menu"><a href="ndbg/index.html">政府信息公开年报</a>'
        ' <a href="/bmnb/col4171.html">政务公开年报</a>'
        ' <a href="/api-list/index.html">信息公开年度报告</a>'
        ' <a href="/xxgk/zc/">政策文件</a></div>'
        + "<ul>" + li("/private/2022nb.html", "2022年政府信息公开工作年度报告（内部稿）")
        + "</ul>")))

    # TRS static list: three pages and the call that names them.
    def trs(n: int, items: str) -> Reply:
        return Reply(page("政府信息公开年报", (
            f'<ul class="list">{items}</ul><div class="page"><script>'
            f'createPageHTML(3, {n}, "index", "html");</script></div>')))

    r["/xxgk/ndbg/index.html"] = trs(0, (
        li("./202401/t20240120_1.html", "某区人民政府2023年政府信息公开工作年度报告")
        + li("./202301/t20230115_2.html", "某区人民政府2022年政府信息公开工作年度报告")
        + li("/old/2021.html", "某区人民政府2021年政府信息公开工作年度报告")))
    r["/xxgk/ndbg/index_1.html"] = trs(1, (
        li("./P020210130.pdf", "某区人民政府2020年政府信息公开工作年度报告（PDF版）")
        + li("./202001/t20200110_5.html", "某区人民政府2019年政府信息公开工作年度报告")
        + li("./missing.html", "某区人民政府2018年政府信息公开工作年度报告")))
    r["/xxgk/ndbg/index_2.html"] = trs(2, (
        li("./flaky.html", "某区人民政府2017年政府信息公开工作年度报告")
        + li("./slow.html", "某区人民政府2016年政府信息公开工作年度报告")
        + li("./soft404.html", "某区人民政府2015年政府信息公开工作年度报告")
        + li("./201501/t20150120_9.html", "某区人民政府2014年政府信息公开工作年度报告")
        + li("/zhuanzai/2023.html", "某区人民政府2023年政府信息公开工作年度报告（转载）")))

    r["/xxgk/ndbg/202401/t20240120_1.html"] = Reply(
        report_page("某区人民政府2023年政府信息公开工作年度报告", s(0)), gzip=True)
    r["/zhuanzai/2023.html"] = Reply(
        report_page("某区人民政府2023年政府信息公开工作年度报告", s(0)))
    gbk = report_page("某区人民政府2022年政府信息公开工作年度报告", s(1), charset="gb2312")
    r["/xxgk/ndbg/202301/t20230115_2.html"] = Reply(
        gbk.encode("gbk", "xmlcharrefreplace"), content_type="text/html")
    r["/old/2021.html"] = Reply(page("302", "moved"), status=302,
                                headers=[("Location", "/xxgk/ndbg/202201/t20220110_3.html")])
    r["/xxgk/ndbg/202201/t20220110_3.html"] = Reply(
        report_page("某区人民政府2021年政府信息公开工作年度报告", s(2)), chunked=True)
    r["/xxgk/ndbg/P020210130.pdf"] = Reply(pdf, content_type="application/pdf")
    r["/xxgk/ndbg/202001/t20200110_5.html"] = Reply(report_page(
        "某区人民政府2019年政府信息公开工作年度报告",
        "现将某区人民政府2019年政府信息公开工作年度报告全文公布如下，请见附件。",
        extra=('<div class="fj"><a href="/download?id=77">附件1</a> '
               '<a href="/attachment/get?fileId=88">附件2（Word版）</a> '
               '<a href="/getfile/123">点击下载</a> '
               '<a href="/images/qr.png">二维码</a></div>')))
    gbk_name = "某区人民政府2019年政府信息公开工作年度报告.pdf"
    r["/download"] = Reply(pdf, content_type="application/octet-stream", headers=[
        ("Content-Disposition", b'attachment; filename="' + gbk_name.encode("gbk") + b'"')])
    utf_name = "2019年年报（Word版）.docx"
    r["/attachment/get"] = Reply(
        docx, content_type="application/vnd.openxmlformats-officedocument."
                           "wordprocessingml.document",
        headers=[("Content-Disposition",
                  f"attachment; filename*=UTF-8''{quote(utf_name)}")])
    r["/getfile/123"] = Reply(pdf, content_type="application/pdf")
    r["/xxgk/ndbg/flaky.html"] = Flaky(Reply(
        report_page("某区人民政府2017年政府信息公开工作年度报告", s(3))))
    r["/xxgk/ndbg/slow.html"] = Reply(
        report_page("某区人民政府2016年政府信息公开工作年度报告", s(4)), delay=1.0)
    r["/xxgk/ndbg/soft404.html"] = Reply(page("提示信息", "<p>对不起，您访问的页面不存在或已删除。</p>"))

    # Hanweb jpage list: first records embedded, the rest from dataproxy.jsp.
    query = ("page=1&amp;appid=1&amp;webid=1&amp;path=/&amp;columnid=4171&amp;unitid=9527"
             "&amp;webname=%E6%9F%90%E5%8C%BA&amp;permissiontype=0")
    r["/bmnb/col4171.html"] = Reply(page("政务公开年报", (
        '<div id="4171"><script type="text/xml"><datastore><nextgroup><![CDATA['
        f'<a href="/module/web/jpage/dataproxy.jsp?{query}"></a>]]></nextgroup><recordset>'
        + "".join(_record(n, t) for n, t in HANWEB_RECORDS[:1]) +
        "</recordset></datastore></script></div>"
        "<script type='text/javascript'>$(document).ready(function(){$('#4171').jpage({"
        "dataStore: dataStore, proxyUrl: '/module/web/jpage/dataproxy.jsp', perPage: 1, "
        f"totalRecord: {len(HANWEB_RECORDS)}, groupSize: 3, objId: '4171'}});}});</script>")))
    r["/module/web/jpage/dataproxy.jsp"] = _dataproxy
    for i, (n, title) in enumerate(HANWEB_RECORDS):
        r[f"/art/2023/1/30/art_4171_{n}.html"] = Reply(report_page(title, s(i)))

    # JSON list API, its first page also in the HTML.
    r["/api-list/index.html"] = Reply(page("信息公开年度报告", (
        '<ul id="list">' + "".join(li(i["url"], i["title"]) for i in JSON_ITEMS[:2])
        + '</ul><div id="pager" data-api="/api/list?columnId=9&amp;page=1&amp;size=2"></div>')))
    r["/api/list"] = _api
    r["/api-list/detail/201.html"] = Reply(report_page(JSON_ITEMS[0]["title"], s(1)))
    r["/api-list/detail/202.html"] = Reply(report_page(JSON_ITEMS[1]["title"], s(2)))
    r[quote("/api-list/files/2020年报.pdf")] = Reply(pdf, content_type="application/pdf")

    reports = ["/xxgk/ndbg/202401/t20240120_1.html", "/zhuanzai/2023.html",
               "/xxgk/ndbg/202301/t20230115_2.html", "/old/2021.html",
               "/xxgk/ndbg/202001/t20200110_5.html", "/xxgk/ndbg/flaky.html",
               "/xxgk/ndbg/slow.html", "/api-list/detail/201.html", "/api-list/detail/202.html",
               *(f"/art/2023/1/30/art_4171_{n}.html" for n, _ in HANWEB_RECORDS)]
    attachments = ["/xxgk/ndbg/P020210130.pdf", "/download?id=77", "/attachment/get?fileId=88",
                   "/getfile/123", quote("/api-list/files/2020年报.pdf")]
    exp.documents = {**dict.fromkeys(reports, "report"), **dict.fromkeys(attachments, "attachment")}
    exp.outcomes = {
        **{p: ("report", None) for p in reports},
        **{p: ("attachment", None) for p in attachments},
        "/": ("list", None),
        "/xxgk/": ("list", None),
        "/xxgk/ndbg/index.html": ("list", None),
        "/xxgk/ndbg/index_1.html": ("list", None),
        "/xxgk/ndbg/index_2.html": ("list", None),
        "/bmnb/col4171.html": ("list", None),
        "/api-list/index.html": ("list", None),
        "/xxgk/ndbg/missing.html": ("error", "404"),
        "/xxgk/ndbg/soft404.html": ("page", "not a report page"),
        "/xxgk/ndbg/201501/t20150120_9.html": ("skipped", "before --since"),
        "/private/2022nb.html": ("skipped", "robots.txt"),
        "/xxgk/ndbg/202201/t20220110_3.html": ("skipped", "reached by redirect from "),
    }
    exp.never_requested = ["/private/2022nb.html", "/xxgk/ndbg/201501/t20150120_9.html",
                           "/tzgg/1.html", "/tzgg/2.html", "/jggk/", "/hdjl/", "/wzdt.html",
                           "/lxwm.html", "/images/qr.png", "/xxgk/zc/"]
    return r, exp
