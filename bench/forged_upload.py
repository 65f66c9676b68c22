"""Benchmark: the worst upload (DESIGN: "any upload, however forged: 10 MB file: worker memory grows under 200 MB").

Builds a forged .xlsx of `--megabytes` (10, the largest upload the import takes): a workbook with the template's
sheets whose `xl/worksheets/sheet1.xml` really unpacks to gigabytes of well-formed XML (spaces inside the sheet)
while its local header and the central directory claim 5,000 bytes and the CRC of those 5,000 bytes
(tests/forged_zip.py). Then, `--runs` times, a fresh Python process reads it as an upload is read
(`programs.imports.layout.read_workbook`, the import's one door to config.xlsx) and reports its peak RSS growth
over its RSS just before the read (resource.getrusage's high-water mark: an upper bound of the growth), the time
and the answer given to the user. No database is needed (the read refuses before any query).

    .venv/bin/python bench/forged_upload.py [--megabytes 10] [--runs 3] [--root /work/main]

`--root` reads with the code of another checkout (read-only): the figure before a change.
"""

import argparse
import io
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402

from tests.forged_zip import forge  # noqa: E402

CHILD = r"""
import json, os, resource, secrets, sys, time
root, path = sys.argv[1], sys.argv[2]
sys.path.insert(0, root)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))  # production settings refuse a weak one
os.environ["DEBUG"] = "0"
import django
django.setup()
from programs.imports.layout import FileRefused, read_workbook
with open(path, "rb") as f:
    content = f.read()
page = os.sysconf("SC_PAGE_SIZE")
with open("/proc/self/statm") as f:
    before = int(f.read().split()[1]) * page
started = time.perf_counter()
try:
    read_workbook(content)
    answer = "read (not refused)"
except FileRefused as exc:
    answer = exc.errors[0]["message"]
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"growth": max(peak - before, 0), "seconds": elapsed, "answer": answer}))
"""


def forged_file(megabytes: float) -> bytes:
    book = Workbook()
    book.active.title = "Hướng dẫn"
    for name in ("Hộ", "Thành viên", "Phiếu khảo sát"):
        book.create_sheet(name)["A1"] = "STT hộ"
    out = io.BytesIO()
    book.save(out)
    real = int(megabytes * 1024 * 1024 * 1030)  # spaces deflate about 1,030 to 1
    content = forge(out.getvalue(), real_size=real)
    while len(content) > megabytes * 1024 * 1024:  # stay within the upload limit
        real = int(real * 0.99)
        content = forge(out.getvalue(), real_size=real)
    return content


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=float, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--root", default=str(ROOT), help="the checkout whose code reads the file")
    args = parser.parse_args()
    content = forged_file(args.megabytes)
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as file:
        file.write(content)
        file.flush()
        print(f"forged file: {len(content) / 2**20:.2f} MB; its sheet part declares 5,000 bytes; code: {args.root}")
        results = []
        for _ in range(args.runs):
            done = subprocess.run(
                [sys.executable, "-c", CHILD, args.root, file.name],
                cwd=args.root,
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                print(f"the reading process failed ({done.returncode}): {done.stderr.strip()[-500:]}")
                continue
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
            last = results[-1]
            print(f"  peak RSS growth {last['growth'] / 2**20:8.1f} MB  {last['seconds']:6.2f} s  {last['answer']}")
    if results:
        growth = [r["growth"] / 2**20 for r in results]
        seconds = [r["seconds"] for r in results]
        print(
            f"median: peak RSS growth {statistics.median(growth):.1f} MB (min-max {min(growth):.1f}-{max(growth):.1f}),"
            f" {statistics.median(seconds):.2f} s (min-max {min(seconds):.2f}-{max(seconds):.2f});"
            " target: growth under 200 MB"
        )


if __name__ == "__main__":
    main()
