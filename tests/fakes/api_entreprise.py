"""A fake API Entreprise (and API Recherche d'entreprises) on loopback.

A real HTTP server (``ThreadingHTTPServer`` in a thread, 127.0.0.1, a free
port) that answers like the staging environment: it serves the staging
payloads shipped with the portal (``app/integrations/organisation_lookup/
sandbox_data/``) and the recorded ``/search`` body of ``tests/fakes/data/``.
Clients therefore go through real sockets, timeouts and status codes.

It checks what the real API checks: the bearer token (401 otherwise), the
three mandatory parameters ``context``, ``recipient`` (a valid SIRET, not the
one looked up) and ``object`` (under 50 characters), and the identifier's
format (422 otherwise). It records every request, and can be told to
misbehave::

    with FakeApiEntreprise() as fake:
        settings = {"API_ENTREPRISE_URL": fake.url, "API_ENTREPRISE_TOKEN": fake.token, ...}
        fake.inject(Fault.http(429, retry_after=120))                      # every call
        fake.inject(Fault.http(502), service=FakeApiEntreprise.API_ENTREPRISE)
        fake.inject(Fault.malformed_json(), identifier="55204944776279")
        fake.inject(Fault.slow(2.0), times=1)                              # past a 1 s timeout
        fake.call_count(identifier="55204944776279")

Run it alone for a manual or end-to-end session:
``python -m tests.fakes.api_entreprise --port 8089`` (prints the URL and token).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from stdnum.fr import siret as stdnum_siret

from app.integrations.organisation_lookup.payloads import ASSOCIATION, ENDPOINTS, ETABLISSEMENT, UNITE_LEGALE
from app.integrations.organisation_lookup.staging_data import SANDBOX_DATA_DIR, load_staging_cases

SEARCH_DATA_DIR = Path(__file__).resolve().parent / "data" / "recherche-entreprises"
DEFAULT_TOKEN = "fake-api-entreprise-token"
# The recipient SIRET that the staging documentation uses; any valid SIRET passes.
EXAMPLE_RECIPIENT = "10000001700010"
MANDATORY_PARAMS = ("context", "recipient", "object")
EMPTY_SEARCH = {"results": [], "total_results": 0, "page": 1, "per_page": 10, "total_pages": 0}

_IDENTIFIER_FORMATS = {
    ETABLISSEMENT: lambda value: len(value) == 14 and value.isdigit(),
    UNITE_LEGALE: lambda value: len(value) == 9 and value.isdigit(),
    ASSOCIATION: lambda value: (
        (len(value) == 9 and value.isdigit()) or (len(value) == 10 and value.startswith("W"))
    ),
}


@dataclass(frozen=True)
class Fault:
    """A way to misbehave: an error status, a broken body, and/or a delay."""

    status: int | None = None
    retry_after: str | None = None
    malformed: bool = False
    delay: float = 0.0

    @classmethod
    def http(cls, status: int, *, retry_after: int | str | None = None) -> Fault:
        """Answer ``status`` with an API Entreprise error body (and ``Retry-After``)."""
        return cls(status=status, retry_after=None if retry_after is None else str(retry_after))

    @classmethod
    def malformed_json(cls) -> Fault:
        """Answer 200 with a body that is not JSON."""
        return cls(malformed=True)

    @classmethod
    def slow(cls, seconds: float) -> Fault:
        """Wait ``seconds`` before answering normally (to trip a client timeout)."""
        return cls(delay=seconds)


@dataclass
class _Injection:
    fault: Fault
    identifier: str | None
    service: str | None
    times: int | None

    def matches(self, identifier: str | None, service: str) -> bool:
        return (self.identifier is None or self.identifier == identifier) and (
            self.service is None or self.service == service
        )


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the fake received it."""

    service: str
    path: str
    identifier: str | None
    query: Mapping[str, str]
    headers: Mapping[str, str] = field(repr=False)


def _errors(status: int, title: str, detail: str) -> tuple[int, dict[str, Any]]:
    return status, {
        "errors": [{"code": f"{status:03d}00", "title": title, "detail": detail, "meta": {}}]
    }


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Send headers and body in one segment, without waiting for ACKs
    # (otherwise each keep-alive answer costs ~40 ms of delayed ACK).
    wbufsize = 64 * 1024
    disable_nagle_algorithm = True
    server: _Server

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (timeout test)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.server.fake._handle(self)

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeApiEntreprise


