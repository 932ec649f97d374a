"""Ingest throughput on a generated corpus grown from the demo reports, or on a folder.

    python scripts/bench_ingest.py --mb 50 [--out DIR] [--keep] [--workers 1 2] [--repeat 3]
    python scripts/bench_ingest.py --mb 4 --items 30 40 --workers 1   # larger reports
    python scripts/bench_ingest.py --src ../shared/corpus/real --workers 1 2 --repeat 3

Each run ingests into a fresh store; with --repeat the best (fastest) run per worker count is
reported, since a shared machine's load only ever makes a run slower. Besides wall-clock MB/s
it reports MB per CPU-second (all processes: the writer and the workers), the figure that
"MB/s per core" means on a machine whose cores are busy with other work; wall MB/s divided by
the worker count is printed beside it. Stage times are CPU seconds (corpus.pipeline), so
they do not grow with the load other work puts on the machine.

The generated reports are recombinations of the demo reports' sections and items with other
places, years and figures: synthetic text, not real reports. Most files hold one report,
some are compilations of three, a tenth are GBK-encoded. Prints a table of throughput in
MB/s of raw text and the seconds spent per pipeline stage.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from corpus.pipeline import IngestSummary, ingest  # noqa: E402
from corpus.store import CorpusStore  # noqa: E402
from demo.reports_a import REPORTS_A  # noqa: E402
from demo.reports_b import REPORTS_B  # noqa: E402
from demo.reports_c import REPORTS_C  # noqa: E402

PLACES = [
    ("周市镇", "镇"),
    ("良渚街道", "街道"),
    ("狮山镇", "镇"),
    ("博鳌镇", "镇"),
    ("陆家嘴街道", "街道"),
    ("郫都区", "区"),
    ("湄潭县", "县"),
    ("阳朔县", "县"),
    ("平遥县", "县"),
    ("江阴市", "市"),
    ("晋江市", "市"),
    ("寿光市", "市"),
    ("涿州市", "市"),
    ("长沙市", "市"),
    ("西安市", "市"),
]
ORG = {"镇": "工会", "街道": "工会联合会", "区": "总工会", "县": "总工会", "市": "总工会"}
DOC = ["工作总结", "工作情况汇报", "自查报告", "工作报告"]
NUM = re.compile(r"\d+(?:\.\d+)?")


def _pieces() -> tuple[list[str], list[str], list[str]]:
    items, problems, plans = [], [], []
    for r in REPORTS_A + REPORTS_B + REPORTS_C:
        for line in r["text"].split("\n")[1:]:
            if line.startswith(("一是", "二是", "三是", "四是", "（一）", "（二）", "（三）")):
                items.append(re.sub(r"^(?:[一二三四]是|（[一二三]）)", "", line))
        text = r["text"]
        if "存在问题" in text:
            problems.append(text.split("存在问题\n", 1)[1].split("\n", 1)[0])
        if "下一步打算" in text:
            plans.append(text.split("下一步打算\n", 1)[1].split("\n", 1)[0])
    return items, problems, plans


# Items per report under 主要做法 (the default keeps the corpus every earlier table measured).
ITEMS = (3, 6)
_DIGITS = "一二三四五六七八九"


def _ordinal(n: int) -> str:
    """一 .. 九十九 for the 一是, 二是 ... of a report's items."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens - 1] + "十")
    return head + (_DIGITS[ones - 1] if ones else "")


def make_report(
    rng: random.Random,
    pieces: tuple[list[str], list[str], list[str]],
    items_per_report: tuple[int, int] = ITEMS,
) -> str:
    items, problems, plans = pieces
    place, kind = rng.choice(PLACES)
    year = rng.randint(2012, 2024)
    org = place + ORG[kind]
    title = f"{org}{year}年{rng.choice(DOC)}"

    def vary(s: str) -> str:
        return NUM.sub(lambda m: str(max(1, int(float(m.group()) * rng.uniform(0.5, 1.8)))), s)

    chosen = rng.sample(items, k=rng.randint(*items_per_report))
    body = [
        title,
        f"{year}年，{org}在上级工会和党委的领导下，认真履行职责，现将全年工作总结如下。",
        "一、主要做法",
    ]
    body += [f"{_ordinal(i + 1)}是{vary(x)}" for i, x in enumerate(chosen)]
    body += ["二、存在问题", vary(rng.choice(problems)), "三、下一步打算", vary(rng.choice(plans))]
    return "\n".join(body)


