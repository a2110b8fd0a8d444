"""Files as a browser sends them, for the operations that take uploads."""

import io
from types import SimpleNamespace

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def upload(name: str = "document.pdf", content: bytes = PDF):
    """An upload (``filename`` and ``stream``), like a werkzeug ``FileStorage``."""
    return SimpleNamespace(filename=name, stream=io.BytesIO(content))
