#!/usr/bin/python3
"""Checks a completion email the SMTP sink stored, the way a mail reader and
Excel would see it, and prints deterministic lines for pg_regress to compare.
Debian's python3 (email, html.parser, csv) and python3-openpyxl only: run it
with /usr/bin/python3.

  mail_check.py summary EML          structure, counts (text vs HTML), escaping,
                                     self-containment, workbook vs the CSVs
  mail_check.py html EML OUT.html    write the HTML part to a file
  mail_check.py attachment EML NAME OUT   write an attachment to a file
  mail_check.py same EML1 EML2       are the two messages the same (bodies, attachments)?
  mail_check.py size EML MAX         is the message at most MAX bytes? what was left out?
"""
import csv
import email
import email.policy
import html.parser
import io
import re
import sys

COUNTS = ["type_a_imported", "type_a_unmatched", "type_a_duplicates", "type_a_errors",
          "type_a_not_in_file", "type_b_imported", "type_b_unmatched", "type_b_errors"]
TEXT_LABELS = ["Type A imported", "Type A unmatched", "Type A duplicates", "Type A errors",
               "Type A not in file", "Type B imported", "Type B unmatched", "Type B errors"]


def load(path):
    with open(path, "rb") as f:
        raw = f.read()
    return raw, email.message_from_bytes(raw, policy=email.policy.default)


def parts(msg):
    """text, html, [(filename, content_type, bytes)]"""
    text = html_part = None
    files = []
    for p in msg.walk():
        if p.is_multipart():
            continue
        ctype = p.get_content_type()
        if p.get_filename():
            files.append((p.get_filename(), ctype, p.get_payload(decode=True)))
        elif ctype == "text/plain" and text is None:
            text = p.get_content()
        elif ctype == "text/html" and html_part is None:
            html_part = p.get_content()
    return text, html_part, files


def structure(msg, depth=0):
    out = ["  " * depth + msg.get_content_type()]
    if msg.is_multipart():
        for p in msg.get_payload():
            out.extend(structure(p, depth + 1))
    return out


class Cells(html.parser.HTMLParser):
    """The text of every element with a data-count attribute."""

    def __init__(self):
        super().__init__()
        self.counts, self.current, self.tags = {}, None, []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        d = dict(attrs)
        if "data-count" in d:
            self.current = d["data-count"]
            self.counts[self.current] = ""

    def handle_endtag(self, tag):
        if tag == "td":
            self.current = None

    def handle_data(self, data):
        if self.current:
            self.counts[self.current] += data


def norm_name(name, run):
    return name.replace("_%s." % run, "_<run>.") if run else name


def workbook_checks(files):
    import openpyxl
    csvs = {n[:-4]: c for n, _, c in files if n.endswith(".csv")}
    books = [c for n, _, c in files if n.endswith(".xlsx")]
    if not books:
        print("workbook: none")
        return
    wb = openpyxl.load_workbook(io.BytesIO(books[0]))
    print("worksheets:", ", ".join(wb.sheetnames))
    for ws in wb.worksheets:
        rows = [list(r) for r in csv.reader(io.StringIO(csvs[ws.title].decode("utf-8"), newline=""))]
        cells = [[("" if c.value is None else c.value) for c in row] for row in ws.iter_rows()]
        width = max(len(r) for r in rows)
        cells = [r + [""] * (width - len(r)) for r in cells]
        non_text = sum(1 for row in ws.iter_rows() for c in row
                       if c.value is not None and c.data_type != "s")
        widths_fit = all(
            (ws.column_dimensions[openpyxl.utils.get_column_letter(i + 1)].width or 0)
            >= min(60, max(len(r[i]) for r in rows if i < len(r)))
            for i in range(width))
        print("  %s: %d rows; equals its CSV cell for cell: %s; non-text cells: %d; "
              "bold header: %s; frozen at: %s; filter: %s; widths fit: %s" % (
                  ws.title, len(rows) - 1, cells == rows, non_text,
                  all(c.font.b for c in ws[1]), ws.freeze_panes, ws.auto_filter.ref,
                  widths_fit))
        print("    first row:", " | ".join("%s=%r (%s)" % (h.value, c.value, c.data_type)
                                           for h, c in zip(ws[1], ws[2])))


def summary(path, run=None):
    raw, msg = load(path)
    text, page, files = parts(msg)
    print("structure:", " > ".join(s.strip() for s in structure(msg)[:3]), "+",
          len(files), "attachments")
    print("text part:", text is not None, "| html part:", page is not None)
    if text is None or page is None:
        return
    in_text = {}
    for key, label in zip(COUNTS, TEXT_LABELS):
        m = re.search(re.escape(label) + r": +(\d+)", text)
        in_text[key] = int(m.group(1)) if m else None
    cells = Cells()
    cells.feed(page)
    in_html = {k: int(v) if v.strip().isdigit() else None for k, v in cells.counts.items()}
    print("counts in text:", " ".join("%s=%s" % (k, in_text[k]) for k in COUNTS))
    print("same counts in html:", all(in_html.get(k) == in_text[k] for k in COUNTS))
    lower = page.lower()
    print("self-contained (no script, img, link, iframe, url(), http(s):, src=):",
          not re.search(r"<script|<img|<link|<iframe|<object|<embed|url\(|https?:|\bsrc=|@import",
                        lower))
    print("style attributes only (no <style> element):", "<style" not in lower)
    print("tags used:", " ".join(sorted(set(cells.tags))))
    for name in files:
        print("attachment:", norm_name(name[0], run), name[1])
    workbook_checks(files)


def hostile(path, *needles):
    _, msg = load(path)
    _, page, _ = parts(msg)
    for n in needles:
        esc = n.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") \
               .replace('"', "&quot;").replace("'", "&#39;")
        print("%r: raw in html: %s; escaped in html: %s" % (n, n in page, esc in page))


def same(a, b):
    _, m1 = load(a)
    _, m2 = load(b)
    t1, h1, f1 = parts(m1)
    t2, h2, f2 = parts(m2)
    print("same subject:", m1["Subject"] == m2["Subject"], "| same text:", t1 == t2,
          "| same html:", h1 == h2, "| same attachments:", f1 == f2,
          "| different Message-ID:", m1["Message-ID"] != m2["Message-ID"])


def size(path, cap, run=None):
    raw, msg = load(path)
    text, page, files = parts(msg)
    if len(raw) <= int(cap):
        print("message size <= %s: True" % cap)
    else:
        print("larger than %s only by its bodies (nothing attached): %s" % (cap, not files))
    print("attached:", ", ".join(norm_name(n, run) for n, _, _ in files) or "none")
    left = re.findall(r"^  (CASEMIS_\S+) \(\d+ bytes\)\r?$", text, re.M)
    print("left out (text):", ", ".join(norm_name(n, run) for n in left) or "none")
    print("html names them:", all(n in page for n in left))
    for how in ("casemis.report_csv(", "casemis.report_xlsx(", "casemis.export_reports("):
        print("says %s: text %s, html %s" % (how, how in text, how in page))


def write_attachment(path, name, out):
    _, msg = load(path)
    for n, _, content in parts(msg)[2]:
        if n == name:
            with open(out, "wb") as f:
                f.write(content)


def write_html(path, out):
    _, msg = load(path)
    _, page, _ = parts(msg)
    with open(out, "w", encoding="utf-8") as f:
        f.write(page)


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"summary": summary, "hostile": hostile, "same": same, "size": size,
     "html": write_html, "attachment": write_attachment}[cmd](*args)
