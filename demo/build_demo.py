"""Render the demo reports into ``demo/corpus/`` in the formats and shapes real files come in.

Run from the repository root: ``python -m demo.build_demo``. The output is committed, so
users never need to run this; it documents how each demo file was made. Formats: UTF-8,
GBK and Big5 text, HTML pages with site furniture, DOCX with a table, a PDF with wrapped
lines, a compilation of several reports, a repost of one report on another site, and the
kinds of noise scraped reports carry.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import opencc

from demo.reports_a import REPORTS_A
from demo.reports_b import REPORTS_B
from demo.reports_c import REPORTS_C

OUT = Path(__file__).resolve().parent / "corpus"
S2T = opencc.OpenCC("s2tw")  # Taiwan forms encode in Big5 (爲 would not)
REPORTS = {r["key"]: r for r in REPORTS_A + REPORTS_B + REPORTS_C}


def text_of(key: str) -> str:
    r = REPORTS[key]
    return S2T.convert(r["text"]) if r.get("script") == "traditional" else r["text"]


def write_txt(name: str, text: str, encoding: str = "utf-8") -> None:
    (OUT / name).write_bytes(text.encode(encoding))


def html_page(title: str, body_text: str, site: str) -> str:
    paragraphs = "\n".join(f"<p>{line}</p>" for line in body_text.split("\n")[1:])
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}_{site}</title>
<script>var _hmt = _hmt || []; (function() {{ var hm = 1; }})();</script>
<style>.nav{{color:#333}} .ad{{float:right}}</style></head>
<body>
<div class="nav"><a href="/">首页</a> &gt; <a href="/zongjie/">工作总结</a> &gt; 工会工作总结</div>
<div class="ad">广告：公文写作培训，点击咨询</div>
<div class="article"><h1>{title}</h1>
<div class="info">发布时间：2023-05-12 来源：{site} 浏览：1268次</div>
{paragraphs}
</div>
<div class="related"><h3>相关文章</h3><ul>
<li><a href="/a/1.html">2023年工会工作计划范文</a></li>
<li><a href="/a/2.html">工会主席述职报告范文</a></li>
<li><a href="/a/3.html">职工之家建设汇报材料</a></li></ul></div>
<div class="footer">Copyright © 2023 {site} 版权所有 备案号：XICP备12345678号</div>
</body></html>"""


DOWNLOAD_HEADER = """分享
{title}.docx
下载文档

ID:2356781

大小:18.6KB

页数:4页

格式:DOCX

时间:2023-03-02

收藏 分享赚钱
温馨提示:
1. 部分包含数学公式或PPT动画的文件,查看预览时可能会显示错乱或异常,文件下载后无此问题,请放心下载。
2. 本文档由用户上传,版权归属用户,如有争议请联系客服处理。
网站客服:4008765432
"""
DOWNLOAD_FOOTER = """
此文档下载收益归作者所有

下载文档
你可能关注的文档
收起
展开"""
SEO_SPAM = (
    "\n主站蜘蛛池模板: 久久精品国产亚洲av| 无码一区二区三区中文字幕| 日韩精品久久久久久| "
    "亚洲国产精品无码专区| 欧美日韩国产一区二区| 人妻精品久久无码专区|"
)


