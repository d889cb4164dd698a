#!/usr/bin/python3
"""A hostile SMTP listener for sql/security.sql: what an attacker who redirected
smtp_url would run. It offers AUTH PLAIN/LOGIN but no STARTTLS, accepts
everything, and appends every line it receives to LOGFILE. It binds a free
port on 127.0.0.1, writes it to PORTFILE, and exits after SECONDS.

Usage: fake_smtp.py LOGFILE PORTFILE SECONDS
"""
import socket
import sys
import threading
import time


def serve(conn, log):
    f = conn.makefile("rwb", buffering=0)

    def send(line):
        f.write(line.encode() + b"\r\n")

    def record(line):
        with open(log, "ab") as out:
            out.write(line + b"\n")

    send("220 fake.example ESMTP")
    in_data = False
    for raw in f:
        line = raw.rstrip(b"\r\n")
        record(line)
        if in_data:
            if line == b".":
                in_data = False
                send("250 queued")
            continue
        verb = line.split(b" ", 1)[0].upper()
        if verb in (b"EHLO", b"HELO"):
            send("250-fake.example")
            send("250-AUTH PLAIN LOGIN")
            send("250 8BITMIME")
        elif verb == b"AUTH":
            send("235 accepted")
        elif verb == b"DATA":
            in_data = True
            send("354 go ahead")
        elif verb == b"QUIT":
            send("221 bye")
            break
        else:
            send("250 OK")
    conn.close()


def main():
    log, portfile, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(5)
    s.settimeout(0.5)
    open(log, "wb").close()
    with open(portfile + ".tmp", "w") as p:
        p.write(str(s.getsockname()[1]))
    import os
    os.rename(portfile + ".tmp", portfile)
    end = time.time() + seconds
    while time.time() < end:
        try:
            conn, _ = s.accept()
        except socket.timeout:
            continue
        threading.Thread(target=serve, args=(conn, log), daemon=True).start()


if __name__ == "__main__":
    main()
