"""A real ClamAV daemon for the tests: Debian's ``clamd`` (package
``clamav-daemon``), started once per test process in a temporary folder,
on a unix socket and on a 127.0.0.1 port, with a signature database of its
own — one body signature of the EICAR test string (``.ndb``), since the
official databases cannot be downloaded here (and no freshclam runs).

clamd reports it as ``Portail.Test.EICAR.UNOFFICIAL`` (ClamAV adds
``.UNOFFICIAL`` to signatures of a database it did not sign).

Without clamd: under CI (``CI=true``) the tests that need it fail; on a
developer's machine they are skipped, saying how to install it.

Also here: a socket that accepts connections and never answers (a clamd
stuck), to test the scan deadline.
"""

import os
import shutil
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.integrations.antivirus import ClamdScanner
from tests.support.files import EICAR

SIGNATURE = "Portail.Test.EICAR"
FOUND_AS = f"{SIGNATURE}.UNOFFICIAL"
START_TIMEOUT = 60  # seconds: clamd loads its (one-signature) database in about one


@dataclass(frozen=True)
class Clamd:
    socket_path: str
    host: str
    port: int
    log_path: Path

    def config(self, **extra) -> dict:
        """The application configuration that scans with this clamd (unix socket)."""
        return {"ANTIVIRUS": "clamd", "ANTIVIRUS_CLAMD_SOCKET": self.socket_path, "ANTIVIRUS_TIMEOUT": 10, **extra}


def _clamd_binary() -> str | None:
    return shutil.which("clamd") or next((p for p in ("/usr/sbin/clamd", "/usr/bin/clamd") if os.access(p, os.X_OK)), None)


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def clamd(tmp_path_factory) -> Clamd:
    """The test clamd, running for the whole test process."""
    binary = _clamd_binary()
    if binary is None:
        message = "clamd est absent : apt-get install clamav-daemon (.ci/run l'installe)"
        if _in_ci():
            pytest.fail(message)
        pytest.skip(message)
    folder = tmp_path_factory.mktemp("clamd")
    database = folder / "db"
    database.mkdir()
    (database / "portail-test.ndb").write_text(f"{SIGNATURE}:0:*:{EICAR.hex()}\n")
    port = _free_port()
    server = Clamd(socket_path=str(folder / "clamd.sock"), host="127.0.0.1", port=port, log_path=folder / "clamd.log")
    conf = folder / "clamd.conf"
    conf.write_text(
        "\n".join(
            [
                "Foreground yes",
                f"LocalSocket {server.socket_path}",
                f"TCPSocket {port}",
                "TCPAddr 127.0.0.1",
                f"DatabaseDirectory {database}",
                f"TemporaryDirectory {folder}",
                f"LogFile {server.log_path}",
                f"PidFile {folder / 'clamd.pid'}",
                "StreamMaxLength 20M",
                "MaxThreads 2",
                "SelfCheck 3600",
                "",
            ]
        )
    )
    process = subprocess.Popen([binary, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    scanner = ClamdScanner(socket_path=server.socket_path, timeout=2)
    deadline = time.monotonic() + START_TIMEOUT
    while not scanner.ping():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            log = server.log_path.read_text() if server.log_path.exists() else "(pas de journal)"
            pytest.fail(f"clamd n'a pas démarré (code {process.returncode}) :\n{log[-3000:]}")
        time.sleep(0.1)
    yield server
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def silent_clamd(tmp_path):
    """A unix socket that accepts connections, reads what is sent and never
    answers: a clamd that hangs. Yields its path."""
    path = str(tmp_path / "muet.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(8)
    stop = threading.Event()
    held = []

    def serve():
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            held.append(connection)  # kept open, never answered

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield path
    stop.set()
    thread.join(timeout=5)
    for connection in held:
        connection.close()
    listener.close()
