"""Run scim2-server's own command line, served over HTTP/1.1 by waitress.

scim2-server's CLI serves its application with wsgiref, which answers in
HTTP/1.0; surf's only HTTP/1.1 backend (async-h1) refuses such answers. This
runs the same CLI, with the same arguments and the same application, and
swaps only the HTTP server for waitress (HTTP/1.1, keep-alive).
"""

import sys

import waitress
from scim2_server.testserver import cli


class WaitressServer:
    """Stands in for wsgiref's make_server(host, port, app, server_class=...)."""

    def __init__(self, host, port, app, server_class=None):
        self.server = waitress.create_server(app, host=host, port=port, threads=8)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.server.close()

    def serve_forever(self):
        self.server.run()


cli.make_server = WaitressServer
sys.exit(cli.main())
