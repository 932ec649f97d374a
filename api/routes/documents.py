"""Uploads and jobs. An upload is checked from its headers (key, size) before its body is
read, stored as raw files, and answered at once with ``202`` and a job to follow: ingest and
indexing run in the job process, never on the event loop or in a request."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException

from api.deps import AppSettings, Writer, require_api_key
from api.schemas import FileResult, JobAccepted, JobFile, JobResponse, error_responses
from corpus.files import fsync_dir

router = APIRouter(prefix="/api", tags=["documents"])
_UNSAFE = re.compile(r"[^\w.\-\u4e00-\u9fff]+")
CHUNK = 1 << 20
FORM_OVERHEAD = 64 * 1024  # multipart boundaries and part headers, per file
UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["files"],
                "properties": {
                    "files": {
                        "type": "array",
                        "items": {"type": "string", "format": "binary"},
                        "description": "report files (txt, html, docx, pdf, …)",
                    }
                },
            }
        }
    },
}


def safe_name(name: str, n: int, max_bytes: int) -> str:
    """A file name safe on any file system: no directories, no control or shell characters,
    and at most ``max_bytes`` bytes of UTF-8 (file systems count bytes, not characters),
    cut at a character boundary, keeping the extension."""
    base = unicodedata.normalize("NFC", Path((name or "").replace("\\", "/")).name)
    base = _UNSAFE.sub("_", base).strip("._") or f"upload-{n}"
    stem, dot, ext = base.rpartition(".")
    if not dot or len(ext.encode()) > 16:
        stem, ext = base, ""
    budget = max_bytes - len(ext.encode()) - (1 if ext else 0)
    cut = stem.encode("utf-8")[:budget].decode("utf-8", "ignore") or f"upload-{n}"
    return f"{cut}.{ext}" if ext else cut


def _check_headers(request: Request, max_bytes: int) -> None:
    length = request.headers.get("content-length")
    if length is None:
        raise HTTPException(411, "send the upload with a Content-Length header")
    try:
        size = int(length)
    except ValueError as exc:
        raise HTTPException(400, "bad Content-Length header") from exc
    if size > max_bytes:
        raise HTTPException(413, f"upload of {size} bytes is larger than allowed ({max_bytes})")


def _store(folder: Path, files: list[tuple[str, UploadFile]]) -> list[dict[str, Any]]:
    """Write the raw files durably (fsync, then the folder): a 202 means they are kept."""
    folder.mkdir(parents=True, exist_ok=True)
    out: list[dict[str, Any]] = []
    for target_name, f in files:
        target = folder / target_name
        with target.open("wb") as fh:
            f.file.seek(0)
            while chunk := f.file.read(CHUNK):
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        out.append(
            {
                "file": f.filename or target_name,
                "path": str(target.resolve()),
                "status": "queued",
                "reason": None,
                "report_ids": [],
                "duplicate_ids": [],
            }
        )
    fsync_dir(folder)
    fsync_dir(folder.parent)
    return out


def accepted(job: dict[str, Any]) -> JSONResponse:
    body = JobAccepted(
        job_id=job["id"],
        kind=job["kind"],
        state=job["state"],
        url=f"/api/jobs/{job['id']}",
        files=[JobFile.model_validate(f) for f in job["files"]],  # its path stays private
        report_id=job.get("report_id"),
    )
    return JSONResponse(
        body.model_dump(), status_code=202, headers={"Location": body.url, "Retry-After": "1"}
    )


@router.post(
    "/documents",
    status_code=202,
    response_model=JobAccepted,
    dependencies=[Depends(require_api_key)],
    responses=error_responses(400, 401, 403, 411, 413, 422),
    openapi_extra={"requestBody": UPLOAD_BODY},
)
async def upload(request: Request, service: Writer, settings: AppSettings) -> JSONResponse:
    """Store uploaded report files and queue their ingest and indexing: ``202`` with a job
    id at once; ``GET /api/jobs/{id}`` reports progress and what each file became."""
    limit = int(settings.max_upload_mb * 1024 * 1024)
    # The key (dependency) and the declared size are checked before any byte is read.
    _check_headers(request, settings.max_upload_files * (limit + FORM_OVERHEAD))
    try:
        form = await request.form(max_files=settings.max_upload_files + 1, max_fields=100)
    except MultiPartException as exc:
        if "files" in str(exc).lower():
            raise HTTPException(
                413, f"at most {settings.max_upload_files} files per upload"
            ) from exc
        raise HTTPException(400, f"bad multipart body: {exc}") from exc
    try:
        files = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
        if not files:
            raise HTTPException(422, "files: give at least one file (multipart field 'files')")
        if len(files) > settings.max_upload_files:
            raise HTTPException(413, f"at most {settings.max_upload_files} files per upload")
        for f in files:
            if (f.size or 0) > limit:
                raise HTTPException(413, f"{f.filename}: larger than {settings.max_upload_mb} MB")
        job_id = service.jobs.new_id()
        named = [
            (f"{n:03d}-{safe_name(f.filename or '', n, settings.max_filename_bytes)}", f)
            for n, f in enumerate(files)
        ]
        # Uploads are kept as raw files: every derived store can be rebuilt from them.
        stored = await run_in_threadpool(_store, service.uploads_dir / job_id, named)
    finally:
        await form.close()
    job = await run_in_threadpool(service.submit, "upload", job_id, files=stored)
    return accepted(job)


# JobResponse fields made here; every other field is the job record's field of that name
# (None where the record has none: report_id, error, index).
_COMPUTED = ("job_id", "files", "added", "duplicates", "skipped")


def job_response(job: dict[str, Any]) -> JobResponse:
    added, dupes, skipped = [], [], []
    for f in job["files"]:
        name = f["file"]
        if f["status"] == "skipped":
            skipped.append(FileResult(file=name, status="skipped", reason=f.get("reason")))
        if f["report_ids"]:
            added.append(FileResult(file=name, status="added", report_ids=f["report_ids"]))
        if f.get("duplicate_ids"):
            dupes.append(FileResult(file=name, status="duplicate", report_ids=f["duplicate_ids"]))
        if f["status"] == "unchanged":
            dupes.append(FileResult(file=name, status="unchanged"))
    same = {k: job.get(k) for k in JobResponse.model_fields if k not in _COMPUTED}
    return JobResponse.model_validate(
        {
            **same,
            "job_id": job["id"],
            "files": [JobFile.model_validate(f) for f in job["files"]],  # its path stays private
            "added": added,
            "duplicates": dupes,
            "skipped": skipped,
        }
    )


@router.get("/jobs/{job_id}", response_model=JobResponse, responses=error_responses(404))
def get_job(job_id: str, service: Writer) -> JobResponse:
    """State, progress and per-file outcome of an upload or deletion job."""
    return job_response(service.job(job_id))
