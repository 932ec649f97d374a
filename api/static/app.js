"use strict";
// 借鉴 web UI: a small hash-routed page over the JSON API (#/search?…, #/report/ID?p=…,
// #/similar/PASSAGE). No framework: the page stays fast and works offline.

const LEVELS = {province: "省", city: "市", county: "县区", township: "乡镇", street: "街道",
                enterprise: "企业", agency: "机关"};
const FACET_NAMES = {jurisdiction: "地区", level: "级别", year: "年份", doc_type: "文种",
                     section_role: "段落类型"};
const FACET_PARAMS = {jurisdiction: "jurisdiction", level: "level", year: null,
                      doc_type: "doc_type", section_role: "section_role"};
const PAGE = 10;
const $ = (id) => document.getElementById(id);

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

function citation(hit) {
  const r = hit.report;
  return `${hit.text}\n——${place(r)}《${r.title || "无题"}》（${r.year || "年份不详"}），来源：${fileName(r.source)}`;
}

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

async function api(path) {
  const resp = await fetch(path);
  let data = null;
  try { data = await resp.json(); } catch (e) { /* not JSON */ }
  if (!resp.ok) {
    const msg = data && data.error ? data.error.message : `HTTP ${resp.status}`;
    throw new Error(msg);
  }
  return data;
}

function card(hit, opts = {}) {
  const r = hit.report;
  const meta = [place(r), LEVELS[r.level] || "", r.year ? r.year + "年" : "", r.doc_type || ""]
    .filter(Boolean).map(esc).join(" · ");
  const section = [hit.section_role, ...(hit.section_path || [])].filter(Boolean).map(esc).join(" / ");
  // No query word in the passage: it was found by meaning alone; say so.
  const semantic = hit.explain && !("bm25" in hit.explain) && !("role" in hit.explain)
    ? `<span class="badge" title="段落中没有检索词，按语义相近找到">语义相近</span>` : "";
  const more = hit.sources && hit.sources.length > 1
    ? `<div class="sources">另见：${hit.sources.slice(1).map((s) => esc(s.title || fileName(s.path))).join("；")}</div>` : "";
  const el = document.createElement("article");
  el.className = "card";
  el.dataset.passage = hit.passage_id;
  el.innerHTML = `
    <h3><a href="#/report/${encodeURIComponent(r.report_id)}?p=${encodeURIComponent(hit.passage_id)}">${esc(r.title || "无题")}</a></h3>
    <div class="meta">${meta}</div>
    <div class="section">${section}${semantic}</div>
    <p class="text">${marked(hit.text, hit.highlights)}</p>${more}
    <div class="actions">
      <a class="btn open" href="#/report/${encodeURIComponent(r.report_id)}?p=${encodeURIComponent(hit.passage_id)}">查看全文</a>
      ${opts.noSimilar ? "" : `<a class="btn similar" href="#/similar/${encodeURIComponent(hit.passage_id)}">其他地方的类似做法</a>`}
      <button type="button" class="btn copy">复制</button>
    </div>`;
  el.querySelector(".copy").addEventListener("click", () => copyText(citation(hit)));
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
  return p;
}

function formFromParams(p) {
  $("q").value = p.get("q") || "";
  for (const el of document.querySelectorAll("#filters [data-param]")) {
    el.value = p.get(el.dataset.param) || "";
  }
  $("f-group").checked = p.get("group_by") === "jurisdiction";
}

function go(p) { location.hash = "#/search?" + p.toString(); }

function renderFacets(facets, p) {
  const box = $("facets");
  box.innerHTML = "";
  for (const [name, label] of Object.entries(FACET_NAMES)) {
    const values = (facets[name] || []).slice(0, 8);
    if (!values.length) continue;
    const sec = document.createElement("div");
    sec.className = "facet";
    sec.innerHTML = `<h4>${label}</h4>`;
    for (const v of values) {
      const a = document.createElement("a");
      a.href = "#";
      a.className = "facet-value";
      a.dataset.facet = name;
      const shown = name === "level" ? (LEVELS[v.value] || v.value) : v.value;
      a.innerHTML = `<span>${esc(shown)}</span><span class="count">${v.count}</span>`;
      a.addEventListener("click", (ev) => {
        ev.preventDefault();
        const np = new URLSearchParams(p);
        np.delete("offset");
        if (name === "year") { np.set("year_from", v.value); np.set("year_to", v.value); }
        else np.set(FACET_PARAMS[name], v.value);
        go(np);
      });
      sec.appendChild(a);
    }
    box.appendChild(sec);
  }
}

