"use strict";
// 借鉴 web UI: a small hash-routed page over the JSON API (#/search?…, #/report/ID?p=…,
// #/similar/PASSAGE). No framework: the page stays fast and works offline.

// Vocabularies and bounds come from the server (api/vocab.py, rendered into the page; also
// GET /api/vocab): levels with their labels, doc types, roles, themes, page sizes.
const VOCAB = JSON.parse(document.getElementById("vocab").textContent);
const LEVELS = Object.fromEntries(VOCAB.levels.map((l) => [l.value, l.label]));
const FACET_NAMES = {jurisdiction: "地区", level: "级别", year: "年份", doc_type: "文种",
                     section_role: "段落类型"};
const FACET_PARAMS = {jurisdiction: "jurisdiction", level: "level", year: null,
                      doc_type: "doc_type", section_role: "section_role"};
const PAGE_SIZES = VOCAB.limits.page_sizes;
const FILTER_PARAMS = ["jurisdiction", "exclude_jurisdiction", "level", "year_from", "year_to",
                       "doc_type", "section_role", "theme", "group_by"];
const $ = (id) => document.getElementById(id);
const pageSize = (p) => (PAGE_SIZES.includes(Number(p.get("k"))) ? Number(p.get("k")) : PAGE_SIZES[0]);
const mobile = () => window.matchMedia("(max-width: 760px)").matches;

function esc(s) {
  return String(s ?? "").replace(/[&<>"']/g, (c) =>
    ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
}

function marked(text, spans) {
  let out = "", pos = 0;
  for (const [s, e] of spans || []) {
    out += esc(text.slice(pos, s)) + "<mark>" + esc(text.slice(s, e)) + "</mark>";
    pos = e;
  }
  return (out + esc(text.slice(pos))).replace(/\n/g, "<br>");
}

function place(r) {
  const path = r.jurisdiction_path && r.jurisdiction_path.length ? r.jurisdiction_path
    : (r.jurisdiction ? [r.jurisdiction] : []);
  return path.length ? path.join(" › ") : "地区不详";
}

function fileName(p) { return String(p || "").split(/[\\/]/).pop(); }

// A heading for a report the text gives no title: what it is from its metadata, marked as
// ours by the brackets (〔云南省 2025年 工作报告〕), never 无题 alone when anything is known.
function heading(r) {
  if (r.title) return r.title;
  const made = [r.jurisdiction || "", r.year ? r.year + "年" : "", r.doc_type || ""].filter(Boolean);
  return made.length ? `〔${made.join(" ")}〕` : "无题";
}

// 发文单位《标题》（年份）: the issuing body the server names for every report it sends
// (retrieval/export_docs.py decides it once, for the page and the exports alike).
function issuer(r) { return r.issuer || "发文单位不详"; }
// When: the year reviewed, then the delivery date (or year) where the text states it.
function when(r) {
  const year = r.year ? String(r.year) : "年份不详";
  if (r.date) {
    const [y, m, d] = r.date.split("-").map(Number);
    return `${year}；${y}年${m}月${d}日`;
  }
  if (r.year_delivered && r.year_delivered !== r.year) return `${year}；${r.year_delivered}年`;
  return year;
}
// One facet block (search results and 报告库 alike): a link per value with its count.
function facetSection(name, label, values, shown, pick) {
  const sec = document.createElement("div");
  sec.className = "facet";
  sec.innerHTML = `<h4>${label}</h4>`;
  for (const v of values) {
    const a = document.createElement("a");
    a.href = "#";
    a.className = "facet-value";
    a.dataset.facet = name;
    a.innerHTML = `<span>${esc(shown(v))}</span><span class="count">${v.count}</span>`;
    a.addEventListener("click", (ev) => { ev.preventDefault(); pick(v); });
    sec.appendChild(a);
  }
  return sec;
}

// The query string with one facet value chosen (a year is a one-year range), page reset.
function withFacet(p, name, param, value) {
  const np = new URLSearchParams(p);
  np.delete("offset");
  if (name === "year") { np.set("year_from", value); np.set("year_to", value); }
  else np.set(param, value);
  return np;
}

function cite(r) { return `${issuer(r)}《${r.title || "无题"}》（${when(r)}）`; }
function citation(hit) { return `${hit.text}\n——${cite(hit.report)}`; }

function toast(msg) {
  const t = $("toast");
  t.textContent = msg;
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.hidden = true; }, 2500);
}

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
  } catch (e) {
    const ta = document.createElement("textarea");
    ta.value = text;
    document.body.appendChild(ta);
    ta.select();
    document.execCommand("copy");
    ta.remove();
  }
  toast("已复制段落及出处");
}

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

