"""What refusing hostile uploads costs, and what importing a real-sized one costs.

Each file is built in memory (tests/upload_files.py) and read by the import
(`read_rows`, then `grade_counts`) with the default limits of crunch/config.py,
each in a fresh process, which prints:

- the answer: the status the import page gives (413 too large, 422 invalid,
  200 read) and the start of the message;
- the CPU time of the reading thread (what the `IMPORT_MAX_SECONDS` limit counts);
- how much the process's peak resident memory grew while reading (ru_maxrss;
  the file itself is built in the parent process and handed over).

    .venv/bin/python bench/import_limits.py [--compare]

`--compare` also times openpyxl's read-only reader (the import's reader before
these limits) on smaller versions of two hostile files, in a child process
stopped after 120 s.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CASES = [
    ("xlsx: sharedStrings.xml inflating to 200 MB", "shared_strings_bomb", (200,), "xlsx"),
    ("xlsx: sheet1.xml inflating to 200 MB", "sheet_bomb", (200,), "xlsx"),
    ("xlsx: a 5 MB sheet packed 300 times", "sheet_bomb", (5,), "xlsx"),
    ("xlsx: 200 MB of strings claiming 5 KB", "lying_bomb", (), "xlsx"),
    ("xlsx: nested XML entities (billion laughs)", "entity_bomb", (), "xlsx"),
    ("xlsx: 200,000 varied numbers (2,000 x 100)", "many_cells", (2_000, 100), "xlsx"),
    ("xlsx: a row of 16,384 columns", "many_cells", (1, 16_384), "xlsx"),
    ("xlsx: 501 parts", "many_entries", (501,), "xlsx"),
    ("csv: 2 MB of rows (500,000)", "csv_rows", (500_000,), "csv"),
    ("csv: 2,000 rows of 101 cells", "csv_rows", (2_000, 101), "csv"),
    ("csv: one cell of 1.9 MB", "csv_long_cell", (), "csv"),
    ("valid xlsx: 2,000 students, 12 columns", "student_list", (2_000,), "xlsx"),
    ("valid xlsx: 5,000 students, 12 columns", "student_list", (5_000,), "xlsx"),
    ("valid csv: 5,000 students, 12 columns", "student_csv", (5_000,), "csv"),
]


def build(maker: str, args: tuple) -> bytes:
    from tests import upload_files

    if maker == "lying_bomb":
        bomb = upload_files.shared_strings_bomb(200)
        return upload_files.claim_size(bomb, "xl/sharedStrings.xml", 5_000)
    if maker == "csv_long_cell":
        return upload_files.csv_rows(1, cell=b"x" * 1_900_000)
    if maker == "student_csv":
        import io

        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(upload_files.student_list(*args)), read_only=True)
        rows = book.active.iter_rows(values_only=True)
        lines = [",".join(str(v or "") for v in row) for row in rows]
        return ("\n".join(lines) + "\n").encode()
    return getattr(upload_files, maker)(*args)


def peak_rss() -> int:
    """Peak resident memory of this process so far, bytes (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def measure(data: bytes, extension: str, queue) -> None:
    from crunch.files.importing import BadFile, grade_counts, read_rows

    before = peak_rss()
    start = time.thread_time()
    try:
        counts = grade_counts(read_rows(data, f"file.{extension}")).counts
        answer = f"200 read: {sum(counts.values()):,} children in {len(counts)} grades"
    except BadFile as error:
        answer = f"{error.status} {error}"
    cpu = time.thread_time() - start
    queue.put((len(data), answer, cpu, peak_rss() - before))


def openpyxl_load(data: bytes, queue) -> None:
    import io

    from openpyxl import load_workbook

    before = peak_rss()
    start = time.thread_time()
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    cells = sum(len(row) for row in book.worksheets[0].iter_rows(values_only=True))
    queue.put((len(data), f"read {cells:,} cells", time.thread_time() - start, peak_rss() - before))


def run(target, args, timeout: float) -> tuple | None:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=target, args=(*args, queue))
    process.start()
    try:
        return queue.get(timeout=timeout)
    except Exception:
        return None
    finally:
        process.terminate()
        process.join()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", action="store_true")
    args = parser.parse_args(argv)
    print(
        f"{platform.machine()} {platform.processor() or ''} {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    print(f"{'file':45} {'size':>9} {'CPU s':>6} {'peak +MB':>8}  answer")
    worst_cpu = worst_rss = 0.0
    for name, maker, make_args, extension in CASES:
        # Built here, so that the child's peak memory is the reading's alone.
        result = run(measure, (build(maker, make_args), extension), timeout=300)
        if result is None:
            print(f"{name:45} no answer within 300 s")
            continue
        size, answer, cpu, rss = result
        if not answer.startswith("200"):
            worst_cpu, worst_rss = max(worst_cpu, cpu), max(worst_rss, rss)
        print(f"{name:45} {size / 1024:7.0f} KB {cpu:6.2f} {rss / 2**20:8.1f}  {answer[:70]}")
    growth = worst_rss / 2**20
    print(f"refusals: worst CPU {worst_cpu:.2f} s, worst peak memory growth {growth:.1f} MB")
    if args.compare:
        print("\nopenpyxl read-only (the former reader), same measures:")
        for name, maker, make_args in (
            ("xlsx: sharedStrings.xml of 20 MB", "shared_strings_bomb", (20,)),
            ("xlsx: 200,000 varied numbers (2,000 x 100)", "many_cells", (2_000, 100)),
        ):
            result = run(openpyxl_load, (build(maker, make_args),), timeout=120)
            if result is None:
                print(f"{name:45} not done after 120 s")
                continue
            size, answer, cpu, rss = result
            print(f"{name:45} {size / 1024:7.0f} KB {cpu:6.2f} {rss / 2**20:8.1f}  {answer}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
