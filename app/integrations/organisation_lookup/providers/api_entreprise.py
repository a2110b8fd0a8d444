"""API Entreprise v4 (DINUM), the portal's primary source.

Every call carries the bearer token and the three parameters the API
requires: ``context`` (why the portal asks), ``recipient`` (the SIRET of the
council using the data — never the SIRET looked up) and ``object`` (under 50
characters). Calls stay within the token's budget (250 a minute by default,
counted in this process) and stop entirely while a 429's ``Retry-After`` runs.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from ..identifiers import IdentifierKind
from ..payloads import Endpoint
from ..records import FailureKind, LookupFailure, Source
from ..throttling import Clock
from .base import ApiEntrepriseV4Provider
from .http import JsonApiClient

DEFAULT_URL = "https://entreprise.api.gouv.fr"
DEFAULT_CONTEXT = "Portail des aides"
DEFAULT_OBJECT = "Identification d'une structure demandeuse"
DEFAULT_MAX_CALLS_PER_MINUTE = 250
MAX_OBJECT_LENGTH = 49  # the API wants "under 50 characters"


class ApiEntrepriseProvider(ApiEntrepriseV4Provider):
    """Client of ``{base_url}/v4/...``; without token or recipient every lookup
    is "misconfigured" and no call is made."""

    source = Source.API_ENTREPRISE

    def __init__(
        self,
        *,
        base_url: str = DEFAULT_URL,
        token: str | None,
        recipient: str | None,
        context: str = DEFAULT_CONTEXT,
        object_: str = DEFAULT_OBJECT,
        timeout: float = 5.0,
        max_calls_per_minute: int = DEFAULT_MAX_CALLS_PER_MINUTE,
        clock: Clock,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(clock)
        self._configured = bool(token and recipient)
        self._params = {"context": context, "recipient": recipient or "", "object": object_}
        self._http = JsonApiClient(
            source=self.source,
            base_url=base_url,
            timeout=timeout,
            max_calls=max_calls_per_minute,
            period=timedelta(minutes=1),
            clock=clock,
            headers={"Authorization": f"Bearer {token}"} if token else None,
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def _fetch(
        self, endpoint: Endpoint, identifier: str, kind: IdentifierKind
    ) -> Any | LookupFailure:
        if not self._configured:
            return LookupFailure.of(
                FailureKind.MISCONFIGURED,
                kind,
                detail="API_ENTREPRISE_TOKEN or API_ENTREPRISE_RECIPIENT is not set",
                source=self.source,
            )
        return self._http.get_json(endpoint.path(identifier), self._params, kind)
