#!/usr/bin/python3
"""The nightly case for the benchmark: a copy of a Table A / Table B pair with
about 1% of the records changed (every 100th record of each file: IN_REGCLS of
Table A moves by one, DURATION of Table B by five minutes); every other record
is the same, in the same order.

Usage: nightly.py SRC_DIR OUT_DIR   (reads and writes tableA.csv and tableB.csv)
"""
import csv
import os
import sys


def bump(value, by, top):
    try:
        return str((int(value) + by) % top)
    except ValueError:
        return str(by)


def rewrite(src, out, column, by, top):
    with open(src, encoding="utf-8", newline="") as f:
        first = f.readline()
    eol = "\r\n" if first.endswith("\r\n") else "\n"
    with open(src, encoding="utf-8", newline="") as fi, open(out, "w", encoding="utf-8", newline="") as fo:
        r = csv.reader(fi)
        w = csv.writer(fo, lineterminator=eol)
        header = next(r)
        w.writerow(header)
        col = [h.strip().upper() for h in header].index(column)
        changed = 0
        for i, row in enumerate(r):
            if i % 100 == 99 and len(row) == len(header):
                row[col] = bump(row[col], by, top)
                changed += 1
            w.writerow(row)
    return changed


if __name__ == "__main__":
    src, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    a = rewrite(os.path.join(src, "tableA.csv"), os.path.join(out, "tableA.csv"), "IN_REGCLS", 1, 101)
    b = rewrite(os.path.join(src, "tableB.csv"), os.path.join(out, "tableB.csv"), "DURATION", 5, 600)
    print(f"changed {a} Table A and {b} Table B records")
