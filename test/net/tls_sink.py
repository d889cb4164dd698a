#!/usr/bin/python3
"""tls_sink.py CERT KEY HOST STARTTLS_PORT SMTPS_PORT -- two throwaway SMTP
servers with a self-signed certificate, for net_test: one offers STARTTLS,
one speaks TLS from the first byte. They accept nothing useful: the test only
checks that the client starts TLS and refuses the untrusted certificate."""
import signal
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP


class Sink:
    async def handle_DATA(self, server, session, envelope):
        return "250 OK"


class ImplicitTLSController(Controller):
    def factory(self):
        return SMTP(self.handler, hostname=self.hostname)


def main():
    cert, key, host, starttls_port, smtps_port = sys.argv[1:6]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    a = Controller(Sink(), hostname=host, port=int(starttls_port), tls_context=ctx)
    b = ImplicitTLSController(Sink(), hostname=host, port=int(smtps_port), ssl_context=ctx)
    a.start()
    b.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *x: stop.set())
    signal.signal(signal.SIGINT, lambda *x: stop.set())
    print("tls sinks up", flush=True)
    stop.wait()
    a.stop()
    b.stop()


if __name__ == "__main__":
    main()
