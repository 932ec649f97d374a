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
    sync_api = pytest.importorskip("playwright.sync_api")
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

    pg.fill("#q", "送温暖")
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
    pg.wait_for_selector(".card")
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
    assert copied.startswith(text.replace("\n", "")[:10]) and "——" in copied and "来源：" in copied


def test_empty_state_and_traditional_query(page) -> None:  # type: ignore[no-untyped-def]
    pg = page
    pg.goto(pg.base + "/#/search?q=" + "量子计算机芯片")
    pg.wait_for_selector("#results .empty, #results .card")
    if pg.locator("#results .empty").count():
        assert "换个说法" in pg.inner_text("#results .empty")
    pg.goto(pg.base + "/#/search?q=" + "送溫暖")
    pg.wait_for_selector(".card")
    assert pg.locator(".card").count() >= 3


def test_upload_page(page) -> None:  # type: ignore[no-untyped-def]
    pg = page
    pg.goto(pg.base + "/upload")
    assert pg.locator("#upload-form").count() == 1
    _shot(pg, "05-upload")


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
