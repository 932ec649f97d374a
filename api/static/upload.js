"use strict";
// Upload: send the files (with a byte progress bar), then follow the job the server
// answers with (202 + /api/jobs/{id}) until it is done, showing its stage and each file.
const STAGES = {
  queued: "排队等待", reading: "正在读取文件", deleting: "正在删除", indexing: "正在更新索引",
  done: "完成", failed: "失败",
};

// The server words skip reasons and errors for programs (English); people read Chinese. Known
// reasons get their own sentence, the server's words kept after it for whoever supports them.
const REASONS = [
  [/missing or wrong API key/, "API 密钥缺失或错误"],
  [/larger than/, "文件太大，超过上传上限"],
  [/^empty file$/, "空文件"],
  [/binary content/, "内容不是文本（二进制文件或文件格式与扩展名不符）"],
  [/unsupported file type/, "不支持这种文件类型"],
  [/no text content/, "文件里没有可读的文字"],
  [/not report prose/, "内容不是报告正文（几乎没有标点，像是关键词堆砌）"],
  [/^over the limit: characters/, "文字太多，超过单个文件的字数上限"],
  [/^over the limit/, "超过读取上限"],
  [/memory limit/, "读取时超过内存上限"],
  [/time limit|timed out/, "读取超时"],
  [/encrypted/, "文件已加密，无法读取"],
  [/nested too deeply/, "压缩包嵌套层数过多"],
  [/no readable document among/, "压缩包里没有可读的报告"],
  [/^unreadable|^cannot read/, "文件损坏或无法读取"],
  [/killed by signal/, "读取进程异常退出"],
  [/processing failed/, "处理出错"],
];

function zhReason(text) {
  const s = String(text);
  for (const [re, zh] of REASONS) if (re.test(s)) return `${zh}（${s}）`;
  return s;
}

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
  for (const f of job.skipped) lines.push(`跳过：${f.file}：${zhReason(f.reason)}`);
  if (job.state === "done" && job.index) lines.push(`索引已更新：共 ${job.index.passages} 个段落`);
  if (job.state === "failed") lines.push(`任务失败：${zhReason(job.error)}`);
  return lines.join("\n");
}

async function follow(url, out, bar) {
  for (;;) {
    const resp = await fetch(url);
    const job = await resp.json();
    if (!resp.ok) { out.textContent = "查询任务失败：" + zhReason(job.error.message); return; }
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
        out.textContent = "上传失败：" + (data && data.error ? zhReason(data.error.message) : status);
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
