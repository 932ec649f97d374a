"""Character accuracy and read time per format, on inputs made from a seed text.

    python scripts/bench_formats.py [--chars 1200] [--repeat 3]

Inputs come from tests/format_inputs.py: the seed text written to .doc by LibreOffice (and
the same bytes as .wps), saved as .mht, laid out as an OFD, rendered with a CJK font to an
image-only PDF at 200 dpi and to a PNG. Accuracy is 1 - character edit distance / source
length, ignoring whitespace and character width. Read time is the best of --repeat.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from corpus.models import DecodedFile  # noqa: E402
from corpus.readers import read_file  # noqa: E402
from tests import format_inputs as F  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--chars", type=int, default=1200)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="jiejian-formats-"))
    print("| seed | format | input | pages | read as | accuracy | read s (best) | s per page |")
    print("|---|---|---|---|---|---|---|---|")
    for index, script in ((0, "simplified"), (1, "traditional")):
        text = F.seed_text(args.chars, index)
        cases: list[tuple[str, Path, int, str]] = []
        sub = folder / script
        sub.mkdir()
        if shutil.which("soffice"):
            doc = F.make_doc(text, sub)
            wps = sub / "seed.wps"
            shutil.copy(doc, wps)
            cases += [("doc", doc, 1, text), ("wps", wps, 1, text)]
        cases.append(("mht", F.make_mht(text, sub), 1, text))
        ofd = F.make_ofd(text, sub, per_page=30)
        cases.append(("ofd", ofd, -(-len(F.wrap(text, 28)) // 30), text))
        pages = -(-len(F.wrap(text, 30)) // F.lines_per_page())
        cases.append(("scanned pdf 200 dpi", F.make_scanned_pdf(text, sub), pages, text))
        page1 = "\n".join(F.wrap(text, 30)[: F.lines_per_page()])
        cases.append(("png 200 dpi (page 1)", F.make_png(text, sub), 1, page1))
        for name, path, pages, source in cases:
            best = float("inf")
            doc_read = None
            for _ in range(args.repeat):
                t = time.perf_counter()
                doc_read = read_file(path)
                best = min(best, time.perf_counter() - t)
            if not isinstance(doc_read, DecodedFile):
                print(f"| {script} | {name} | {path.name} | {pages} | skipped: {doc_read} | | | |")
                continue
            acc = F.char_accuracy(source, doc_read.text)
            print(
                f"| {script} | {name} | {path.name} | {pages} | {doc_read.format} | {acc:.2%} "
                f"| {best:.2f} | {best / pages:.2f} |"
            )
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
