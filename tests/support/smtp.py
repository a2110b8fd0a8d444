"""Plugin: a real SMTP server on loopback for tests (aiosmtpd in a thread),
as the ``smtp_server`` fixture."""

import email
import socket
import time
from email import policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Collector:
    def __init__(self):
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


class SmtpServer:
    """Start/stop an SMTP server on a fixed free port (so a test can stop it
    and start it again on the same address, as a real outage would)."""

    def __init__(self, port: int | None = None):
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self._collector = _Collector()
        self._controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self._collector.messages

    def start(self) -> None:
        self._controller = Controller(self._collector, hostname=self.host, port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def app_config(self) -> dict:
        return {"MAIL_SERVER": self.host, "MAIL_PORT": self.port, "MAIL_TIMEOUT": 5}

    def wait_for(self, to: str, subject_contains: str = "", timeout: float = 15) -> EmailMessage:
        """The first message to ``to`` (whose subject contains the text), waiting for it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages:
                if to in message["To"] and subject_contains in message["Subject"]:
                    return message
            time.sleep(0.05)
        raise AssertionError(
            f"no mail to {to} with {subject_contains!r} within {timeout}s; got "
            f"{[(m['To'], m['Subject']) for m in self.messages]}"
        )

    @staticmethod
    def text_of(message: EmailMessage) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on 127.0.0.1, collecting what it receives."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()
