"""Scanning files with ClamAV through ``clamd`` (Debian's ``clamav-daemon``).

Every upload is sent to clamd with its ``INSTREAM`` command before it is
stored (``app.domain.files``). The answer is one of three verdicts:

- ``CLEAN``: clamd scanned the bytes and found nothing;
- ``INFECTED``: clamd found a signature (its name is in ``virus``);
- ``UNAVAILABLE``: no verdict — clamd is not running, did not answer within
  the deadline, closed the connection, or answered an error (a stream above
  its ``StreamMaxLength``, a database it could not load…). The caller must
  then hold the file, never accept it as clean.

Why our own client and not a package: PyPI's ``clamd`` (last release 2014)
and ``pyclamd`` (2017) are unmaintained; their maintained forks
(``clamav-client``, ``clamdpy``) keep the same code, which sets the socket
timeout only after ``connect`` (a black-holed TCP address hangs the
request), writes with ``socket.send`` without checking how much was sent,
and lets a connection reset by clamd (it closes the socket as soon as a
stream passes ``StreamMaxLength``) escape as an unexpected ``OSError``. The
protocol is small and documented in ``man clamd``: ``zINSTREAM\\0``, then
chunks each prefixed by their length (4 bytes, network order), a
zero-length chunk to end, and one NUL-terminated reply line
(``stream: OK``, ``stream: <name> FOUND``, ``... ERROR``). This module is
that protocol with one deadline for the whole exchange, ``sendall`` and a
bounded reply, in about a hundred lines without a dependency.

Configuration (``app/config.py``): ``ANTIVIRUS`` (``clamd`` | ``off``),
``ANTIVIRUS_CLAMD_SOCKET`` (a unix socket, Debian's default) or
``ANTIVIRUS_CLAMD_HOST`` + ``ANTIVIRUS_CLAMD_PORT`` (TCP, used when the host
is set), ``ANTIVIRUS_TIMEOUT`` (seconds for one scan, connection included).
"""

from __future__ import annotations

import logging
import socket
import struct
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import BinaryIO

log = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024  # well under clamd's StreamMaxLength (25 Mo in Debian's clamd.conf)
MAX_REPLY_BYTES = 4096  # one line: « stream: <signature name> FOUND »
DEBIAN_SOCKET = "/var/run/clamav/clamd.ctl"
DEFAULT_PORT = 3310


class Outcome(StrEnum):
    CLEAN = "clean"
    INFECTED = "infected"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class Verdict:
    """What clamd said of one file. ``virus``: the signature found
    (INFECTED); ``detail``: why there is no verdict (UNAVAILABLE), for the logs."""

    outcome: Outcome
    virus: str | None = None
    detail: str | None = None

    @property
    def clean(self) -> bool:
        return self.outcome is Outcome.CLEAN

    @property
    def infected(self) -> bool:
        return self.outcome is Outcome.INFECTED


class _Deadline:
    """One time budget for a whole exchange: each socket operation gets what is left."""

    def __init__(self, seconds: float):
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        remaining = self.end - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("délai dépassé")
        return remaining


@dataclass(frozen=True)
class ClamdScanner:
    """A clamd reached on a unix socket (``socket_path``) or over TCP
    (``host``, ``port``: used when ``host`` is set)."""

    socket_path: str | None = DEBIAN_SOCKET
    host: str | None = None
    port: int = DEFAULT_PORT
    timeout: float = 15.0

    @classmethod
    def from_config(cls, config) -> ClamdScanner:
        return cls(
            socket_path=config.get("ANTIVIRUS_CLAMD_SOCKET") or DEBIAN_SOCKET,
            host=config.get("ANTIVIRUS_CLAMD_HOST") or None,
            port=int(config.get("ANTIVIRUS_CLAMD_PORT") or DEFAULT_PORT),
            timeout=float(config.get("ANTIVIRUS_TIMEOUT") or 15),
        )

    @property
    def address(self) -> str:
        """Where clamd is expected, for messages and logs."""
        return f"{self.host}:{self.port}" if self.host else str(self.socket_path)

    def _connect(self, deadline: _Deadline) -> socket.socket:
        if self.host:
            return socket.create_connection((self.host, self.port), timeout=deadline.left())
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(deadline.left())
            sock.connect(str(self.socket_path))
        except BaseException:
            sock.close()
            raise
        return sock

    def _exchange(self, command: bytes, stream: BinaryIO | None = None) -> str:
        """Send one command (and the stream's bytes for INSTREAM); the reply line."""
        deadline = _Deadline(self.timeout)
        with self._connect(deadline) as sock:
            sock.settimeout(deadline.left())
            sock.sendall(b"z" + command + b"\0")
            if stream is not None:
                while chunk := stream.read(CHUNK_BYTES):
                    sock.settimeout(deadline.left())
                    sock.sendall(struct.pack("!L", len(chunk)) + chunk)
                sock.settimeout(deadline.left())
                sock.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0") and len(reply) <= MAX_REPLY_BYTES:
                sock.settimeout(deadline.left())
                data = sock.recv(1024)
                if not data:
                    break
                reply += data
        return reply.rstrip(b"\0").decode("utf-8", "replace").strip()

    def ping(self) -> bool:
        """Whether clamd answers (``PING`` → ``PONG``)."""
        try:
            return self._exchange(b"PING") == "PONG"
        except OSError:
            return False

    def version(self) -> str | None:
        """clamd's version and signature database (``ClamAV 1.4.6/27000/…``), None if it does not answer."""
        try:
            return self._exchange(b"VERSION") or None
        except OSError:
            return None

    def scan(self, stream: BinaryIO) -> Verdict:
        """Scan the stream from where it is to its end (the caller seeks).
        Never raises for clamd's sake: no answer is ``UNAVAILABLE``."""
        try:
            reply = self._exchange(b"INSTREAM", stream)
        except OSError as error:  # refused, reset, broken pipe, timeout
            log.warning("clamd (%s) did not answer: %s", self.address, error)
            return Verdict(Outcome.UNAVAILABLE, detail=f"{type(error).__name__}: {error}")
        return parse_reply(reply)


def parse_reply(reply: str) -> Verdict:
    """clamd's reply to INSTREAM, as a verdict; anything unexpected is UNAVAILABLE."""
    if reply == "stream: OK":
        return Verdict(Outcome.CLEAN)
    if reply.startswith("stream: ") and reply.endswith(" FOUND"):
        virus = reply.removeprefix("stream: ").removesuffix(" FOUND").strip()
        return Verdict(Outcome.INFECTED, virus=virus or "inconnu")
    log.error("clamd gave no verdict: %r", reply[:200])
    return Verdict(Outcome.UNAVAILABLE, detail=reply[:200] or "réponse vide")


class NoScanner:
    """``ANTIVIRUS = "off"``: nothing is scanned (development, tests)."""

    address = "désactivé"

    def ping(self) -> bool:
        return False

    def version(self) -> None:
        return None

    def scan(self, stream: BinaryIO) -> None:
        return None


def scanner_from_config(config) -> ClamdScanner | NoScanner:
    """The scanner the configuration names (``ANTIVIRUS`` already resolved to ``clamd`` or ``off``)."""
    if config.get("ANTIVIRUS") == "clamd":
        return ClamdScanner.from_config(config)
    return NoScanner()
