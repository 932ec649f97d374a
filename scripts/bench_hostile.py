"""Time and peak memory of reading each hostile input under the default read limits.

    python scripts/bench_hostile.py [--keep DIR]

Each input (made by tests/hostile_inputs.py: docx bombs, a 50 MB one-line text, a
99,000-page PDF, billion laughs XML, random bytes under every extension, nested zips) is read
in a fresh process, so its peak RSS is that read's alone (the interpreter and imports
included; the first row, an ordinary report, shows that floor). Then all of them are ingested
in one batch with an ordinary report, to show the batch goes on.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from corpus.pipeline import ingest  # noqa: E402
from corpus.store import CorpusStore  # noqa: E402
from tests import hostile_inputs as H  # noqa: E402

READ_ONE = """
import json, sys, time
from corpus.readers import read_documents
t = time.perf_counter()
_, docs = read_documents(sys.argv[1])
reasons = [getattr(d, "reason", "read") for d in docs]
print(json.dumps({"seconds": time.perf_counter() - t, "reasons": reasons}))
"""

GOOD = "凤凰镇工会2019年工作总结\n一、主要做法\n我镇工会积极开展送温暖活动，慰问困难职工120户。\n"


def measure(path: Path) -> tuple[float, float, list[str]]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-c", READ_ONE, str(path)], stdout=subprocess.PIPE, env=env, cwd=REPO
    )
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        return float("nan"), usage.ru_maxrss / 1024, [f"reader exited {proc.returncode}"]
    got = json.loads(out)
    return got["seconds"], usage.ru_maxrss / 1024, got["reasons"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--keep", type=Path, default=None, help="write the inputs here and keep them")
    args = ap.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="jiejian-hostile-"))
    folder.mkdir(parents=True, exist_ok=True)
    good = folder / "ordinary.txt"
    good.write_text(GOOD, encoding="utf-8")
    inputs = {"ordinary report (floor)": good}
    for name, make in H.ALL.items():
        sub = folder / str(len(inputs))
        sub.mkdir(exist_ok=True)
        inputs[name] = make(sub)
    print("| input | size on disk | read seconds | peak RSS MB | outcome |")
    print("|---|---|---|---|---|")
    for name, path in inputs.items():
        seconds, rss, reasons = measure(path)
        size = path.stat().st_size
        shown = "; ".join(dict.fromkeys(reasons))[:110].replace("|", "/")
        print(f"| {name} | {size / 1e6:.2f} MB | {seconds:.2f} | {rss:.0f} | {shown} |")
    batch = folder / "batch"
    batch.mkdir(exist_ok=True)
    for i, path in enumerate(inputs.values()):
        shutil.copy(path, batch / f"{i:02d}_{path.name}")
    with CorpusStore(folder / "data") as store:
        t = time.perf_counter()
        s = ingest([batch], store, workers=2)
        print()
        print(
            f"one batch of all {len(inputs)} files, 2 workers: {time.perf_counter() - t:.1f} s, "
            f"{s.files_read} read, {len(s.skipped)} skipped with a reason "
            "(files, and archive members)"
        )
    if args.keep is None:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
