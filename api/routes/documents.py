from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, HTTPException, UploadFile

from api.deps import AppSettings, Service, require_api_key
from api.schemas import FileResult, UploadResponse, error_responses

router = APIRouter(prefix="/api", tags=["documents"])
_UNSAFE = re.compile(r"[^\w.\-\u4e00-\u9fff]+")
CHUNK = 1 << 20


def _safe_name(name: str, n: int) -> str:
    base = Path(name or f"upload-{n}").name
    return _UNSAFE.sub("_", base)[-120:] or f"upload-{n}"


@router.post(
    "/documents",
    response_model=UploadResponse,
    dependencies=[Depends(require_api_key)],
    responses=error_responses(401, 403, 413, 422),
)
async def upload(
    files: Annotated[list[UploadFile], File(description="report files")],
    service: Service,
    settings: AppSettings,
) -> UploadResponse:
    """Ingest and index uploaded files; reports what was added, duplicate or skipped."""
    if len(files) > settings.max_upload_files:
        raise HTTPException(413, f"at most {settings.max_upload_files} files per upload")
    limit = int(settings.max_upload_mb * 1024 * 1024)
    # Uploads are kept as raw files: every derived store can be rebuilt from them.
    folder = service.uploads_dir / f"{time.strftime('%Y%m%d-%H%M%S')}-{time.time_ns()}"
    saved: dict[str, str] = {}
    for n, f in enumerate(files):
        data = bytearray()
        while chunk := await f.read(CHUNK):
            data += chunk
            if len(data) > limit:
                raise HTTPException(413, f"{f.filename}: larger than {settings.max_upload_mb} MB")
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{n:03d}-{_safe_name(f.filename or '', n)}"
        target.write_bytes(bytes(data))
        saved[str(target.resolve())] = f.filename or target.name
    summary, built = service.add_files([Path(p) for p in saved])
    added, dupes, skipped = [], [], []
    for o in summary.outcomes:
        name = saved.get(str(o["path"]), str(o["path"]))
        if o["status"] == "skipped":
            skipped.append(FileResult(file=name, status="skipped", reason=str(o["reason"])))
            continue
        if o["added"]:
            added.append(FileResult(file=name, status="added", report_ids=list(o["added"])))
        if o["duplicates"]:
            dupes.append(
                FileResult(file=name, status="duplicate", report_ids=list(o["duplicates"]))
            )
        if o["status"] == "unchanged":
            dupes.append(FileResult(file=name, status="unchanged"))
    return UploadResponse(
        added=added,
        duplicates=dupes,
        skipped=skipped,
        index={
            "mode": built.mode,
            "added": built.added,
            "removed": built.removed,
            "passages": built.manifest.counts.get("passages", 0),
        },
    )