def build() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    used: set[str] = set()

    def take(key: str) -> str:
        used.add(key)
        return text_of(key)

    # Plain UTF-8 text, one report per file.
    for key in (
        "liangzhu",
        "lujiazui",
        "wuxi_fenghuang",
        "xian",
        "changchun",
        "shenzhen",
        "zhejiang",
        "yangshuo",
        "zhungeer",
        "jiangyin",
        "shouguang",
        "beilun_port",
        "power_supply",
        "tongxiang_agency",
        "shimen_trad",
    ):
        write_txt(f"{key}.txt", take(key) + "\n")
    # Legacy encodings.
    write_txt("zhoushi_gbk.txt", take("zhoushi").replace("\n", "\r\n"), "gbk")
    write_txt("xiaoxita_gb18030.txt", take("xiaoxita"), "gb18030")
    write_txt("tianhe_big5.txt", take("tianhe_trad"), "big5")
    # A download-site page: header, notice block and footer around the report.
    title = take("shishan").split("\n", 1)[0]
    write_txt(
        "shishan_download.txt",
        DOWNLOAD_HEADER.format(title=title) + text_of("shishan") + DOWNLOAD_FOOTER,
    )
    # Aggregator intro and an ad pasted into a sentence.
    hd = take("huangdao").split("\n")
    hd.insert(
        1, "以下是为您推荐的《黄岛区总工会工作总结》，希望能对您的工作、学习有帮助，欢迎阅读参考！"
    )
    hd[2] = hd[2].replace("坚持", "坚持好范文网 www.haofanwen.cn/", 1)
    write_txt("huangdao_aggregator.txt", "\n".join(hd))
    nk = take("nankang").replace("突破口，", "突破口，公文写作网 https://gongwen.example.com/ ", 1)
    write_txt("nankang_ad.txt", nk)
    # An SEO spam block at the end of the page.
    write_txt("zhuozhou_spam.txt", take("zhuozhou") + "\n" + SEO_SPAM)
    # Faulty traditional->simplified conversion artifacts.
    jz = take("jinzhou")
    for good, bad in (("基础", "根底"), ("服务", "效劳"), ("原则", "原那么"), ("”", "〞")):
        jz = jz.replace(good, bad)
    jz = jz.replace("制度建设。", "制度建设，坚持民主集中制原那么，夯实民主管理根底。", 1)
    write_txt("jinzhou_artifacts.txt", jz)
    # A report flattened into one long line, and one whose title wrapped.
    write_txt("pingyao_oneline.txt", " ".join(take("pingyao").split("\n")))
    qz = take("qinzhou").split("\n")
    qz[0] = qz[0][:10] + "\n" + qz[0][10:]
    write_txt("qinzhou_wrapped.txt", "\n".join(qz))
    # HTML pages.
    for key, site in (
        ("lujiang", "范文大全网"),
        ("zhongyuan", "工会之家网"),
        ("changsha", "公文库"),
    ):
        t = take(key)
        (OUT / f"{key}.html").write_text(html_page(t.split("\n", 1)[0], t, site), "utf-8")
    # The same report posted on two sites: once as text, once as a traditional-script page.
    sanhe = take("sanhe")
    write_txt("sanhe.txt", sanhe)
    (OUT / "sanhe_repost.html").write_text(
        html_page(S2T.convert(sanhe.split("\n", 1)[0]), S2T.convert(sanhe), "繁體範文網"),
        encoding="utf-8",
    )
    # A compilation: three reports in one file, marked 第一篇 ... 第三篇.
    parts = []
    for i, key in enumerate(("binzhou", "boao", "dali")):
        t = take(key)
        parts.append(f"第{'一二三'[i]}篇：{t.split(chr(10), 1)[0][4:]}\n{t}")
    write_txt("township_compilation.txt", "\n".join(parts))
    _write_docx("pidu.docx", take("pidu"), table=True)
    _write_docx("jinjiang.docx", take("jinjiang"), table=False)
    _write_pdf("meitan.pdf", take("meitan"))
    missing = set(REPORTS) - used
    if missing:
        raise SystemExit(f"reports not rendered: {sorted(missing)}")
    print(f"wrote {len(list(OUT.iterdir()))} files with {len(REPORTS)} distinct reports")


def _write_docx(name: str, text: str, table: bool) -> None:
    import docx

    d = docx.Document()
    lines = text.split("\n")
    d.add_heading(lines[0], level=1)
    for line in lines[1:]:
        d.add_paragraph(line)
        if table and line.startswith("（一）"):
            t = d.add_table(rows=3, cols=2)
            for r, (a, b) in enumerate(
                (("项目", "数量"), ("职工书屋", "126个"), ("电子书屋账号", "8000个"))
            ):
                t.cell(r, 0).text, t.cell(r, 1).text = a, b
    d.save(str(OUT / name))


def _write_pdf(name: str, text: str) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(OUT / name))
    y = 800
    for para in text.split("\n"):
        # Page layout wraps every 34 characters, the way converted PDFs do.
        for k in range(0, len(para), 34):
            if y < 60:
                c.showPage()
                y = 800
            c.setFont("STSong-Light", 11)
            c.drawString(50, y, para[k : k + 34])
            y -= 18
    c.save()


if __name__ == "__main__":
    build()
