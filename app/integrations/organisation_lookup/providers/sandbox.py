"""The « bac à sable »: API Entreprise's staging payloads served from the files
shipped with the portal, for demonstrations and development without network.

It answers exactly what the staging environment answers for the identifiers
it knows (``sandbox_data/``, see :mod:`..staging_data`) and "not found" for
every other one — except that an association recorded under its SIREN is
also found under its RNA number, as the real API does. It never opens a
connection. The service refuses it in a production configuration, and records
it returns carry the source ``bac_a_sable`` so that the UI can say where the
data comes from.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..identifiers import IdentifierKind, InvalidIdentifier, normalize
from ..payloads import ASSOCIATION, ENDPOINT_FOR_KIND, Endpoint
from ..records import LookupFailure, Source
from ..staging_data import SANDBOX_DATA_DIR, StagingCase, load_staging_cases
from ..throttling import Clock
from .base import ApiEntrepriseV4Provider
from .http import failure_kind_for_status


class SandboxProvider(ApiEntrepriseV4Provider):
    """API Entreprise v4 answered from recorded staging payloads."""

    source = Source.BAC_A_SABLE

    def __init__(self, *, clock: Clock, data_dir: Path = SANDBOX_DATA_DIR) -> None:
        super().__init__(clock)
        self._cases: dict[tuple[Endpoint, str], StagingCase] = {}
        for case in load_staging_cases(data_dir):
            self._cases[case.endpoint, case.identifier] = case
            if case.endpoint is ASSOCIATION and case.status == 200:
                rna = json.loads(case.body)["data"].get("rna")
                self._cases.setdefault((case.endpoint, rna), case)

    def known_identifiers(self, kind: IdentifierKind) -> list[str]:
        """The identifiers of ``kind`` that have a recorded record, for demo hints."""
        endpoint = ENDPOINT_FOR_KIND[kind]
        return sorted(
            identifier
            for (case_endpoint, identifier), case in self._cases.items()
            if case_endpoint is endpoint and case.status == 200 and _is_valid(kind, identifier)
        )

    def _fetch(
        self, endpoint: Endpoint, identifier: str, kind: IdentifierKind
    ) -> Any | LookupFailure:
        case = self._cases.get((endpoint, identifier))
        status = case.status if case else 404
        failure_kind = failure_kind_for_status(status)
        if failure_kind is not None:
            return LookupFailure.of(
                failure_kind, kind, detail=f"bac à sable: status {status}", source=self.source
            )
        return json.loads(case.body)


def _is_valid(kind: IdentifierKind, identifier: str) -> bool:
    try:
        normalize(kind, identifier)
    except InvalidIdentifier:
        return False
    return True
