"""Demandes for the back office's list, written directly (status, dates,
amounts chosen by the test) on top of téléservices loaded by the real
loader and structures created by the real domain operation."""

from datetime import UTC, datetime
from decimal import Decimal
from itertools import count

from sqlalchemy import select

from app.extensions import db
from app.models import Demande, DemandeStatus, Teleservice
from tests.support.structures import ASSOCIATION, make_structure

_numbers = count(1)


def current_version_id(code: str) -> int:
    teleservice = db.session.scalar(select(Teleservice).where(Teleservice.code == code))
    return teleservice.current_version.id


def add_demande(
    structure=None,
    *,
    code="SPRO",
    status="transmise",
    transmitted_at=None,
    reference=None,
    intitule="Projet",
    montant="1000",
    agent=None,
    author=None,
) -> Demande:
    """A demande in ``status`` (transmitted at ``transmitted_at``, by default
    one minute after the previous one), committed."""
    number = next(_numbers)
    listed = DemandeStatus(status).rules.back_office
    demande = Demande(
        reference=reference or (f"{code}-2026-{number:06d}" if status != "brouillon" else None),
        teleservice_version_id=current_version_id(code),
        structure_id=structure.id if structure is not None else None,
        author_id=author.id if author is not None else None,
        status=status,
        answers={},
        intitule=intitule,
        montant_demande=Decimal(montant) if montant is not None else None,
        transmitted_at=(transmitted_at or datetime(2026, 10, 1, 8, 0, tzinfo=UTC).replace(minute=number % 60, hour=8 + number // 60 % 12))
        if listed
        else None,
        assigned_agent_id=agent.id if agent is not None else None,
    )
    db.session.add(demande)
    db.session.commit()
    return demande


def association(name="Association Les Pieds dans l'Eau", siret="77567227221138", **overrides):
    return make_structure(**{**ASSOCIATION, "raison_sociale": name, "siret": siret, "sigle": "", "rna": "", **overrides})
