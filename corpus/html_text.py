"""Main content of an HTML page: trafilatura drops navigation, related links, footers,
scripts, styles and ads; the cleaner then removes what such pages paste into the text."""

from __future__ import annotations

import re

_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
_TITLE_SITE_SUFFIX = re.compile(r"\s*[-_|–—]\s*[^-_|–—]{1,20}$")


def html_title(html: str) -> str | None:
    m = _TITLE.search(html)
    if not m:
        return None
    title = re.sub(r"\s+", " ", m.group(1)).strip()
    # "报告标题_某某范文网" -> "报告标题": the site name is not part of the title.
    title = _TITLE_SITE_SUFFIX.sub("", title).strip()
    return title or None


def html_main_text(html: str) -> str:
    import trafilatura  # heavy import, only paid when an HTML file is read

    text = trafilatura.extract(
        html,
        include_tables=True,
        include_comments=False,
        include_links=False,
        favor_recall=True,
        deduplicate=False,
    )
    if text is None:
        # trafilatura gives up on tiny pages; fall back to the body text without markup.
        text = trafilatura.html2txt(html) or ""
    return text