function renderPager(total, offset, p) {
  const pager = $("pager");
  pager.innerHTML = "";
  if (total <= PAGE) return;
  const page = Math.floor(offset / PAGE) + 1, pages = Math.ceil(total / PAGE);
  const mk = (label, off, disabled) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.disabled = disabled;
    b.addEventListener("click", () => { const np = new URLSearchParams(p); np.set("offset", off); go(np); });
    return b;
  };
  pager.appendChild(mk("上一页", Math.max(0, offset - PAGE), page <= 1));
  const info = document.createElement("span");
  info.textContent = `第 ${page} / ${pages} 页`;
  pager.appendChild(info);
  pager.appendChild(mk("下一页", offset + PAGE, page >= pages));
}

function emptyState(q) {
  return `<div class="empty"><h2>没有找到与“${esc(q)}”相关的段落</h2>
    <ul><li>换个说法试试，比如“交会费”也可以写成“工会经费收缴”</li>
    <li>减少或清除筛选条件（地区、年份、段落类型）</li>
    <li>简体、繁体都能搜到，不必转换</li></ul></div>`;
}

async function showSearch(p) {
  show("search-view");
  formFromParams(p);
  const q = p.get("q");
  const results = $("results");
  if (!q) {
    $("status").textContent = "";
    $("facets").innerHTML = "";
    $("pager").innerHTML = "";
    results.innerHTML = `<div class="empty welcome"><h2>看看别的地方是怎么做的</h2>
      <p>输入工作主题或问题，例如：<a href="#/search?q=工会经费收缴">工会经费收缴</a>、
      <a href="#/search?q=送温暖">送温暖</a>、<a href="#/search?q=农民工入会">农民工入会</a>、
      <a href="#/search?q=存在问题&level=township">乡镇工会存在的问题</a>。</p></div>`;
    return;
  }
  const offset = Number(p.get("offset") || 0);
  const qp = new URLSearchParams(p);
  qp.set("k", PAGE);
  $("status").textContent = "正在搜索……";
  try {
    const data = await api("/api/search?" + qp.toString());
    const exp = data.expansions.length
      ? "（已按 " + data.expansions.map((e) => `${esc(e.phrase)}→${e.terms.map(esc).join("、")}`).join("；") + " 扩展）" : "";
    $("status").innerHTML = `共 <b>${data.total}</b> 条结果，用时 ${data.took_ms} 毫秒${exp}`;
    renderFacets(data.facets, p);
    results.innerHTML = "";
    if (!data.results.length) { results.innerHTML = emptyState(q); $("pager").innerHTML = ""; return; }
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
    $("status").textContent = "";
    results.innerHTML = `<div class="error">出错了：${esc(e.message)}</div>`;
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
      <h2>${esc(r.title || "无题")}</h2>
      <div class="meta">${esc(place(r))} · ${esc(LEVELS[r.level] || "级别不详")} · ${esc(r.year ? r.year + "年" : "年份不详")} · ${esc(r.doc_type || "")}</div>
      <div class="meta">来源：${r.sources.map((s) => esc(fileName(s.path))).join("；")}</div>
      <div class="report-text">${html.replace(/\n/g, "<br>")}</div>`;
    const mark = document.getElementById("target");
    if (mark) mark.scrollIntoView({block: "center"});
  } catch (e) {
    view.innerHTML = `<div class="error">出错了：${esc(e.message)}</div>`;
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
      <div class="source-passage"><div class="meta">原段落：${esc(place(src.report))}《${esc(src.report.title || "无题")}》</div>
      <p>${esc(src.passage.text)}</p></div><div id="similar-results"></div>`;
    const box = document.getElementById("similar-results");
    if (!data.results.length) box.innerHTML = `<div class="empty"><h2>暂未找到其他地方的类似段落</h2></div>`;
    for (const hit of data.results) box.appendChild(card(hit));
  } catch (e) {
    view.innerHTML = `<div class="error">出错了：${esc(e.message)}</div>`;
  }
}

function show(id) {
  for (const v of ["search-view", "report-view", "similar-view"]) $(v).hidden = v !== id;
  return $(id);
}

function route() {
  const hash = location.hash.replace(/^#/, "") || "/";
  const [path, query] = hash.split("?");
  const p = new URLSearchParams(query || "");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts[0] === "report" && parts[1]) return showReport(parts[1], p.get("p"));
  if (parts[0] === "similar" && parts[1]) return showSimilar(parts[1]);
  return showSearch(p);
}

$("search-form").addEventListener("submit", (ev) => { ev.preventDefault(); go(paramsFromForm()); });
for (const el of document.querySelectorAll("#filters select, #f-group")) {
  el.addEventListener("change", () => { if ($("q").value.trim()) go(paramsFromForm()); });
}
for (const el of document.querySelectorAll("#filters input:not([type=checkbox])")) {
  el.addEventListener("keydown", (ev) => { if (ev.key === "Enter") { ev.preventDefault(); go(paramsFromForm()); } });
}
$("clear-filters").addEventListener("click", () => {
  for (const el of document.querySelectorAll("#filters [data-param]")) el.value = "";
  $("f-group").checked = false;
  go(paramsFromForm());
});
window.addEventListener("hashchange", route);
route();
