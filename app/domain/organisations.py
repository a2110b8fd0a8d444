"""The organisation look-up inside the portal: the service of the current
application, what pages show and send back, what a structure or a demande
keeps, and ``flask organisations recheck``.

- One :class:`OrganisationLookupService` per application
  (``app.integrations.organisation_lookup``), built on first use from the
  configuration with the database cache; :func:`lookup` asks it. The
  configuration itself is checked when the application starts
  (:func:`check_configuration`).
- What a page shows and sends back: :class:`LookupOutcome` (a result and the
  identifier it was asked for) and the value of the « Utiliser ces
  informations » button, which names the cached record (:func:`chosen`): the
  page that receives it reads the record back from the cache, no second call.
- What a structure or a demande stores: :func:`prefill_from` maps a record to
  the form fields, :func:`snapshot` / :func:`manual_snapshot` /
  :func:`snapshot_for` build the JSON kept beside the typed values (the
  record with its source and date, or the typed values marked
  ``"verified": False``).
- :func:`recheck_unverified` looks the unverified snapshots of
  ``SNAPSHOT_COLUMNS`` up again, each row its own operation.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Flask, current_app

from app import reference
from app.domain import throttles
from app.domain.audit import record_event
from app.domain.base import SYSTEM, OperationContext, operation
from app.extensions import db
from app.integrations.organisation_lookup import (
    FailureKind,
    IdentifierKind,
    InvalidIdentifier,
    LookupFailure,
    LookupResult,
    LookupSettings,
    OrganisationLookupService,
    OrganisationRecord,
    Source,
    normalize,
)
from app.integrations.organisation_lookup.db_cache import DatabaseLookupCache
from app.integrations.organisation_lookup.providers import SandboxProvider
from app.models import Demande, Structure
from app.models.types import utcnow

EXTENSION_KEY = "organisation_lookup"
# Name of the « Utiliser ces informations » button; its value is LookupOutcome.choice_value.
CHOICE_FIELD = "organisation-choisie"

_build_lock = threading.Lock()


# --- The service ---------------------------------------------------------------


def _settings(config: Mapping[str, Any]) -> dict[str, Any]:
    # The portal's rule: everything but "development" is production (see create_app).
    return {**config, "ENV_IS_PRODUCTION": config.get("PORTAIL_ENV") != "development"}


def check_configuration(app: Flask) -> None:
    """Refuse to start with a look-up configuration that cannot work (an unknown
    provider, the bac à sable in production…): raises LookupConfigurationError."""
    LookupSettings.from_mapping(_settings(app.config))


def service() -> OrganisationLookupService:
    """The current application's look-up service (built on first use)."""
    app = current_app._get_current_object()
    found = app.extensions.get(EXTENSION_KEY)
    if found is None:
        with _build_lock:
            found = app.extensions.get(EXTENSION_KEY)
            if found is None:
                found = OrganisationLookupService(
                    _settings(app.config), DatabaseLookupCache(lambda: db.engine)
                )
                app.extensions[EXTENSION_KEY] = found
    return found


def close_service(app: Flask) -> None:
    """Close the application's look-up service (its HTTP connections), if it
    was built: when an application is discarded (tests, shutdown)."""
    built = app.extensions.pop(EXTENSION_KEY, None)
    if built is not None:
        built.close()


def lookup(kind: IdentifierKind | str, raw: str | None) -> LookupResult:
    """The record for what was typed, or a :class:`LookupFailure` (never raises
    for bad input or an outside service's trouble)."""
    return service().lookup(kind, raw)


def demo_identifiers() -> dict[IdentifierKind, list[str]]:
    """The numbers the bac à sable knows, by kind (empty when it is not configured)."""
    for provider in service().providers:
        if isinstance(provider, SandboxProvider):
            return {kind: provider.known_identifiers(kind) for kind in (IdentifierKind.SIRET, IdentifierKind.RNA)}
    return {}


# --- What pages show and send back ---------------------------------------------


@dataclass(frozen=True)
class LookupOutcome:
    """A look-up as a page shows it: what was asked (``identifier`` normalised
    when valid: it is the cache's key) and the record or failure."""

    kind: IdentifierKind
    identifier: str
    result: LookupResult

    @property
    def record(self) -> OrganisationRecord | None:
        return self.result if isinstance(self.result, OrganisationRecord) else None

    @property
    def failure(self) -> LookupFailure | None:
        return self.result if isinstance(self.result, LookupFailure) else None

    @property
    def can_be_chosen(self) -> bool:
        """A closed establishment (or ceased unit) cannot fill a form."""
        return self.record is not None and not self.record.is_closed

    @property
    def offers_manual_entry(self) -> bool:
        """Every failure but a mistyped number leads to typing the information."""
        return self.failure is not None and self.failure.kind is not FailureKind.INVALID

    @property
    def choice_value(self) -> str:
        """The « Utiliser ces informations » button's value (see :func:`chosen`)."""
        return f"{self.kind.value}:{self.identifier}"


