"use strict";
const form = document.getElementById("upload-form");
if (form) {
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const out = document.getElementById("upload-result");
    const files = document.getElementById("files").files;
    const body = new FormData();
    for (const f of files) body.append("files", f);
    out.textContent = "正在上传并建立索引……";
    try {
      const resp = await fetch("/api/documents", {
        method: "POST", body,
        headers: {Authorization: "Bearer " + document.getElementById("api-key").value},
      });
      const data = await resp.json();
      if (!resp.ok) { out.textContent = "上传失败：" + data.error.message; return; }
      const lines = [];
      for (const f of data.added) lines.push(`新增：${f.file}（${f.report_ids.length} 篇报告）`);
      for (const f of data.duplicates) lines.push(`重复：${f.file}（已有相同报告，已记录来源）`);
      for (const f of data.skipped) lines.push(`跳过：${f.file}：${f.reason}`);
      lines.push(`索引已更新：共 ${data.index.passages} 个段落`);
      out.innerText = lines.join("\n");
    } catch (e) {
      out.textContent = "上传失败：" + e;
    }
  });
}