def generate(
    out: Path, target_mb: float, seed: int = 7, items_per_report: tuple[int, int] = ITEMS
) -> tuple[int, int]:
    rng = random.Random(seed)
    pieces = _pieces()
    out.mkdir(parents=True, exist_ok=True)
    total = files = 0
    while total < target_mb * 1e6:
        n = 3 if files % 5 == 0 else 1
        reports = [make_report(rng, pieces, items_per_report) for _ in range(n)]
        if n > 1:
            text = "\n".join(
                f"第{'一二三'[i]}篇：{r.split(chr(10), 1)[0]}\n{r}" for i, r in enumerate(reports)
            )
        else:
            text = reports[0]
        enc = "gbk" if files % 10 == 3 else "utf-8"
        data = text.encode(enc)
        (out / f"gen_{files:06d}.txt").write_bytes(data)
        total += len(text.encode("utf-8"))
        files += 1
    return files, total


def _cpu_seconds() -> float:
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _run(src: Path, work: Path, workers: int) -> tuple[IngestSummary, dict[str, int], float]:
    data = work / f"data-{workers}"
    shutil.rmtree(data, ignore_errors=True)
    store = CorpusStore(data)
    cpu0 = _cpu_seconds()
    summary = ingest([src], store, workers=workers)
    cpu = _cpu_seconds() - cpu0
    counts = store.counts()
    store.close()
    shutil.rmtree(data, ignore_errors=True)
    return summary, counts, cpu


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=50.0)
    ap.add_argument(
        "--items",
        type=int,
        nargs=2,
        default=list(ITEMS),
        metavar=("LO", "HI"),
        help="items per generated report (default 3 6, ~1.1 KB reports); larger reports "
        "separate the cost per report from the cost per MB",
    )
    ap.add_argument("--src", type=Path, default=None, help="ingest this folder instead")
    ap.add_argument("--out", type=Path, default=None, help="where to write the generated corpus")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--workers", type=int, nargs="+", default=[os.cpu_count() or 1])
    ap.add_argument("--repeat", type=int, default=1, help="runs per worker count; best kept")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="jiejian-bench-"))
    if args.src is not None:
        src = args.src.resolve()
        print(f"corpus: {src}")
    else:
        src = args.out or work / "corpus"
        t0 = time.perf_counter()
        lo, hi = args.items
        most = min(99, len(_pieces()[0]))  # _ordinal counts to 九十九
        if not 1 <= lo <= hi <= most:
            ap.error(f"--items: need 1 <= LO <= HI <= {most}")
        files, nbytes = generate(src, args.mb, items_per_report=(lo, hi))
        gen_s = time.perf_counter() - t0
        print(
            f"generated {files} files, {nbytes / 1e6:.1f} MB UTF-8 text in {gen_s:.1f} s "
            f"(synthetic recombinations of the demo reports, {lo}-{hi} items each)"
        )
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    best: dict[int, tuple[IngestSummary, dict[str, int], float]] = {}
    for workers in args.workers:
        for _ in range(args.repeat):
            got = _run(src, work, workers)
            if workers not in best or got[0].seconds < best[workers][0].seconds:
                best[workers] = got
    print()
    print(
        "| workers | files read | text MB | reports / duplicates | passages | wall s | MB/s "
        "| MB/s per core (wall) | CPU s (all processes) | MB/s per core (MB per CPU-second) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for workers, (summary, counts, cpu) in best.items():
        s = summary
        mb = s.bytes_text / 1e6
        sec = s.seconds
        print(
            f"| {workers} | {s.files_read} | {mb:.2f} | {counts['reports']} / "
            f"{s.reports_duplicate} | {counts['passages']} | {sec:.1f} | {mb / sec:.2f} | "
            f"{mb / sec / workers:.2f} | {cpu:.1f} | {mb / cpu:.2f} |"
        )
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    for workers, (summary, _, _) in best.items():
        print()
        print(f"stages with {workers} worker(s):")
        print("| stage | CPU seconds (summed over processes) | share |")
        print("|---|---|---|")
        stages = summary.stage_seconds
        staged = sum(stages.values()) or 1.0
        for stage, sec in sorted(stages.items(), key=lambda kv: -kv[1]):
            print(f"| {stage} | {sec:.1f} | {sec / staged:.0%} |")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"\nkept {work}")


if __name__ == "__main__":
    main()