// The API speaks English to programs; people read Chinese. Known messages get their own
// sentence, everything else one per status.
const ERROR_TEXTS = [
  [/year_from \d+ is after year_to/, "起始年份晚于截止年份，请调整年份范围"],
  [/query is empty/, "请输入要检索的内容"],
  [/limit is \d+|at most 200|max_length/, "检索词太长了，请控制在 200 个字以内"],
  [/unknown theme|no theme|theme/, "没有这个主题，请从“主题与趋势”页选择"],
  [/level/, "级别筛选无效，请重新选择"],
  [/no (passage|report)/, "没有找到这条内容，可能已被删除或重建了索引"],
  [/no index|run `jiejian/, "检索索引尚未建立，请先导入并建立索引"],
];
const STATUS_TEXTS = {400: "检索条件有误，请检查后重试", 404: "没有找到这条内容", 413: "文件太大",
                      422: "参数格式不对，请检查筛选条件", 503: "检索服务暂不可用（索引未建立或正在更新），请稍后再试"};

function zhError(e) {
  if (!(e instanceof ApiError)) return "无法连接检索服务，请检查网络后重试";
  for (const [re, text] of ERROR_TEXTS) if (re.test(e.message)) return text;
  return STATUS_TEXTS[e.status] || `服务器出错了（${e.status}），请稍后再试`;
}

function errorBox(e) {
  return `<div class="error" role="alert">出错了：${esc(zhError(e))}</div>`;
}

async function api(path, init) {
  let resp;
  try { resp = await fetch(path, init); } catch (e) { throw new Error("network"); }
  let data = null;
  try { data = await resp.json(); } catch (e) { /* not JSON */ }
  if (!resp.ok) throw new ApiError(resp.status, data && data.error ? data.error.message : "");
  return data;
}

function card(hit, opts = {}) {
  const r = hit.report;
  const meta = [place(r), LEVELS[r.level] || "", r.year ? r.year + "年" : "", r.doc_type || ""]
    .filter(Boolean).map(esc).join(" · ");
  const section = [hit.section_role, ...(hit.section_path || [])].filter(Boolean).map(esc).join(" / ");
  // No query word in the passage: it was found by meaning alone; say so.
  const semantic = hit.explain && !("bm25" in hit.explain) && !("role" in hit.explain) && !("cover" in hit.explain)
    ? `<span class="badge" title="段落中没有检索词，按语义相近找到">语义相近</span>` : "";
  // Text recognised from a scan or photo: say so, since it may hold recognition errors.
  const ocr = hit.ocr
    ? `<span class="badge ocr" title="本段文字由扫描件或图片经OCR识别得到，可能含有识别错误，引用前请核对原件">OCR识别</span>` : "";
  const more = hit.sources && hit.sources.length > 1
    ? `<div class="sources">另见：${hit.sources.slice(1).map((s) => esc(s.title || fileName(s.path))).join("；")}</div>` : "";
  const el = document.createElement("article");
  el.className = "card";
  el.dataset.passage = hit.passage_id;
  el.innerHTML = `
    <h3><a href="#/report/${encodeURIComponent(r.report_id)}?p=${encodeURIComponent(hit.passage_id)}">${esc(heading(r))}</a></h3>
    <div class="meta">${meta}</div>
    <div class="section">${section}${semantic}${ocr}</div>
    <p class="text">${marked(hit.text, hit.highlights)}</p>${more}
    <div class="actions">
      <a class="btn open" href="#/report/${encodeURIComponent(r.report_id)}?p=${encodeURIComponent(hit.passage_id)}">查看全文</a>
      ${opts.noSimilar ? "" : `<a class="btn similar" href="#/similar/${encodeURIComponent(hit.passage_id)}">其他地方的类似做法</a>`}
      <button type="button" class="btn copy">复制</button>
      <button type="button" class="btn add">加入素材篮</button>
      <a class="btn like" href="#/search?${new URLSearchParams({q: hit.section_role, section_role: hit.section_role, ...(r.level ? {level: r.level} : {})}).toString()}" title="其他报告中同一类段落">同类段落</a>
    </div>`;
  el.querySelector(".copy").addEventListener("click", () => copyText(citation(hit)));
  el.querySelector(".add").addEventListener("click", () => addToBasket(
    {kind: "passage", id: hit.passage_id, text: hit.text, citation: citation(hit).split("\n").pop()}));
  return el;
}

// ----- search view --------------------------------------------------------------------

function paramsFromForm(offset = 0) {
  const p = new URLSearchParams();
  const q = $("q").value.trim();
  if (q) p.set("q", q);
  for (const el of document.querySelectorAll("#filters [data-param]")) {
    if (el.value.trim()) p.set(el.dataset.param, el.value.trim());
  }
  if ($("f-group").checked) p.set("group_by", "jurisdiction");
  if (offset) p.set("offset", offset);
  // The tab, the order, the page size and a theme (shown as a removable chip) stay.
  const current = currentParams();
  for (const keep of ["view", "theme", "sort", "k"]) if (current.get(keep)) p.set(keep, current.get(keep));
  return p;
}

function currentParams() {
  return location.hash.startsWith("#/search") ? new URLSearchParams(location.hash.split("?")[1] || "")
    : new URLSearchParams();
}

function formFromParams(p) {
  $("q").value = p.get("q") || "";
  for (const el of document.querySelectorAll("#filters [data-param]")) {
    el.value = p.get(el.dataset.param) || "";
  }
  $("f-group").checked = p.get("group_by") === "jurisdiction";
  $("sort").value = p.get("sort") === "date" ? "date" : "relevance";
  $("page-size").value = String(pageSize(p));
}

// ----- filter chips: every active filter, visible and removable ---------------------------

const THEME_NAMES = Object.fromEntries(VOCAB.themes.map((t) => [t.theme_id, t.name]));
function themeName(id) {
  return THEME_NAMES[id] || id;
}

function chipLabel(name, p) {
  const v = p.get(name);
  switch (name) {
    case "jurisdiction": return `地区：${v}`;
    case "exclude_jurisdiction": return `排除地区：${v}`;
    case "level": return `级别：${LEVELS[v] || v}`;
    case "year_from": return p.get("year_to") === v ? `年份：${v}` : `年份：${v} 起`;
    case "year_to": return p.get("year_from") === v ? null : `年份：至 ${v}`;
    case "doc_type": return `文种：${v}`;
    case "section_role": return `段落类型：${v}`;
    case "group_by": return "按地区分组";
    default: return v;
  }
}

async function renderChips(p, target, navigate) {
  const box = $(target);
  box.innerHTML = "";
  const active = FILTER_PARAMS.filter((n) => p.get(n));
  for (const name of active) {
    let label = name === "theme" ? `主题：${themeName(p.get("theme"))}` : chipLabel(name, p);
    if (label === null) continue;
    const chip = document.createElement("button");
    chip.type = "button";
    chip.className = "chip";
    chip.dataset.param = name;
    chip.title = "去掉这个筛选";
    chip.innerHTML = `${esc(label)} <span aria-hidden="true">×</span>`;
    chip.addEventListener("click", () => {
      const np = new URLSearchParams(p);
      np.delete(name);
      np.delete("offset");
      if (name === "year_from" && p.get("year_to") === p.get("year_from")) np.delete("year_to");
      navigate(np);
    });
    box.appendChild(chip);
  }
  if (active.length) {
    const clear = document.createElement("button");
    clear.type = "button";
    clear.className = "link clear-chips";
    clear.textContent = "清除筛选";
    clear.addEventListener("click", () => navigate(withoutFilters(p)));
    box.appendChild(clear);
  }
  box.hidden = !active.length;
}

function withoutFilters(p) {
  const np = new URLSearchParams(p);
  for (const n of FILTER_PARAMS) np.delete(n);
  np.delete("offset");
  return np;
}

function go(p) { location.hash = "#/search?" + p.toString(); }

function renderFacets(facets, p) {
  const box = $("facets");
  box.innerHTML = "";
  for (const [name, label] of Object.entries(FACET_NAMES)) {
    const values = (facets[name] || []).slice(0, 8);
    if (!values.length) continue;
    const shown = (v) => (name === "level" ? (LEVELS[v.value] || v.value) : v.value);
    box.appendChild(facetSection(name, label, values, shown,
      (v) => go(withFacet(p, name, FACET_PARAMS[name], v.value))));
  }
}

function renderPager(total, offset, p, size = pageSize(p), navigate = go, target = "pager") {
  const pager = $(target);
  pager.innerHTML = "";
  if (total <= size) return;
  const page = Math.floor(offset / size) + 1, pages = Math.ceil(total / size);
  const mk = (label, off, disabled) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.disabled = disabled;
    b.addEventListener("click", () => { const np = new URLSearchParams(p); np.set("offset", off); navigate(np); });
    return b;
  };
  pager.appendChild(mk("上一页", Math.max(0, offset - size), page <= 1));
  const info = document.createElement("span");
  info.textContent = `第 ${page} / ${pages} 页`;
  pager.appendChild(info);
  pager.appendChild(mk("下一页", offset + size, page >= pages));
}

// The query less the words the corpus never uses (the API's absent_terms), or "" when
// nothing else is left.
function withoutAbsent(q, absent) {
  let rest = q;
  for (const w of absent || []) rest = rest.split(w).join(" ");
  rest = rest.replace(/\s+/g, " ").trim();
  return rest === q.trim() ? "" : rest;
}

function emptyState(q, p, absent) {
  const filtered = FILTER_PARAMS.some((n) => p && p.get(n));
  const clear = filtered
    ? `<li>去掉一些筛选条件再试：<button type="button" class="link empty-clear">清除全部筛选</button></li>` : "";
  const rest = withoutAbsent(q, absent);
  const missing = absent && absent.length
    ? `<p class="absent">资料库里没有出现这些词：${absent.map((w) => `<b>${esc(w)}</b>`).join("、")}。</p>` : "";
  const retry = rest
    ? `<li>去掉资料库里没有的词再搜：<a href="#/search?q=${encodeURIComponent(rest)}">${esc(rest)}</a></li>` : "";
  return `<div class="empty"><h2>没有找到与“${esc(q)}”相关的内容</h2>${missing}
    <p>只列出确有依据的段落：段落里出现了检索的内容，或者意思非常接近。资料库里可能没有谈到这个问题。</p>
    <ul>${clear}${retry}<li>换个说法试试，比如“交会费”也可以写成“工会经费收缴”，“读书的地方”写成“职工书屋”</li>
    <li>用更少、更核心的词，例如只搜“送温暖”而不是整句话</li>
    <li>简体、繁体都能搜到，不必转换</li>
    <li>看看常见主题：<a href="#/search?q=工会经费收缴">工会经费收缴</a>、<a href="#/search?q=送温暖">送温暖</a>、
      <a href="#/search?q=农民工入会">农民工入会</a>、<a href="#/themes">主题与趋势</a>、<a href="#/reports">报告库</a></li></ul></div>`;
}

function showEmpty(q, p, absent) {
  const results = $("results");
  results.innerHTML = emptyState(q, p, absent);
  const b = results.querySelector(".empty-clear");
  if (b) b.addEventListener("click", () => go(withoutFilters(p)));
  $("pager").innerHTML = "";
}

function showError(e) {
  $("status").textContent = "";
  $("facets").innerHTML = "";
  $("pager").innerHTML = "";
  $("results").innerHTML = errorBox(e);
}

// Each search view takes a number; an answer that comes back after a newer view began is
// dropped, so a slow earlier request never overwrites what the newer one showed (an error
// message, say).
let searchSeq = 0;

async function showSearch(p) {
  const mine = ++searchSeq;
  const stale = () => mine !== searchSeq;
  show("search-view");
  formFromParams(p);
  renderChips(p, "chips", go);
  const q = p.get("q");
  const results = $("results");
  const practicesView = p.get("view") === "practices";
  for (const t of document.querySelectorAll("#tabs .tab")) {
    t.classList.toggle("active", (t.dataset.view === "practices") === practicesView);
  }
  $("sort-box").hidden = practicesView;  // cards come one per place and year, best first
  if (!q) {
    $("status").textContent = "";
    $("facets").innerHTML = "";
    $("pager").innerHTML = "";
    results.innerHTML = `<div class="empty welcome"><h2>看看别的地方是怎么做的</h2>
      <p>输入工作主题或问题，例如：<a href="#/search?q=工会经费收缴">工会经费收缴</a>、
      <a href="#/search?q=送温暖">送温暖</a>、<a href="#/search?q=农民工入会">农民工入会</a>、
      <a href="#/search?q=存在问题&level=township">乡镇工会存在的问题</a>；
      或到<a href="#/reports">报告库</a>按地区、级别、年份浏览。</p></div>`;
    return;
  }
  if (practicesView) {
    $("status").textContent = "正在查找做法……";
    $("facets").innerHTML = "";
    try { await showPracticeResults(p, stale); } catch (e) { if (!stale()) showError(e); }
    return;
  }
  const offset = Number(p.get("offset") || 0);
  const qp = new URLSearchParams(p);
  qp.delete("view");
  qp.set("k", pageSize(p));
  $("status").textContent = "正在搜索……";
  try {
    const data = await api("/api/search?" + qp.toString());
    if (stale()) return;
    const exp = data.expansions.length
      ? "（已按 " + data.expansions.map((e) => `${esc(e.phrase)}→${e.terms.map(esc).join("、")}`).join("；") + " 扩展）" : "";
    const order = p.get("sort") === "date" ? "，按时间从新到旧" : "";
    const absent = data.absent_terms || [];
    const miss = absent.length && data.results.length
      ? `<span class="absent">；资料库里没有出现：${absent.map(esc).join("、")}，结果只含其余的词</span>` : "";
    // Places and levels the query named: their reports' passages lead (not a filter); said
    // only when some result is one of theirs.
    const named = [...(data.places || []), ...(data.levels || []).map((l) => LEVELS[l] || l)];
    const lead = named.length && data.results.some((h) => h.explain && h.explain.constraint)
      ? `<span class="understood">；${named.map(esc).join("、")}的报告排在前面</span>` : "";
    $("status").innerHTML = `共 <b>${data.total}</b> 条结果${order}，用时 ${data.took_ms} 毫秒${exp}${lead}${miss}`;
    renderFacets(data.facets, p);
    results.innerHTML = "";
    if (!data.results.length) { showEmpty(q, p, absent); return; }
    if (data.groups) {
      const byId = Object.fromEntries(data.results.map((h) => [h.passage_id, h]));
      for (const g of data.groups) {
        const h = document.createElement("h2");
        h.className = "group";
        h.textContent = g.jurisdiction || "地区不详";
        results.appendChild(h);
        for (const id of g.results) if (byId[id]) results.appendChild(card(byId[id]));
      }
    } else {
      for (const hit of data.results) results.appendChild(card(hit));
    }
    renderPager(data.total, offset, p);
  } catch (e) {
    if (!stale()) showError(e);
  }
}

// ----- report and similar views ---------------------------------------------------------

async function showReport(id, pid) {
  const view = show("report-view");
  view.innerHTML = "<p>正在载入……</p>";
  try {
    const r = await api("/api/reports/" + encodeURIComponent(id));
    let html = "", pos = 0;
    const target = r.passages.find((x) => x.passage_id === pid);
    if (target) {
      html = esc(r.text.slice(0, target.start)) + `<mark id="target" class="target">` +
        esc(r.text.slice(target.start, target.end)) + "</mark>";
      pos = target.end;
    }
    html += esc(r.text.slice(pos));
    view.innerHTML = `<a class="back" href="javascript:history.back()">← 返回</a>
      <h2>${esc(heading(r))}</h2>
      <div class="meta">${esc(place(r))} · ${esc(LEVELS[r.level] || "级别不详")} · ${esc(r.year ? r.year + "年" : "年份不详")} · ${esc(r.doc_type || "")}</div>
      <div class="meta">引用：${esc(cite(r))}</div>
      <div class="report-text">${html.replace(/\n/g, "<br>")}</div>`;
    const mark = document.getElementById("target");
    if (mark) mark.scrollIntoView({block: "center"});
  } catch (e) {
    view.innerHTML = errorBox(e);
  }
}

async function showSimilar(pid) {
  const view = show("similar-view");
  view.innerHTML = "<p>正在查找……</p>";
  try {
    const [src, data] = await Promise.all([
      api("/api/passages/" + encodeURIComponent(pid)),
      api("/api/passages/" + encodeURIComponent(pid) + "/similar?k=10"),
    ]);
    view.innerHTML = `<a class="back" href="javascript:history.back()">← 返回</a>
      <h2>其他地方的类似做法</h2>
      <div class="source-passage"><div class="meta">原段落：${esc(place(src.report))}《${esc(heading(src.report))}》</div>
      <p>${esc(src.passage.text)}</p></div><div id="similar-results"></div>`;
    const box = document.getElementById("similar-results");
    if (!data.results.length) box.innerHTML = `<div class="empty"><h2>暂未找到其他地方的类似段落</h2></div>`;
    for (const hit of data.results) box.appendChild(card(hit));
  } catch (e) {
    view.innerHTML = errorBox(e);
  }
}

function show(id) {
  for (const v of ["search-view", "report-view", "similar-view", "basket-view", "themes-view", "reports-view"]) {
    $(v).hidden = v !== id;
  }
  return $(id);
}

function route() {
  $("basket-link").textContent = `素材篮（${basket().length}）`;  // another tab may have changed it
  const hash = location.hash.replace(/^#/, "") || "/";
  const [path, query] = hash.split("?");
  const p = new URLSearchParams(query || "");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts[0] === "report" && parts[1]) return showReport(parts[1], p.get("p"));
  if (parts[0] === "similar" && parts[1]) return showSimilar(parts[1]);
  if (parts[0] === "basket") return showBasket();
  if (parts[0] === "themes") return showThemes(p);
  if (parts[0] === "reports") return showReports(p);
  return showSearch(p);
}

$("search-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  // From any view the header box searches; filters apply only on the search view itself.
  go(location.hash.startsWith("#/search") ? paramsFromForm() : new URLSearchParams({q: $("q").value.trim()}));
});
for (const el of document.querySelectorAll("#filters select, #f-group")) {
  el.addEventListener("change", () => { if ($("q").value.trim()) go(paramsFromForm()); });
}
for (const el of document.querySelectorAll("#filters input:not([type=checkbox])")) {
  el.addEventListener("keydown", (ev) => { if (ev.key === "Enter") { ev.preventDefault(); go(paramsFromForm()); } });
}
$("clear-filters").addEventListener("click", () => {
  for (const el of document.querySelectorAll("#filters [data-param]")) el.value = "";
  $("f-group").checked = false;
  go(withoutFilters(paramsFromForm()));  // the theme too
});
for (const t of document.querySelectorAll("#tabs .tab")) {
  t.addEventListener("click", (ev) => {
    ev.preventDefault();
    const np = paramsFromForm();
    np.delete("offset");
    if (t.dataset.view === "practices") np.set("view", "practices"); else np.delete("view");
    go(np);
  });
}
for (const [id, param, dflt] of [["sort", "sort", "relevance"], ["page-size", "k", "10"]]) {
  $(id).addEventListener("change", () => {
    const np = paramsFromForm();
    np.delete("offset");
    if ($(id).value === dflt) np.delete(param); else np.set(param, $(id).value);
    go(np);
  });
}
// On a phone the filters fold away so the first result is on the first screen.
if (mobile()) $("filter-panel").open = false;
window.addEventListener("hashchange", route);

// ----- 素材篮 (drafting basket), kept in this browser ------------------------------------

const BASKET_KEY = "jiejian-basket";
function basket() { try { return JSON.parse(localStorage.getItem(BASKET_KEY)) || []; } catch (e) { return []; } }
function saveBasket(items) {
  localStorage.setItem(BASKET_KEY, JSON.stringify(items));
  $("basket-link").textContent = `素材篮（${items.length}）`;
}
function addToBasket(item) {
  const items = basket();
  const q = currentParams().get("q");
  if (q && !item.query) item.query = q;
  if (items.some((x) => x.kind === item.kind && x.id === item.id)) { toast("已在素材篮中"); return; }
  items.push(item);
  saveBasket(items);
  toast("已加入素材篮");
}

function showBasket() {
  const view = show("basket-view");
  const items = basket();
  view.innerHTML = `<h2>素材篮</h2><p class="meta">收集的段落和做法保存在本浏览器中；导出时每条后面附出处。</p>
    <div class="actions export-actions"><button type="button" data-fmt="docx">导出 Word</button>
    <button type="button" data-fmt="md">导出 Markdown</button><button type="button" data-fmt="csv">导出 CSV</button>
    <button type="button" class="clear-basket">清空</button></div><div id="basket-items"></div>`;
  const box = document.getElementById("basket-items");
  if (!items.length) box.innerHTML = `<div class="empty"><h2>素材篮是空的</h2><p>在检索结果或做法卡片上点“加入素材篮”。</p></div>`;
  items.forEach((it, i) => {
    const el = document.createElement("div");
    el.className = "basket-item";
    el.innerHTML = `<p>${esc(it.text)}</p><div class="cite">${esc(it.citation)}</div>
      <div class="actions"><button type="button" class="up" ${i === 0 ? "disabled" : ""}>上移</button>
      <button type="button" class="down" ${i === items.length - 1 ? "disabled" : ""}>下移</button>
      <button type="button" class="remove">移除</button></div>`;
    const move = (d) => { const a = basket(); [a[i], a[i + d]] = [a[i + d], a[i]]; saveBasket(a); showBasket(); };
    el.querySelector(".up").addEventListener("click", () => move(-1));
    el.querySelector(".down").addEventListener("click", () => move(1));
    el.querySelector(".remove").addEventListener("click", () => { const a = basket(); a.splice(i, 1); saveBasket(a); showBasket(); });
    box.appendChild(el);
  });
  view.querySelector(".clear-basket").addEventListener("click", () => { saveBasket([]); showBasket(); });
  for (const b of view.querySelectorAll("[data-fmt]")) {
    b.disabled = !items.length;
    b.addEventListener("click", async () => {
      const queries = [...new Set(basket().map((x) => x.query).filter(Boolean))];
      const body = {format: b.dataset.fmt, items: basket().map((x) => ({[x.kind + "_id"]: x.id}))};
      if (queries.length) body.query = queries.join("；").slice(0, 200);
      const resp = await fetch("/api/export", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
      if (!resp.ok) { toast("导出失败：" + zhError(new ApiError(resp.status, ""))); return; }
      const url = URL.createObjectURL(await resp.blob());
      const a = document.createElement("a");
      a.href = url;
      a.download = `素材篮.${b.dataset.fmt}`;
      document.body.appendChild(a);
      a.click();
      a.remove();
      toast("已导出");
    });
  }
}

// ----- 做法卡片 (practice cards) -----------------------------------------------------------

function practiceCard(g) {
  const el = document.createElement("article");
  el.className = "card practice-card";
  const meta = [place(g), LEVELS[g.level] || "", g.year ? g.year + "年" : "", g.doc_type || ""]
    .filter(Boolean).map(esc).join(" · ");
  el.innerHTML = `<h3>${esc(heading(g))}</h3><div class="meta">${meta}</div><div class="practices"></div>`;
  const box = el.querySelector(".practices");
  for (const p of g.practices) {
    const row = document.createElement("div");
    row.className = "practice";
    row.innerHTML = `<p class="text">${marked(p.text, p.highlights)}</p>
      <div>${p.figures.map((f) => `<span class="figure">${esc(f)}</span>`).join("")}</div>
      <div class="actions">${p.passage_id ? `<a class="btn open" href="#/report/${encodeURIComponent(g.report_id)}?p=${encodeURIComponent(p.passage_id)}">查看原文</a>` : ""}
      <button type="button" class="btn add">加入素材篮</button></div>`;
    const citation = `——${cite(g)}`;
    row.querySelector(".add").addEventListener("click", () =>
      addToBasket({kind: "practice", id: p.practice_id, text: p.text, citation}));
    box.appendChild(row);
  }
  return el;
}

async function showPracticeResults(p, stale = () => false) {
  const qp = new URLSearchParams(p);
  qp.delete("view");
  qp.delete("group_by");
  qp.delete("sort");
  qp.set("k", pageSize(p));
  const data = await api("/api/practices?" + qp.toString());
  if (stale()) return;
  $("status").innerHTML = `共 <b>${data.total}</b> 张做法卡片（每个地方每年一张），用时 ${data.took_ms} 毫秒`;
  const results = $("results");
  results.innerHTML = "";
  if (!data.groups.length) { showEmpty(p.get("q"), p); return; }
  for (const g of data.groups) results.appendChild(practiceCard(g));
  renderPager(data.total, Number(p.get("offset") || 0), p);
}

// ----- 主题与趋势 (themes and trends) ------------------------------------------------------

function barChart(title, rows, label, share = false) {
  const w = 560, bh = 18, gap = 6, left = 90;
  const value = (r) => (share ? r.share || 0 : r.count);
  const shown = (r) => (share ? `${Math.round(100 * (r.share || 0))}%（${r.count}/${r.total}）` : String(r.count));
  const max = share ? Math.max(0.01, ...rows.map(value)) : Math.max(1, ...rows.map(value));
  const h = rows.length * (bh + gap) + 24;
  const bars = rows.map((r, i) => {
    const y = 20 + i * (bh + gap), bw = Math.round((w - left - 110) * value(r) / max);
    return `<text x="0" y="${y + 13}">${esc(label(r.bucket))}</text><rect x="${left}" y="${y}" width="${bw}" height="${bh}" data-count="${r.count}"></rect>
      <text x="${left + bw + 6}" y="${y + 13}">${esc(shown(r))}</text>`;
  }).join("");
  return `<div class="chart"><h4>${esc(title)}</h4><svg viewBox="0 0 ${w} ${h}" width="100%" style="max-width:${w}px" role="img" aria-label="${esc(title)}">${bars}</svg></div>`;
}

async function showThemes(p) {
  const view = show("themes-view");
  view.innerHTML = "<p>正在统计……</p>";
  try {
    const data = await api("/api/themes");
    const themes = data.themes;
    const chosen = p.get("theme") || (themes.find((t) => t.count) || themes[0]).theme_id;
    const max = Math.max(1, ...themes.map((t) => t.count));
    const share = p.get("measure") === "share";
    view.innerHTML = `<h2>主题与趋势</h2><p class="meta">每个主题下有多少篇报告涉及，以及按年份、按级别的变化。点击主题查看趋势。</p>
      <form id="trend-form"><input id="trend-q" placeholder="或输入一个检索词看它的趋势，如：职工书屋" value="${esc(p.get("q") || "")}"> <button type="submit">看趋势</button></form>
      <div class="measure" role="radiogroup" aria-label="显示方式">显示：
        <label><input type="radio" name="measure" value="count" ${share ? "" : "checked"}> 报告数</label>
        <label><input type="radio" name="measure" value="share" ${share ? "checked" : ""}> 占当年（该级别、该省）报告的比例</label></div>
      <div class="layout themes-layout"><div id="theme-list"></div><div id="trend-charts"></div></div>`;
    for (const r of view.querySelectorAll("input[name=measure]")) {
      r.addEventListener("change", () => {
        const np = new URLSearchParams(p);
        if (r.value === "share") np.set("measure", "share"); else np.delete("measure");
        location.hash = "#/themes?" + np.toString();
      });
    }
    const list = document.getElementById("theme-list");
    for (const t of themes) {
      const row = document.createElement("div");
      row.className = "theme-row" + (t.theme_id === chosen && !p.get("q") ? " selected" : "");
      row.dataset.theme = t.theme_id;
      row.title = t.description;
      row.innerHTML = `<span>${esc(t.name)}</span><div class="bar" style="width:${Math.round(100 * t.count / max)}%"></div><span class="count">${t.count}</span>`;
      row.addEventListener("click", () => {
        location.hash = "#/themes?" + new URLSearchParams({theme: t.theme_id, ...(share ? {measure: "share"} : {})}).toString();
      });
      list.appendChild(row);
    }
    document.getElementById("trend-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const q = document.getElementById("trend-q").value.trim();
      location.hash = "#/themes?" + new URLSearchParams({...(q ? {q} : {}), ...(share ? {measure: "share"} : {})}).toString();
    });
    const key = p.get("q") ? {q: p.get("q")} : {theme: chosen};
    const [byYear, byLevel, byRegion] = await Promise.all(["year", "level", "region"].map((by) =>
      api("/api/trends?" + new URLSearchParams({...key, by}).toString())));
    const name = p.get("q") ? `“${p.get("q")}”` : themes.find((t) => t.theme_id === chosen).name;
    const cards = key.q ? `#/search?q=${encodeURIComponent(key.q)}&view=practices`
      : `#/search?q=${encodeURIComponent(name)}&theme=${encodeURIComponent(chosen)}&view=practices`;
    const unit = share ? "占比" : "报告数";
    const none = !byYear.buckets.some((b) => b.count) && !byLevel.buckets.length
      ? `<div class="empty"><h2>没有报告谈到${esc(name)}</h2><p>换个说法，或从左侧选一个主题。</p></div>` : "";
    document.getElementById("trend-charts").innerHTML =
      `<h3>${esc(name)} <a class="btn" href="${cards}">查看做法卡片</a></h3>` + (none ||
      barChart(`按年份（${unit}，没有报告的年份记为 0）`, byYear.buckets, (b) => b + "年", share) +
      barChart(`按级别（${unit}）`, byLevel.buckets, (b) => LEVELS[b] || b, share) +
      barChart(`按省份（${unit}）`, byRegion.buckets.slice(0, 12), (b) => b, share));
  } catch (e) {
    view.innerHTML = errorBox(e);
  }
}