API_ENTREPRISE = "api_entreprise"
RECHERCHE_ENTREPRISES = "recherche_entreprises"


class FakeApiEntreprise:
    """The fake server; a context manager. See the module docstring."""

    API_ENTREPRISE = API_ENTREPRISE
    RECHERCHE_ENTREPRISES = RECHERCHE_ENTREPRISES

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        host: str = "127.0.0.1",
        port: int = 0,
        data_dir: Path = SANDBOX_DATA_DIR,
        search_data_dir: Path = SEARCH_DATA_DIR,
    ) -> None:
        self.token = token
        self._address = (host, port)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._requests: list[RecordedRequest] = []
        self._injections: list[_Injection] = []
        self._responses: dict[str, tuple[int, str]] = {}
        self._searches: dict[str, tuple[int, str]] = {}
        self._data_dir = data_dir
        self._search_data_dir = search_data_dir
        self._load_defaults()

    # -- life cycle ---------------------------------------------------------

    def start(self) -> FakeApiEntreprise:
        self._stopping.clear()
        self._server = _Server(self._address, _Handler)
        self._server.fake = self
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-api-entreprise",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping in a slow fault
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    def __enter__(self) -> FakeApiEntreprise:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Base URL of both APIs, e.g. ``http://127.0.0.1:40123``."""
        if self._server is None:
            raise RuntimeError("the fake server is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # -- what it serves -----------------------------------------------------

    def _load_defaults(self) -> None:
        self._responses = {
            case.path: (case.status, case.body) for case in load_staging_cases(self._data_dir)
        }
        self._searches = {
            file.stem.rsplit("_", 1)[-1]: (200, file.read_text(encoding="utf-8"))
            for file in sorted(self._search_data_dir.glob("*.json"))
        }

    def set_response(self, path: str, status: int, body: Mapping[str, Any] | str) -> None:
        """Serve ``body`` with ``status`` at an API Entreprise ``path``."""
        with self._lock:
            self._responses[path] = (status, body if isinstance(body, str) else json.dumps(body))

    def set_search_response(self, q: str, body: Mapping[str, Any] | str, status: int = 200) -> None:
        """Serve ``body`` for ``/search?q=<q>``."""
        with self._lock:
            self._searches[q] = (status, body if isinstance(body, str) else json.dumps(body))

    def staging_body(self, path: str) -> dict[str, Any]:
        """The JSON body served at ``path`` (to derive variants in tests)."""
        return json.loads(self._responses[path][1])

    def search_body(self, q: str) -> dict[str, Any]:
        """The JSON body served for ``/search?q=<q>``."""
        return json.loads(self._searches[q][1])

    # -- faults -------------------------------------------------------------

    def inject(
        self,
        fault: Fault,
        *,
        identifier: str | None = None,
        service: str | None = None,
        times: int | None = None,
    ) -> None:
        """Misbehave for requests about ``identifier`` (any if None) to ``service``
        (``API_ENTREPRISE``, ``RECHERCHE_ENTREPRISES`` or both if None),
        ``times`` times (until :meth:`clear_faults` if None). The newest
        matching fault wins. Requests are still checked (token, parameters) first.
        """
        with self._lock:
            self._injections.insert(0, _Injection(fault, identifier, service, times))

    def clear_faults(self) -> None:
        with self._lock:
            self._injections.clear()

    def reset(self) -> None:
        """Forget faults, requests and responses set by tests."""
        with self._lock:
            self._injections.clear()
            self._requests.clear()
            self._load_defaults()

    def _take_fault(self, identifier: str | None, service: str) -> Fault | None:
        with self._lock:
            for injection in self._injections:
                if injection.matches(identifier, service):
                    if injection.times is not None:
                        injection.times -= 1
                        if injection.times <= 0:
                            self._injections.remove(injection)
                    return injection.fault
        return None

    # -- observation --------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def _matching(
        self, path: str | None, service: str | None, identifier: str | None
    ) -> Iterator[RecordedRequest]:
        for request in self.requests:
            if path is not None and request.path != path:
                continue
            if service is not None and request.service != service:
                continue
            if identifier is not None and request.identifier != identifier:
                continue
            yield request

    def call_count(
        self, path: str | None = None, *, service: str | None = None, identifier: str | None = None
    ) -> int:
        """How many requests were received, optionally only to ``path``, to
        ``service`` or about ``identifier``."""
        return sum(1 for _ in self._matching(path, service, identifier))

    # -- answering ----------------------------------------------------------

    def _handle(self, handler: _Handler) -> None:
        split = urlsplit(handler.path)
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        if split.path == "/search":
            service, identifier = self.RECHERCHE_ENTREPRISES, query.get("q")
        else:
            service, identifier = self.API_ENTREPRISE, split.path.rstrip("/").rsplit("/", 1)[-1]
        with self._lock:
            self._requests.append(
                RecordedRequest(
                    service, split.path, identifier, query, dict(handler.headers.items())
                )
            )
        if service == self.RECHERCHE_ENTREPRISES:
            refusal = (
                None
                if identifier
                else _errors(400, "Requête invalide", "Le paramètre q est obligatoire")
            )
        else:
            refusal = self._check_api_entreprise(split.path, identifier, query, handler)
        if refusal is not None:
            self._send(handler, *refusal)
            return
        fault = self._take_fault(identifier, service)
        if fault is not None and fault.delay and self._stopping.wait(fault.delay):
            handler.close_connection = True  # stopped while sleeping: hang up
            return
        if fault is not None and fault.status is not None:
            status, body = _errors(
                fault.status, "Erreur simulée", "Réponse d'erreur du serveur de test"
            )
            self._send(handler, status, body, retry_after=fault.retry_after)
        elif fault is not None and fault.malformed:
            self._send(handler, 200, '{"data": {"siret": "123", <not json')
        elif service == self.RECHERCHE_ENTREPRISES:
            self._send(handler, *self._searches.get(identifier, (200, json.dumps(EMPTY_SEARCH))))
        else:
            self._send(handler, *self._api_entreprise_answer(split.path))

    def _check_api_entreprise(
        self, path: str, identifier: str, query: Mapping[str, str], handler: _Handler
    ) -> tuple[int, dict[str, Any]] | None:
        """The 401/422/404 the real API gives before looking anything up."""
        if handler.headers.get("Authorization") != f"Bearer {self.token}":
            return _errors(
                401, "Accès non autorisé", "Le jeton d'accès est absent, invalide ou expiré"
            )
        for name in MANDATORY_PARAMS:
            if not query.get(name, "").strip():
                return _errors(422, "Entité non traitable", f"Le paramètre {name} est obligatoire")
        recipient = query["recipient"]
        if (
            not stdnum_siret.is_valid(recipient)
            or recipient == identifier
            or recipient[:9] == identifier
        ):
            return _errors(
                422,
                "Entité non traitable",
                "Le paramètre recipient doit être le SIRET de l'organisme appelant, "
                "différent de celui demandé",
            )
        if len(query["object"]) >= 50:
            return _errors(
                422, "Entité non traitable", "Le paramètre object doit faire moins de 50 caractères"
            )
        endpoint = next((e for e in ENDPOINTS if path == e.path(identifier)), None)
        if endpoint is None:
            return _errors(404, "Route inconnue", f"Aucune route ne correspond à {path}")
        if not _IDENTIFIER_FORMATS[endpoint](identifier):
            return _errors(422, "Entité non traitable", "L'identifiant n'a pas le bon format")
        return None

    def _api_entreprise_answer(self, path: str) -> tuple[int, str | dict[str, Any]]:
        with self._lock:
            answer = self._responses.get(path)
        return answer or _errors(
            404,
            "Entité non trouvée",
            "L'identifiant indiqué n'existe pas, n'est pas connu ou ne comporte aucune information",
        )

    @staticmethod
    def _send(
        handler: _Handler,
        status: int,
        body: str | Mapping[str, Any],
        *,
        retry_after: str | None = None,
    ) -> None:
        data = (body if isinstance(body, str) else json.dumps(body)).encode("utf-8")
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        if retry_after is not None:
            handler.send_header("Retry-After", retry_after)
        handler.end_headers()
        handler.wfile.write(data)


def main() -> None:
    """Run the fake until interrupted (manual tests, end-to-end sessions)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    args = parser.parse_args()
    with FakeApiEntreprise(token=args.token, host=args.host, port=args.port) as fake:
        print(f"FLASK_API_ENTREPRISE_URL={fake.url}", flush=True)
        print(f"FLASK_RECHERCHE_ENTREPRISES_URL={fake.url}", flush=True)
        print(f"FLASK_API_ENTREPRISE_TOKEN={fake.token}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
