"""The clamd client (``app/integrations/antivirus.py``) against the real test
clamd and against sockets that misbehave, and the antivirus configuration:
off in development and tests, required in production."""

import io
import socket
import threading
import time

import pytest

from app import create_app
from app.integrations.antivirus import ClamdScanner, NoScanner, Outcome, parse_reply, scanner_from_config
from tests.support.clamd import FOUND_AS, clamd, silent_clamd  # noqa: F401  (fixtures)
from tests.support.files import EICAR, EICAR_DOCX, EICAR_PDF, PDF

# Against the real clamd ---------------------------------------------------------------


def test_ping_and_version(clamd):
    scanner = ClamdScanner(socket_path=clamd.socket_path)
    assert scanner.ping()
    assert scanner.version().startswith("ClamAV ")


@pytest.mark.parametrize("transport", ["unix", "tcp"])
def test_verdicts(clamd, transport):
    scanner = ClamdScanner(socket_path=clamd.socket_path) if transport == "unix" else ClamdScanner(host=clamd.host, port=clamd.port)
    assert scanner.scan(io.BytesIO(PDF)).outcome is Outcome.CLEAN
    for infected in (EICAR, EICAR_PDF, EICAR_DOCX):  # the DOCX: clamd opens the archive
        verdict = scanner.scan(io.BytesIO(infected))
        assert verdict.infected and verdict.virus == FOUND_AS


def test_a_file_of_many_chunks(clamd):
    content = PDF + b"\0" * (3 * 64 * 1024) + EICAR  # the signature in the last chunk
    assert ClamdScanner(socket_path=clamd.socket_path).scan(io.BytesIO(content)).infected


# When clamd does not answer -------------------------------------------------------------


def test_no_clamd_at_the_socket(tmp_path):
    verdict = ClamdScanner(socket_path=str(tmp_path / "absent.sock")).scan(io.BytesIO(PDF))
    assert verdict.outcome is Outcome.UNAVAILABLE and "FileNotFoundError" in verdict.detail


def test_no_clamd_on_the_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert ClamdScanner(host="127.0.0.1", port=port, timeout=2).scan(io.BytesIO(PDF)).outcome is Outcome.UNAVAILABLE


def test_a_clamd_that_hangs_is_given_up_at_the_deadline(silent_clamd):
    started = time.monotonic()
    verdict = ClamdScanner(socket_path=silent_clamd, timeout=0.5).scan(io.BytesIO(PDF))
    assert verdict.outcome is Outcome.UNAVAILABLE and time.monotonic() - started < 2


def test_a_clamd_that_closes_the_connection_mid_stream(tmp_path):
    """What clamd does past its StreamMaxLength: answers an error and closes."""
    path = str(tmp_path / "ferme.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(1)

    def serve():
        connection, _ = listener.accept()
        connection.recv(100)
        connection.sendall(b"INSTREAM size limit exceeded. ERROR\0")
        connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        verdict = ClamdScanner(socket_path=path, timeout=5).scan(io.BytesIO(b"x" * (8 * 1024 * 1024)))
    finally:
        thread.join(timeout=5)
        listener.close()
    assert verdict.outcome is Outcome.UNAVAILABLE


@pytest.mark.parametrize(
    ("reply", "outcome", "virus"),
    [
        ("stream: OK", Outcome.CLEAN, None),
        ("stream: Win.Test.EICAR_HDB-1 FOUND", Outcome.INFECTED, "Win.Test.EICAR_HDB-1"),
        ("stream: Heuristics.Encrypted.Zip FOUND", Outcome.INFECTED, "Heuristics.Encrypted.Zip"),
        ("INSTREAM size limit exceeded. ERROR", Outcome.UNAVAILABLE, None),
        ("stream: Can't allocate memory ERROR", Outcome.UNAVAILABLE, None),
        ("", Outcome.UNAVAILABLE, None),
        ("PONG", Outcome.UNAVAILABLE, None),
    ],
)
def test_replies(reply, outcome, virus):
    verdict = parse_reply(reply)
    assert verdict.outcome is outcome and verdict.virus == virus


# Configuration -----------------------------------------------------------------------------


def _app(**config):
    base = {"SECRET_KEY": "x" * 64, "SQLALCHEMY_DATABASE_URI": "sqlite://", "PORTAIL_ENV": "production"}
    return create_app({**base, **config})


def test_required_in_production():
    app = _app()
    assert app.config["ANTIVIRUS"] == "clamd"
    scanner = scanner_from_config(app.config)
    assert isinstance(scanner, ClamdScanner) and scanner.address == "/var/run/clamav/clamd.ctl"


def test_production_refuses_to_start_without_it():
    with pytest.raises(RuntimeError, match="FLASK_ANTIVIRUS=off est refusé en production"):
        _app(ANTIVIRUS="off")


def test_production_without_it_by_an_explicit_choice(caplog):
    app = _app(ANTIVIRUS="off", ANTIVIRUS_OFF_IN_PRODUCTION=True)
    assert app.config["ANTIVIRUS"] == "off" and isinstance(scanner_from_config(app.config), NoScanner)
    assert "antivirus off in production" in caplog.text


def test_the_environment_variables(monkeypatch):
    monkeypatch.setenv("FLASK_ANTIVIRUS", "off")
    with pytest.raises(RuntimeError):
        _app()
    monkeypatch.setenv("FLASK_ANTIVIRUS", "clamd")
    monkeypatch.setenv("FLASK_ANTIVIRUS_CLAMD_HOST", "clamav.interne")
    monkeypatch.setenv("FLASK_ANTIVIRUS_CLAMD_PORT", "3311")
    assert scanner_from_config(_app().config).address == "clamav.interne:3311"


@pytest.mark.parametrize("config", [{"PORTAIL_ENV": "development"}, {"TESTING": True, "PASSWORD_HASH_PROFILE": "CHEAPEST"}])
def test_off_by_default_in_development_and_tests(config):
    assert _app(**config).config["ANTIVIRUS"] == "off"


def test_an_unknown_value_is_refused():
    with pytest.raises(RuntimeError, match="valeur inconnue « clamav »"):
        _app(ANTIVIRUS="clamav")