// ----- 报告库 (browse reports by place, level and year) -----------------------------------

const REPORT_FACETS = {level: "级别", year: "年份", jurisdiction: "地区"};

function goReports(p) { location.hash = "#/reports?" + p.toString(); }

async function showReports(p) {
  const view = show("reports-view");
  const size = pageSize(p), offset = Number(p.get("offset") || 0);
  view.innerHTML = `<h2>报告库</h2><p class="meta">按地区、级别、年份浏览全部报告；点数字即筛选。</p>
    <div id="report-chips" class="chips"></div>
    <div class="layout"><aside id="report-facets" aria-label="报告统计"></aside>
    <div class="main-col"><div id="report-status" class="status">正在载入……</div>
    <div id="report-list"></div><nav id="report-pager" class="pager"></nav></div></div>`;
  renderChips(p, "report-chips", goReports);
  const qp = new URLSearchParams();
  for (const n of ["jurisdiction", "level", "doc_type"]) if (p.get(n)) qp.set(n, p.get(n));
  if (p.get("year_from")) qp.set("year_from", p.get("year_from"));
  if (p.get("year_to")) qp.set("year_to", p.get("year_to"));
  qp.set("limit", size);
  qp.set("offset", offset);
  try {
    const data = await api("/api/reports?" + qp.toString());
    document.getElementById("report-status").innerHTML = `共 <b>${data.total}</b> 篇报告`;
    const facets = document.getElementById("report-facets");
    for (const [name, label] of Object.entries(REPORT_FACETS)) {
      const values = (data.facets[name] || []).slice(0, name === "year" ? 40 : 15);
      if (!values.length) continue;
      const shown = (v) => (name === "level" ? (LEVELS[v.value] || v.value)
        : name === "year" ? v.value + "年" : v.value);
      facets.appendChild(facetSection(name, label, values, shown,
        (v) => goReports(withFacet(p, name, name, v.value))));
    }
    const list = document.getElementById("report-list");
    if (!data.reports.length) list.innerHTML = `<div class="empty"><h2>没有符合条件的报告</h2><p>去掉一些筛选条件再试。</p></div>`;
    for (const r of data.reports) {
      const el = document.createElement("article");
      el.className = "card report-row";
      const meta = [place(r), LEVELS[r.level] || "", r.year ? r.year + "年" : "年份不详", r.doc_type || "", `${r.n_passages} 段`]
        .filter(Boolean).map(esc).join(" · ");
      el.innerHTML = `<h3><a href="#/report/${encodeURIComponent(r.report_id)}">${esc(heading(r))}</a></h3>
        <div class="meta">${meta}</div><div class="meta">引用：${esc(cite(r))}</div>`;
      list.appendChild(el);
    }
    renderPager(data.total, offset, p, size, goReports, "report-pager");
  } catch (e) {
    view.querySelector(".layout").innerHTML = errorBox(e);
  }
}

saveBasket(basket());
route();
