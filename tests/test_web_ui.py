"""The web UI in a real headless Chromium (Debian's, driven by Playwright), started by the
test itself: load, search, filter, similar elsewhere, full text, copy. Screenshots are saved
to test-artifacts/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO

ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROME_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def page(live_server: str):  # type: ignore[no-untyped-def]
    if CHROMIUM is None:
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    from playwright import sync_api  # the test extra's; only the browser is a system tool

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
        pg = context.new_page()
        pg.set_default_timeout(20_000)
        pg.base = live_server  # type: ignore[attr-defined]
        yield pg
        browser.close()


def _shot(pg, name: str) -> Path:  # type: ignore[no-untyped-def]
    path = ARTIFACTS / f"{name}.png"
    pg.screenshot(path=str(path), full_page=True)
    return path


def test_search_filter_similar_fulltext_copy(page) -> None:  # type: ignore[no-untyped-def]
    pg = page
    pg.goto(pg.base + "/")
    assert "借鉴" in pg.title()
    pg.wait_for_selector(".welcome")

    pg.fill("#q", "困难职工")
    pg.click("#search-form button")
    pg.wait_for_selector(".card")
    cards = pg.locator(".card")
    assert cards.count() >= 3
    assert pg.locator(".card mark").count() > 0
    assert "条结果" in pg.inner_text("#status")
    assert pg.locator(".facet-value").count() > 0
    _shot(pg, "01-search-results")

    # a facet click filters the results (级别: 乡镇)
    township = pg.locator(".facet-value[data-facet=level]", has_text="乡镇").first
    township.click()
    pg.wait_for_function("location.hash.includes('level=township')")
    # The hash changes before the new answer arrives: wait for the cards to be replaced.
    pg.wait_for_function(
        "(() => { const m = [...document.querySelectorAll('.card .meta')];"
        " return m.length > 0 && m.every((x) => x.textContent.includes('乡镇')); })()"
    )
    metas = pg.locator(".card .meta").all_inner_texts()
    assert metas and all("乡镇" in m for m in metas)
    assert pg.input_value("#f-level") == "township"
    _shot(pg, "02-filtered")

    # similar practices elsewhere
    first = pg.locator(".card").first
    source_meta = first.locator(".meta").inner_text()
    first.locator(".similar").click()
    pg.wait_for_selector("#similar-view .card")
    assert "其他地方的类似做法" in pg.inner_text("#similar-view h2")
    source_place = source_meta.split(" · ")[0]
    for meta in pg.locator("#similar-view .card .meta").all_inner_texts():
        assert meta.split(" · ")[0] != source_place
    _shot(pg, "03-similar")

    # full text, scrolled to and marking the passage
    pg.locator("#similar-view .card .open").first.click()
    pg.wait_for_selector("#report-view mark#target")
    marked = pg.inner_text("#report-view mark#target")
    assert len(marked) > 20
    assert pg.evaluate(
        "(() => { const r = document.getElementById('target')"
        ".getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; })()"
    )
    _shot(pg, "04-report")

    # copy: passage plus a citation line
    pg.go_back()
    pg.wait_for_selector("#similar-view .card")
    pg.go_back()
    pg.wait_for_selector("#search-view .card")
    text = pg.locator("#search-view .card .text").first.inner_text()
    pg.locator("#search-view .card .copy").first.click()
    pg.wait_for_selector("#toast:not([hidden])")
    assert "已复制" in pg.inner_text("#toast")
    copied = pg.evaluate("navigator.clipboard.readText()")
    assert copied.replace("\n", "").startswith(text.replace("\n", "")[:10])
    cite = copied.rsplit("——", 1)[1]
    assert "《" in cite and "》（" in cite and "›" not in cite and "来源" not in cite


def test_ocr_badge_on_recognised_passages(page) -> None:  # type: ignore[no-untyped-def]
    """A hit whose text came from OCR shows the badge with its warning; others show none.
    The demo corpus has no scans, so the API's answer is marked on its way to the page
    (the API's own field is tested in tests/test_ocr_flag.py)."""
    import json

    pg = page
    pg.goto(pg.base + "/#/search?q=困难职工")
    pg.wait_for_selector("#search-view .card")
    assert pg.locator(".card .badge.ocr").count() == 0  # no scans in the demo corpus

    def mark_first(route) -> None:  # type: ignore[no-untyped-def]
        body = route.fetch().json()
        for k, hit in enumerate(body["results"]):
            hit["ocr"] = k == 0
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    pg.route("**/api/search?*", mark_first)
    try:
        pg.goto(pg.base + "/#/search?q=送温暖")
        pg.wait_for_selector("#search-view .card .badge.ocr")
        badges = pg.locator("#search-view .card .badge.ocr")
        assert badges.count() == 1
        assert badges.inner_text() == "OCR识别"
        assert "识别错误" in (badges.get_attribute("title") or "")
        first = pg.locator("#search-view .card").first
        assert first.locator(".badge.ocr").count() == 1
        _shot(pg, "ocr-badge")
    finally:
        pg.unroute("**/api/search?*")


def test_empty_state_and_traditional_query(page) -> None:  # type: ignore[no-untyped-def]
    pg = page
    pg.goto(pg.base + "/#/search?q=" + "量子计算机芯片")
    pg.wait_for_selector("#results .empty")  # nonsense gets the empty state, not neighbours
    assert "换个说法" in pg.inner_text("#results .empty")
    assert "量子" in pg.inner_text("#results .empty .absent")  # the words no report uses
    # Words beside them that reports do use: the results say what they lack.
    pg.goto(pg.base + "/#/search?q=" + "送温暖 火星")
    pg.wait_for_selector(".card")
    assert "没有出现：火星" in pg.inner_text("#status .absent")
    # An untitled report is headed by what its metadata knows, in brackets, not 无题.
    made = pg.evaluate("heading({jurisdiction: '云南省', year: 2025, doc_type: '工作报告'})")
    assert made == "〔云南省 2025年 工作报告〕"
    assert pg.evaluate("heading({})") == "无题"
    assert pg.evaluate("heading({title: '某镇工会工作总结', year: 2020})") == "某镇工会工作总结"
    # A place or level the query names is said to lead, never called absent.
    pg.goto(pg.base + "/#/search?q=" + "乡镇工会存在的问题")
    pg.wait_for_selector(".card")
    assert "乡镇的报告排在前面" in pg.inner_text("#status .understood")
    assert pg.locator("#status .absent").count() == 0
    pg.goto(pg.base + "/#/search?q=" + "困難職工")
    pg.wait_for_selector(".card")
    assert pg.locator(".card").count() >= 3


def test_upload_page(page) -> None:  # type: ignore[no-untyped-def]
    pg = page
    pg.goto(pg.base + "/upload")
    assert pg.locator("#upload-form").count() == 1
    _shot(pg, "05-upload")
    # The server's reasons are English: the page says them in Chinese, keeping the original.
    pg.fill("#api-key", "wrong-key")
    pg.set_input_files("#files", [{"name": "a.txt", "mimeType": "text/plain", "buffer": b"x"}])
    pg.click("#upload-form button[type=submit], #upload-form input[type=submit]")
    pg.wait_for_function("document.getElementById('upload-result').textContent.includes('失败')")
    said = pg.inner_text("#upload-result")
    assert "上传失败：API 密钥缺失或错误（missing or wrong API key" in said
    for reason, zh in (
        ("empty file", "空文件（empty file）"),
        ("binary content, not text", "内容不是文本"),
        ("over the limit: characters 2600000 > 2000000", "文字太多"),
        ("something new", "something new"),
    ):
        assert pg.evaluate("(r) => zhReason(r)", reason).startswith(zh)


def test_practice_cards_basket_and_export(page) -> None:  # type: ignore[no-untyped-def]
    pg = page
    pg.goto(pg.base + "/")
    pg.evaluate("localStorage.clear()")
    pg.goto(pg.base + "/#/search?q=工会经费收缴&view=practices")
    pg.wait_for_selector(".practice-card")
    assert pg.locator("#tabs .tab.active").inner_text() == "做法卡片"
    assert pg.locator(".practice-card .figure").count() > 0
    _shot(pg, "06-practice-cards")
    pg.locator(".practice-card .add").first.click()
    # Cards of the earlier view may still be on the page: wait for this search's answer.
    with pg.expect_response(lambda r: "/api/search?" in r.url and "view=" not in r.url):
        pg.goto(pg.base + "/#/search?q=送温暖")
    pg.wait_for_selector("#search-view .card .add")
    pg.locator("#search-view .card .add").first.click()
    assert "素材篮（2）" in pg.inner_text("#basket-link")
    pg.click("#basket-link")
    pg.wait_for_selector(".basket-item")
    first_before = pg.locator(".basket-item p").first.inner_text()
    pg.locator(".basket-item .down").first.click()
    assert pg.locator(".basket-item p").nth(1).inner_text() == first_before
    _shot(pg, "07-basket")
    with pg.expect_download() as dl:
        pg.click("[data-fmt=docx]")
    path = dl.value.path()
    import docx

    paras = [p.text for p in docx.Document(str(path)).paragraphs if p.text.strip()]
    assert paras[0] == "素材篮" and len([p for p in paras if p.startswith("——")]) == 2
    pg.locator(".basket-item .remove").first.click()
    assert pg.locator(".basket-item").count() == 1


def test_themes_and_trends_page(page) -> None:  # type: ignore[no-untyped-def]
    pg = page
    pg.goto(pg.base + "/#/themes")
    pg.wait_for_selector(".theme-row")
    assert pg.locator(".theme-row").count() >= 20
    pg.locator(".theme-row[data-theme=relief]").click()
    pg.wait_for_function("location.hash.includes('theme=relief')")
    pg.wait_for_selector("#trend-charts svg rect")
    assert "困难职工帮扶与送温暖" in pg.inner_text("#trend-charts h3")
    assert pg.locator("#trend-charts svg").count() == 3
    _shot(pg, "08-themes-trends")
    pg.click("#trend-charts h3 a")
    pg.wait_for_selector(".practice-card")
    assert "theme=relief" in pg.evaluate("location.hash")


@pytest.fixture(scope="module")
def browser(page):  # type: ignore[no-untyped-def]
    """The module's browser, for pages of other sizes (one Playwright per thread)."""
    return page.context.browser


def _page(browser, live_server: str, width: int, height: int = 900):  # type: ignore[no-untyped-def]
    ctx = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
    pg = ctx.new_page()
    pg.set_default_timeout(20_000)
    pg.base = live_server  # type: ignore[attr-defined]
    return pg


def test_filter_chips_theme_included_and_clear(page) -> None:  # type: ignore[no-untyped-def]
    pg = page
    pg.goto(pg.base + "/#/search?q=工作&theme=relief&level=township")
    pg.wait_for_selector("#chips .chip[data-param=theme]")
    assert "主题：困难职工帮扶与送温暖" in pg.inner_text("#chips .chip[data-param=theme]")
    assert "级别：乡镇" in pg.inner_text("#chips .chip[data-param=level]")
    # one chip's × removes that filter only
    pg.click("#chips .chip[data-param=level]")
    pg.wait_for_function("!location.hash.includes('level=')")
    assert "theme=relief" in pg.evaluate("location.hash")
    pg.wait_for_selector("#chips .chip[data-param=theme]")
    # 清除筛选 clears the theme too (it used to stay on invisibly)
    pg.click("#clear-filters")
    pg.wait_for_function("!location.hash.includes('theme=')")
    pg.wait_for_function("document.querySelectorAll('#chips .chip').length === 0")
    assert pg.locator("#chips .chip").count() == 0
    assert "q=" in pg.evaluate("location.hash")


def test_tabs_switch_both_ways(page) -> None:  # type: ignore[no-untyped-def]
    pg = page
    pg.goto(pg.base + "/#/search?q=工会经费收缴")
    pg.wait_for_selector("#results .card")
    pg.click("#tabs .tab[data-view=practices]")
    pg.wait_for_selector(".practice-card")
    pg.click("#tabs .tab[data-view=passages]")
    pg.wait_for_function("!location.hash.includes('view=practices')")
    pg.wait_for_selector("#results .card:not(.practice-card)")
    assert pg.locator("#tabs .tab.active").inner_text() == "段落"
    assert pg.locator(".practice-card").count() == 0


def test_errors_are_in_chinese_and_clear_old_results(page) -> None:  # type: ignore[no-untyped-def]
    pg = page
    pg.goto(pg.base + "/#/search?q=送温暖")
    pg.wait_for_selector("#facets .facet-value")
    pg.goto(pg.base + "/#/search?q=送温暖&year_from=2020&year_to=2010")
    pg.wait_for_selector("#results .error")
    msg = pg.inner_text("#results .error")
    assert "起始年份晚于截止年份" in msg
    assert not any("a" <= ch.lower() <= "z" for ch in msg)  # no English in the Chinese UI
    assert pg.locator("#facets .facet-value").count() == 0 and pg.inner_text("#pager") == ""
    pg.goto(pg.base + "/#/search?q=送温暖&theme=nosuchtheme")
    # The year error is still shown until the new answer arrives: wait for the new one.
    pg.wait_for_selector("#results .error:has-text('主题')")
    pg.goto(pg.base + "/#/report/no-such-report")
    pg.wait_for_selector("#report-view .error")
    assert "没有找到" in pg.inner_text("#report-view .error")


def test_sort_by_date_and_page_size(page) -> None:  # type: ignore[no-untyped-def]
    pg = page
    pg.goto(pg.base + "/#/search?q=工会")
    pg.wait_for_selector("#results .card")
    pg.select_option("#page-size", "20")
    pg.wait_for_function("location.hash.includes('k=20')")
    pg.wait_for_function("document.querySelectorAll('#results .card').length > 10")
    pg.select_option("#sort", "date")
    pg.wait_for_function("location.hash.includes('sort=date')")
    pg.wait_for_selector("#status:has-text('按时间从新到旧')")
    years = []
    for meta in pg.locator("#results .card .meta").all_inner_texts():
        found = [int(x[:-1]) for x in meta.split(" · ") if x.endswith("年") and x[:-1].isdigit()]
        years.append(found[0] if found else 0)
    assert years == sorted(years, reverse=True) and len(years) > 10


def test_reports_library_with_counts(page) -> None:  # type: ignore[no-untyped-def]
    pg = page
    pg.goto(pg.base + "/")
    pg.click("#reports-link")
    pg.wait_for_selector("#reports-view .report-row")
    assert "篇报告" in pg.inner_text("#report-status")
    level = pg.locator("#report-facets .facet-value[data-facet=level]").first
    count = int(level.locator(".count").inner_text())
    level.click()
    pg.wait_for_function("location.hash.includes('level=')")
    pg.wait_for_selector("#report-chips .chip[data-param=level]")
    pg.wait_for_selector(f"#report-status:has-text('{count}')")
    assert pg.locator("#reports-view .report-row").count() == min(count, 10)
    assert "《" in pg.inner_text("#reports-view .report-row .meta >> nth=1")


def test_search_box_on_every_view(page) -> None:  # type: ignore[no-untyped-def]
    pg = page
    for view in ("#/themes", "#/basket", "#/reports"):
        pg.goto(pg.base + "/" + view)
        assert pg.locator("#q").is_visible(), view
    pg.fill("#q", "职工书屋")
    pg.press("#q", "Enter")
    pg.wait_for_function("location.hash.startsWith('#/search')")
    pg.wait_for_selector("#results .card")


def test_trends_every_year_and_share(page) -> None:  # type: ignore[no-untyped-def]
    pg = page
    pg.goto(pg.base + "/#/themes?theme=relief")
    pg.wait_for_selector("#trend-charts svg rect")
    labels = pg.locator("#trend-charts .chart >> nth=0").locator("svg text").all_text_contents()
    years = [int(t[:-1]) for t in labels if t.endswith("年")]
    assert years == list(range(years[0], years[-1] + 1))  # no year skipped
    pg.check("input[name=measure][value=share]")
    pg.wait_for_function("location.hash.includes('measure=share')")
    pg.wait_for_selector("#trend-charts h4:has-text('占比')")
    assert "%" in pg.inner_text("#trend-charts")


def test_docs_work_offline(page) -> None:  # type: ignore[no-untyped-def]
    pg = page
    outside: list[str] = []

    def only_local(route) -> None:  # type: ignore[no-untyped-def]
        if route.request.url.startswith(pg.base):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    pg.route("**/*", only_local)
    try:
        pg.goto(pg.base + "/docs")
        pg.wait_for_selector(".swagger-ui .info .title")
        assert "借鉴" in pg.inner_text(".swagger-ui .info .title")
        assert pg.locator(".opblock").count() > 5
    finally:
        pg.unroute("**/*")
    assert outside == []


def test_mobile_layout_first_result_on_first_screen(browser, live_server: str) -> None:  # type: ignore[no-untyped-def]
    pg = _page(browser, live_server, 390, 844)
    pg.goto(pg.base + "/#/search?q=送温暖")
    pg.wait_for_selector("#results .card")
    header = pg.evaluate("document.querySelector('header').getBoundingClientRect().height")
    top = pg.evaluate("document.querySelector('#results .card').getBoundingClientRect().top")
    assert header < 160 and top < 844 * 0.6, (header, top)
    assert pg.evaluate("document.documentElement.scrollWidth") <= 390
    for view in ("#/themes?theme=relief", "#/reports", "#/basket"):
        pg.goto(pg.base + "/" + view)
        pg.wait_for_timeout(300)
        pg.wait_for_load_state("networkidle")
        assert pg.evaluate("document.documentElement.scrollWidth") <= 390, view
    pg.context.close()


# (name, path, element to wait for, (element, text it must show))
SCREENS = [
    ("results", "/#/search?q=送温暖", "#results .card", ("#status", "条结果")),
    ("empty", "/#/search?q=火星探测器发射", "#results .empty", ("#results .empty", "没有找到")),
    (
        "chips",
        "/#/search?q=工作&theme=relief&level=township",
        "#chips .chip",
        ("#chips", "级别：乡镇"),
    ),
    ("reports", "/#/reports", ".report-row", ("#report-status", "篇报告")),
    (
        "trends",
        "/#/themes?theme=relief",
        "#trend-charts svg rect",
        ("#trend-charts h3", "困难职工帮扶与送温暖"),
    ),
    ("basket", "/#/basket", ".basket-item", (".basket-item", "开展送温暖活动")),
]


@pytest.mark.parametrize("width", [1366, 390])
def test_screenshots(browser, live_server: str, width: int) -> None:  # type: ignore[no-untyped-def]
    pg = _page(browser, live_server, width, 900 if width > 500 else 844)
    pg.goto(pg.base + "/")
    pg.evaluate(
        "localStorage.setItem('jiejian-basket', JSON.stringify([{kind: 'passage', id: 'x', "
        "text: '开展送温暖活动，走访慰问困难职工。', "
        "citation: '——思礼镇工会联合会《思禮鎮工會聯合會工作總結》（2020）'}]))"
    )
    for name, path, ready, (where, text) in SCREENS:
        pg.goto(pg.base + path)
        pg.wait_for_selector(ready)
        assert text in pg.inner_text(where), name
        pg.screenshot(path=str(ARTIFACTS / f"ui-{width}-{name}.png"), full_page=False)
    pg.context.close()