def search(kind: IdentifierKind | str, raw: str | None, account_id: int | None = None) -> LookupOutcome:
    """Look ``raw`` up and keep what was asked beside the result. Searches are
    limited per account (``ORGANISATION_LOOKUP_RATE_LIMIT_PER_ACCOUNT``): one
    account cannot spend the council's API Entreprise budget for everyone;
    past the limit the page says how long to wait and offers manual entry."""
    kind = IdentifierKind(kind)
    try:
        identifier = normalize(kind, raw)
    except InvalidIdentifier:
        identifier = (raw or "").strip()
    wait = throttles.LOOKUP_PER_ACCOUNT.attempt(account_id) if account_id is not None else None
    if wait:
        message = (
            f"Vous avez fait beaucoup de recherches en peu de temps : réessayez dans {wait.text}, "
            "ou saisissez les informations vous-même."
        )
        return LookupOutcome(kind, identifier, LookupFailure(FailureKind.RATE_LIMITED, message, detail="per-account look-up limit"))
    return LookupOutcome(kind, identifier, lookup(kind, identifier))


def chosen(value: str | None) -> LookupOutcome | None:
    """The look-up a « Utiliser ces informations » button names
    (``"siret:55204944776279"``), answered from the cache; None for a value
    that is not one."""
    kind, _, identifier = (value or "").partition(":")
    if kind not in IdentifierKind._value2member_map_ or not identifier:
        return None
    return search(kind, identifier)


# --- What a structure or a demande stores -----------------------------------------

# The fields a structure or beneficiary form has, in the names those forms use.
PREFILL_FIELDS = (
    "raison_sociale",
    "sigle",
    "siret",
    "rna",
    "naf_code",
    "forme_juridique_code",
    "adresse",
    "code_postal",
    "commune",
    "date_publication_jo",
    "date_creation_rna",
    "date_derniere_maj_rna",
)
_RECORD_KEYS = tuple(f.name for f in dataclasses.fields(OrganisationRecord))


def prefill_from(record: OrganisationRecord) -> dict[str, Any]:
    """The form fields a record fills (None where it knows nothing), plus
    ``lookup_source`` and ``lookup_fetched_at`` (ISO) to show where they come from."""
    data = record.to_dict()
    values = {name: data.get(name) for name in PREFILL_FIELDS}
    values["adresse"] = "\n".join(record.address_lines) or None
    values["lookup_source"] = record.source.value
    values["lookup_fetched_at"] = data["fetched_at"]
    return values


def snapshot(record: OrganisationRecord) -> dict[str, Any]:
    """The JSON kept with a structure or demande filled from ``record``: the
    record itself (with its ``source`` and ``fetched_at``), verified."""
    return {**record.to_dict(), "verified": True}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    value = " ".join(str(value).split())
    return value or None


