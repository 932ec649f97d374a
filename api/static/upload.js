"use strict";
// Upload: send the files (with a byte progress bar), then follow the job the server
// answers with (202 + /api/jobs/{id}) until it is done, showing its stage and each file.
const STAGES = {
  queued: "排队等待", reading: "正在读取文件", deleting: "正在删除", indexing: "正在更新索引",
  done: "完成", failed: "失败",
};

function sendFiles(body, key, onProgress) {
  // XMLHttpRequest, not fetch: only it reports upload progress.
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/documents");
    xhr.setRequestHeader("Authorization", "Bearer " + key);
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    xhr.onload = () => {
      let data = null;
      try { data = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
      resolve({status: xhr.status, data});
    };
    xhr.onerror = () => reject(new Error("网络错误"));
    xhr.send(body);
  });
}

function describe(job) {
  const p = job.progress;
  let line = `${STAGES[p.stage] || p.stage}`;
  if (p.total) line += `（${p.done}/${p.total}）`;
  if (p.message && p.stage === "indexing") line += `：${p.message}`;
  const lines = [line];
  for (const f of job.added) lines.push(`新增：${f.file}（${f.report_ids.length} 篇报告）`);
  for (const f of job.duplicates) lines.push(`重复：${f.file}（已有相同报告，已记录来源）`);
  for (const f of job.skipped) lines.push(`跳过：${f.file}：${f.reason}`);
  if (job.state === "done" && job.index) lines.push(`索引已更新：共 ${job.index.passages} 个段落`);
  if (job.state === "failed") lines.push(`任务失败：${job.error}`);
  return lines.join("\n");
}

async function follow(url, out, bar) {
  for (;;) {
    const resp = await fetch(url);
    const job = await resp.json();
    if (!resp.ok) { out.textContent = "查询任务失败：" + job.error.message; return; }
    const p = job.progress;
    bar.value = job.state === "done" ? 1 : (p.total ? p.done / p.total : bar.value);
    out.innerText = describe(job);
    if (job.state === "done" || job.state === "failed") return;
    await new Promise((r) => setTimeout(r, 700));
  }
}

const form = document.getElementById("upload-form");
if (form) {
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const out = document.getElementById("upload-result");
    let bar = document.getElementById("upload-progress");
    if (!bar) {
      bar = document.createElement("progress");
      bar.id = "upload-progress";
      bar.max = 1;
      out.before(bar);
    }
    bar.value = 0;
    const body = new FormData();
    for (const f of document.getElementById("files").files) body.append("files", f);
    out.textContent = "正在上传……";
    try {
      const key = document.getElementById("api-key").value;
      const {status, data} = await sendFiles(body, key, (share) => {
        bar.value = share;
        out.textContent = `正在上传……${Math.round(share * 100)}%`;
      });
      if (status !== 202) {
        out.textContent = "上传失败：" + (data && data.error ? data.error.message : status);
        return;
      }
      bar.value = 0;
      out.textContent = "文件已保存，等待处理……";
      await follow(data.url, out, bar);
    } catch (e) {
      out.textContent = "上传失败：" + e;
    }
  });
}
