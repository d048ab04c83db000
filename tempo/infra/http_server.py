"""The gevent WSGI server's connections, without Nagle's algorithm."""

from __future__ import annotations

from gevent import pywsgi

from tempo.infra.direct_send import no_delay


class NoDelayHandler(pywsgi.WSGIHandler):
    """pywsgi's request handler on a TCP_NODELAY connection.

    pywsgi sends a response's headers and its body in separate writes. With Nagle's algorithm
    the body waited for the client to acknowledge the headers, which Linux delays by 40 ms: on a
    kept-alive connection every page, static file, QR scan and long-polling answer of `tempo
    serve` took 44-48 ms even on an idle server, /healthz included (docs/benchmarks.md,
    « HTTP answers without Nagle's algorithm »).
    """

    def handle(self) -> None:
        """Turn Nagle's algorithm off, then serve the connection as pywsgi does."""
        no_delay(self.socket)
        super().handle()
