"""One source per setting and vocabulary: defaults and bounds come from the layers' data
modules, the settings are light to import, every vocabulary value the corpus can produce
reaches the web UI (rendered into the page and from GET /api/vocab), and the JavaScript and
HTML hold no copy."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from corpus import jurisdiction, metadata, sections
from corpus.defaults import CHUNK_MAX_CHARS, CHUNK_MIN_CHARS, YEAR_MAX, YEAR_MIN
from corpus.gazetteer import KIND_RANK
from corpus.lexicon import cue_map, cue_table
from corpus.limits import DEFAULT_LIMITS
from corpus.themes import default_taxonomy
from corpus.vocab import DOC_TYPES, LEVEL_LABELS, LEVELS, SECTION_ROLES
from index.config import IndexConfig
from index.defaults import INDEX_BACKENDS, VECTOR_BACKENDS, VECTOR_INDEX_CHOICES
from retrieval.defaults import MAX_K, MAX_QUERY_CHARS, PAGE_SIZES
from retrieval.filters import LEVEL_ALIASES, ROLE_ALIASES

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("torch", "faiss", "sentence_transformers", "tantivy", "jieba", "rjieba", "numpy")


# ----- settings: defaults from the layers, light to import ----------------------------------


def _loaded_after(code: str) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
    )
    modules = set(json.loads(out.stdout.strip().splitlines()[-1]))
    return [m for m in HEAVY if m in modules]


@pytest.mark.parametrize("module", ["api.settings", "api.cli"])
def test_settings_and_cli_import_nothing_heavy(module: str) -> None:
    assert _loaded_after(f"import {module}; {module}.Settings()") == []


def test_cli_help_runs_without_heavy_imports() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    code = (
        "import sys, json\nfrom api.cli import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert "ingest" in out.stdout and "serve" in out.stdout
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_settings_defaults_are_the_layers_defaults() -> None:
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (s.chunk_min_chars, s.chunk_max_chars) == (CHUNK_MIN_CHARS, CHUNK_MAX_CHARS)
    assert s.read_limits() == DEFAULT_LIMITS
    assert s.index_config() == IndexConfig()


def test_index_settings_reach_the_index_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIEJIAN_EMBED_QUERY_PREFIX", "查询：")
    monkeypatch.setenv("JIEJIAN_MILVUS_TOKEN", "u:p")
    monkeypatch.setenv("JIEJIAN_CHUNK_MAX_CHARS", "500")
    config = Settings(_env_file=None).index_config()  # type: ignore[call-arg]
    assert (config.query_prefix, config.milvus_token, config.chunk_max_chars) == (
        "查询：",
        "u:p",
        500,
    )
    assert config.static == IndexConfig().static  # not a setting: the default


def test_every_read_limit_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIEJIAN_READ_TIMEOUT_S", "7")
    monkeypatch.setenv("JIEJIAN_READ_OCR", "false")
    limits = Settings(_env_file=None).read_limits()  # type: ignore[call-arg]
    assert (limits.timeout_s, limits.ocr) == (7.0, False)
    assert limits.max_pdf_pages == DEFAULT_LIMITS.max_pdf_pages


@pytest.mark.parametrize("name", VECTOR_INDEX_CHOICES)
def test_every_vector_backend_name_is_a_valid_setting(name: str) -> None:
    assert Settings(vector_index=name).vector_index == name


def test_unknown_vector_backend_is_refused_naming_the_choices() -> None:
    with pytest.raises(ValueError, match="choose auto, exact"):
        Settings(vector_index="annoy")


def test_vector_factory_serves_exactly_the_named_backends() -> None:
    from index.vectors import BACKENDS

    assert set(BACKENDS) == set(VECTOR_BACKENDS)


@pytest.mark.parametrize("name", INDEX_BACKENDS)
def test_every_index_backend_name_is_a_valid_setting_and_known_to_the_factory(name: str) -> None:
    from index.backends.factory import check_kind

    assert Settings(index_backend=name).index_backend == check_kind(name) == name


def test_unknown_index_backend_is_refused_naming_the_choices() -> None:
    with pytest.raises(ValueError, match="choose local, milvus"):
        Settings(index_backend="elastic")


def test_themes_setting_must_name_a_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="JIEJIAN_THEMES"):
        Settings(themes=tmp_path / "missing.json")


# ----- vocabularies: what the corpus produces is in the vocabulary --------------------------


def test_doc_types_the_metadata_can_find_are_in_the_vocabulary() -> None:
    found = {name for name, _ in cue_table("title_doc_type")} | {
        name for name, _ in cue_table("body_doc_type")
    }
    found.add(metadata.find_doc_type("", None, "摘要：本文… 关键词：工会"))  # a paper
    assert found <= set(DOC_TYPES), found - set(DOC_TYPES)
    assert {"述职报告", "讲话", "论文"} <= set(DOC_TYPES)


def test_section_roles_the_parser_assigns_are_in_the_vocabulary() -> None:
    roles = {role for role, _ in sections.ROLE_RULES} | set(sections.STRONG_ROLES) | {"其他"}
    assert roles <= set(SECTION_ROLES), roles - set(SECTION_ROLES)


def test_levels_the_corpus_assigns_are_in_the_vocabulary() -> None:
    levels = (
        {lvl for lvl, _ in cue_table("org_level")}
        | set(cue_map("self_words"))
        | set(KIND_RANK)
        | {jurisdiction.NATIONAL.kind}
    )
    assert levels <= set(LEVELS), levels - set(LEVELS)
    assert set(LEVEL_LABELS) == set(LEVELS) and all(LEVEL_LABELS.values())


def test_filter_aliases_point_into_the_vocabulary() -> None:
    assert set(LEVEL_ALIASES.values()) <= set(LEVELS)
    assert set(ROLE_ALIASES.values()) <= set(SECTION_ROLES)


# ----- the UI receives the vocabularies ----------------------------------------------------


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    data = tmp_path_factory.mktemp("vocab") / "data"  # no index: the vocabulary needs none
    with TestClient(create_app(Settings(data=data))) as c:
        yield c


class _Page(HTMLParser):
    """The options of every <select> and the attributes of every <input>, by id."""

    def __init__(self) -> None:
        super().__init__()
        self.options: dict[str, list[str]] = {}
        self.inputs: dict[str, dict[str, str | None]] = {}
        self.scripts: dict[str, str] = {}
        self._select: str | None = None
        self._option: dict[str, str | None] | None = None
        self._script: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "select":
            self._select = a.get("id") or ""
            self.options[self._select] = []
        elif tag == "option" and self._select is not None:
            self._option = a
        elif tag == "input" and a.get("id"):
            self.inputs[a["id"] or ""] = a
        elif tag == "script" and a.get("id"):
            self._script = a["id"]

    def handle_data(self, data: str) -> None:
        if self._option is not None and self._select is not None:
            value = self._option.get("value")
            self.options[self._select].append(value if value is not None else data.strip())
            self._option = None
        if self._script is not None:
            self.scripts[self._script] = self.scripts.get(self._script, "") + data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "script":
            self._script = None


def test_vocab_endpoint_serves_every_corpus_vocabulary(client: TestClient) -> None:
    v = client.get("/api/vocab").json()
    assert [(x["value"], x["label"]) for x in v["levels"]] == list(LEVEL_LABELS.items())
    assert v["doc_types"] == list(DOC_TYPES)
    assert v["section_roles"] == list(SECTION_ROLES)
    assert [t["theme_id"] for t in v["themes"]] == [t.theme_id for t in default_taxonomy()]
    assert v["limits"] == {
        "year_min": YEAR_MIN,
        "year_max": YEAR_MAX,
        "max_query_chars": MAX_QUERY_CHARS,
        "max_k": MAX_K,
        "page_sizes": list(PAGE_SIZES),
    }


def test_page_menus_are_built_from_the_vocabulary(client: TestClient) -> None:
    vocab = client.get("/api/vocab").json()
    page = _Page()
    page.feed(client.get("/").text)
    assert json.loads(page.scripts["vocab"]) == vocab  # what app.js reads
    assert page.options["f-level"] == ["", *LEVELS]
    assert page.options["f-doc-type"] == ["", *DOC_TYPES]
    assert page.options["f-role"] == ["", *SECTION_ROLES]
    assert page.options["page-size"] == [str(n) for n in PAGE_SIZES]
    for name in ("f-year-from", "f-year-to"):
        assert page.inputs[name]["min"] == str(YEAR_MIN)
        assert page.inputs[name]["max"] == str(YEAR_MAX)
    assert page.inputs["q"]["maxlength"] == str(MAX_QUERY_CHARS)


def test_script_and_templates_hold_no_copy_of_a_vocabulary() -> None:
    ui = [ROOT / "api" / "static" / "app.js", ROOT / "api" / "templates" / "index.html"]
    values = [*DOC_TYPES, *SECTION_ROLES, *LEVEL_LABELS.values()]
    for path in ui:
        text = path.read_text("utf-8")
        literals = set(re.findall(r"[\"'>]([^\"'<>]+)[\"'<]", text))
        copied = [v for v in values if v in literals]
        assert not copied, f"{path.name} repeats {copied}: read them from the vocabulary"
        keys = [lv for lv in LEVELS if re.search(rf"\b{lv}\s*:", text)]
        assert not keys, f"{path.name} maps levels itself: {keys}"
        assert str(YEAR_MIN) not in text and str(YEAR_MAX) not in text


def test_vocab_themes_follow_the_themes_setting(tmp_path: Path) -> None:
    themes = tmp_path / "themes.json"
    themes.write_text(
        json.dumps(
            [{"id": "mine", "name": "我的主题", "description": "测试", "terms": ["职工书屋"]}],
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    with TestClient(create_app(Settings(data=tmp_path / "data", themes=themes))) as c:
        assert [t["theme_id"] for t in c.get("/api/vocab").json()["themes"]] == ["mine"]