def manual_snapshot(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON kept with information typed by hand: the record's keys filled
    from ``fields`` (the form's names, see :data:`PREFILL_FIELDS`), no source,
    ``"verified": False`` until ``flask organisations recheck`` finds it."""
    data: dict[str, Any] = dict.fromkeys(_RECORD_KEYS)
    for name in PREFILL_FIELDS:
        if name in data and name != "adresse":
            data[name] = _text(fields.get(name))
    siret = data["siret"]
    naf_code = reference.normalize_naf(data["naf_code"])
    data.update(
        siren=siret[:9] if siret else None,
        naf_code=naf_code,
        naf_label=reference.naf_label(naf_code),
        forme_juridique_label=reference.forme_juridique_label(data["forme_juridique_code"]),
        address_lines=[line.strip() for line in str(fields.get("adresse") or "").splitlines() if line.strip()],
        source=None,
        fetched_at=None,
        verified=False,
        entered_at=utcnow().isoformat(),
    )
    return data


# Compared between what the form sends and what the record gave: a change
# to any of them makes the information the user's, not the registry's.
VERIFIED_FIELDS = ("raison_sociale", "sigle", "siret", "rna", "naf_code", "forme_juridique_code", "adresse", "code_postal", "commune")


def _same(typed: Any, found: Any) -> bool:
    return (_text(typed) or "").casefold() == (_text(found) or "").casefold()


def snapshot_for(
    fields: Mapping[str, Any], record: OrganisationRecord | None, compared: tuple[str, ...] = VERIFIED_FIELDS
) -> dict[str, Any]:
    """The snapshot to keep for a form filled from ``record`` (or by hand):
    the record's when every value it gave was kept (values it could not give,
    like a non-diffusible unit's name, are the user's to type), a manual one
    otherwise. ``compared``: the fields the form has (a beneficiary's form
    has no address)."""
    if record is not None and not record.is_closed:
        given = prefill_from(record)
        if all(_same(fields.get(name), given[name]) for name in compared if given[name]):
            return snapshot(record)
    return manual_snapshot(fields)


def record_of(snapshot_data: Mapping[str, Any] | None) -> OrganisationRecord | None:
    """The record a verified snapshot was made from (None for a manual one)."""
    return OrganisationRecord.from_dict(snapshot_data) if is_verified(snapshot_data) else None


def is_verified(snapshot_data: Mapping[str, Any] | None) -> bool:
    return bool(snapshot_data) and snapshot_data.get("verified") is not False


def describe_snapshot(snapshot_data: Mapping[str, Any] | None) -> str:
    """How a stored snapshot reads for agents: « Vérifié : API Entreprise, le
    27/11/2026 » or « Non vérifié (saisie manuelle) »."""
    if not is_verified(snapshot_data):
        return "Non vérifié (saisie manuelle)"
    source = Source(snapshot_data["source"]).label
    fetched = datetime.fromisoformat(snapshot_data["fetched_at"]).astimezone(ZoneInfo("Europe/Paris"))
    return f"Vérifié : {source}, le {fetched:%d/%m/%Y à %H h %M}"


# --- flask organisations recheck ------------------------------------------------

NO_IDENTIFIER = "Ni SIRET ni numéro RNA à rechercher."
# The columns holding snapshots: the structures an agent created, the
# beneficiaries of the demandes filed.
SNAPSHOT_COLUMNS = (Structure.lookup_snapshot, Demande.beneficiary_snapshot)


@dataclass
class RecheckReport:
    """What a recheck did; ``stopped`` says why it ended early (a provider problem)."""

    verified: int = 0
    still_unverified: int = 0
    stopped: str | None = None
    lines: list[str] = field(default_factory=list)


def _identifier_of(data: Mapping[str, Any]) -> tuple[IdentifierKind, str] | None:
    if data.get("siret"):
        return IdentifierKind.SIRET, data["siret"]
    if data.get("rna"):
        return IdentifierKind.RNA, data["rna"]
    return None


def _rechecked(data: Mapping[str, Any], result: LookupResult | None) -> dict[str, Any]:
    """The new snapshot: the record found (keeping what had been typed), or
    the old one with the outcome of this attempt."""
    now = utcnow().isoformat()
    if isinstance(result, OrganisationRecord):
        typed = {key: value for key, value in data.items() if key != "last_check"}
        return {**snapshot(result), "manual_entry": typed, "rechecked_at": now}
    if result is None:
        check = {"at": now, "outcome": "no_identifier", "message": NO_IDENTIFIER}
    else:
        check = {"at": now, "outcome": result.kind.value, "message": result.message}
    return {**data, "last_check": check}


@operation
def recheck_one(ctx: OperationContext, column, row_id: int, lookup_function=lookup) -> LookupResult | None:
    """Look one unverified snapshot up again and record the outcome (the
    record found, or what this attempt met); a verification is in the
    structure's (or demande's) history."""
    row = db.session.get(column.class_, row_id)
    data = getattr(row, column.key)
    target = _identifier_of(data)
    result = lookup_function(*target) if target else None
    setattr(row, column.key, _rechecked(data, result))
    if isinstance(result, OrganisationRecord):
        structure = row if isinstance(row, Structure) else getattr(row, "structure", None)
        record_event(ctx, "organisation.verifiee", row, structure=structure, column=column.key, source=result.source.value)
    return result


def recheck_unverified(
    *,
    columns=SNAPSHOT_COLUMNS,
    lookup_function: Callable[[IdentifierKind, str], LookupResult] = lookup,
    limit: int | None = None,
) -> RecheckReport:
    """Look every unverified snapshot of ``columns`` up again, one operation
    (one commit) per row, so a long run keeps what it found. Stops at the
    first provider-side failure (service down, rate limit, misconfiguration):
    the rest waits for the next run."""
    report = RecheckReport()
    for column in columns:
        model = column.class_
        rows = db.session.execute(sa.select(model.id, column).where(column.is_not(None)).order_by(model.id)).all()
        db.session.rollback()  # no transaction held open while the look-ups run
        for row_id, data in rows:
            if not data or is_verified(data):  # JSON null is not SQL NULL
                continue
            if limit is not None and report.verified + report.still_unverified >= limit:
                return report
            result = recheck_one(SYSTEM, column, row_id, lookup_function)
            name = f"{model.__tablename__}.{column.key} #{row_id}"
            if isinstance(result, OrganisationRecord):
                report.verified += 1
                report.lines.append(f"{name} : vérifié ({result.source.label}).")
                continue
            report.still_unverified += 1
            message = result.message if result is not None else NO_IDENTIFIER
            report.lines.append(f"{name} : toujours non vérifié ({message})")
            if result is not None and result.kind.lets_next_provider_try:
                report.stopped = result.message
                return report
    return report
