#!/usr/bin/python3
"""SMTP sink for the tests: accepts every message on HOST:PORT and saves it as
OUTDIR/NNNN.eml (the raw message) plus OUTDIR/NNNN.json (the envelope:
{"mail_from": ..., "rcpt_tos": [...]}).

The .json is written first and each file appears by rename, so a test that
sees NNNN.eml can read both. A recipient whose local part starts with
"reject" is refused with 550 (to test partial delivery failures).

Needs Debian's python3-aiosmtpd: run it with /usr/bin/python3 (the python3 on
PATH may be pyenv's, which cannot import it).

Usage: smtp_sink.py OUTDIR [HOST] [PORT] [PIDFILE]
"""
import json
import os
import re
import signal
import sys
import threading

from aiosmtpd.controller import Controller


def write_atomically(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, path)


class SaveHandler:
    def __init__(self, outdir):
        self.outdir = outdir
        self.lock = threading.Lock()
        # continue the numbering if the folder already holds messages
        numbers = [int(m.group(1)) for m in
                   (re.fullmatch(r"(\d+)\.eml", n) for n in os.listdir(outdir)) if m]
        self.count = max(numbers, default=0)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.split("@", 1)[0].lower().startswith("reject"):
            return "550 5.1.1 Recipient rejected by the test sink"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            base = os.path.join(self.outdir, "%04d" % self.count)
        meta = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos}
        write_atomically(base + ".json", json.dumps(meta).encode())
        write_atomically(base + ".eml", envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


def main():
    outdir = sys.argv[1]
    host = sys.argv[2] if len(sys.argv) > 2 else "127.0.0.1"
    port = int(sys.argv[3]) if len(sys.argv) > 3 else 2525
    pidfile = sys.argv[4] if len(sys.argv) > 4 else None
    os.makedirs(outdir, exist_ok=True)
    ctl = Controller(SaveHandler(outdir), hostname=host, port=port,
                     data_size_limit=64 * 1024 * 1024)
    ctl.start()  # serves in a thread; raises if the port cannot be bound
    if pidfile:
        write_atomically(pidfile, b"%d\n" % os.getpid())
    print("smtp sink listening on %s:%d -> %s" % (host, port, outdir), flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    signal.signal(signal.SIGINT, lambda *a: stop.set())
    stop.wait()
    ctl.stop()
    if pidfile:
        try:
            os.unlink(pidfile)
        except OSError:
            pass


if __name__ == "__main__":
    main()
