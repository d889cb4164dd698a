#!/usr/bin/python3
"""BENCH_FLAT=1 of bench/run.sh: the same Table A with a Table B K times as long.

Every Table B record is written K times in a row: as it is, then K-1 copies with
DURATION moved by 5, 10, ... minutes (mod 600, as bench/nightly.py moves it), so
every copy is a distinct service of the same student. Table A is linked (or
copied) unchanged: the roster, the students and the matches stay the same.

Usage: widen_b.py SRC_DIR OUT_DIR K   (reads tableA.csv and tableB.csv of SRC_DIR)
"""
import csv
import os
import shutil
import sys


def bump(value, by, top):
    try:
        return str((int(value) + by) % top)
    except ValueError:
        return str(by)


def widen(src, out, k):
    with open(src, encoding="utf-8", newline="") as f:
        first = f.readline()
    eol = "\r\n" if first.endswith("\r\n") else "\n"
    n = 0
    with open(src, encoding="utf-8", newline="") as fi, open(out, "w", encoding="utf-8", newline="") as fo:
        r = csv.reader(fi)
        w = csv.writer(fo, lineterminator=eol)
        header = next(r)
        w.writerow(header)
        col = [h.strip().upper() for h in header].index("DURATION")
        for row in r:
            w.writerow(row)
            n += 1
            if len(row) != len(header):
                continue
            value = row[col]
            for i in range(1, k):
                row[col] = bump(value, 5 * i, 600)
                w.writerow(row)
                n += 1
    return n


if __name__ == "__main__":
    src, out, k = sys.argv[1], sys.argv[2], int(sys.argv[3])
    os.makedirs(out, exist_ok=True)
    a_src, a_out = os.path.join(src, "tableA.csv"), os.path.join(out, "tableA.csv")
    if os.path.exists(a_out):
        os.remove(a_out)
    try:
        os.link(a_src, a_out)
    except OSError:
        shutil.copyfile(a_src, a_out)
    n = widen(os.path.join(src, "tableB.csv"), os.path.join(out, "tableB.csv"), k)
    print(f"Table B x{k}: {n} records")
