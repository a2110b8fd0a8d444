"""Absolute links for emails, built from the configured PUBLIC_URL.

Links in emails are never built from the request's Host header (a client
controls it, which would let an attacker receive someone else's reset link),
and must also be built outside any request (command-line imports, workers).
"""

from flask import current_app


def external_url(endpoint: str, **values) -> str:
    adapter = current_app.url_map.bind("localhost")
    path = adapter.build(endpoint, values, force_external=False)
    return current_app.config["PUBLIC_URL"].rstrip("/") + path
