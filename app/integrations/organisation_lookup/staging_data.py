"""The API Entreprise staging payloads shipped in ``sandbox_data/``.

Each YAML file is one case recorded from the API Entreprise staging
environment (Etalab, MIT licence, see ``sandbox_data/LICENSE``): ``params``
(the identifier asked), ``status`` (HTTP status) and ``payload`` (the JSON
body, as text). The bac à sable provider answers from them; the test suite's
fake API Entreprise server serves them over HTTP.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

from .payloads import ENDPOINTS, Endpoint

SANDBOX_DATA_DIR = Path(__file__).resolve().parent / "sandbox_data"


@dataclass(frozen=True)
class StagingCase:
    """One recorded answer: ``endpoint`` asked for ``identifier`` gives ``status`` and ``body``."""

    endpoint: Endpoint
    identifier: str
    status: int
    body: str
    description: str = ""

    @property
    def path(self) -> str:
        return self.endpoint.path(self.identifier)


def _read_case(endpoint: Endpoint, file: Path) -> StagingCase:
    content = yaml.safe_load(file.read_text(encoding="utf-8"))
    (identifier,) = content["params"].values()
    return StagingCase(
        endpoint=endpoint,
        identifier=str(identifier),
        status=int(content["status"]),
        body=content["payload"],
        description=str(content.get("description") or file.stem),
    )


@functools.cache
def load_staging_cases(directory: Path = SANDBOX_DATA_DIR) -> tuple[StagingCase, ...]:
    """Every case of every known endpoint found under ``directory``."""
    return tuple(
        _read_case(endpoint, file)
        for endpoint in ENDPOINTS
        for file in sorted((directory / endpoint.staging_folder).glob("*.yaml"))
    )
