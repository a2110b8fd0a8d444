"""Building structures for tests through the real domain operations."""

from app.domain import structures
from app.domain.base import SYSTEM
from app.extensions import db
from app.models import Membership, MembershipRole, Structure

LYCEE_PRIVE = {
    "famille": "lycee_prive",
    "raison_sociale": "Lycée Saint-Exupéry",
    "sigle": "LSE",
    "siret": "41816609600069",
    "rna": "",
    "uai": "0750654D",
    "naf_code": "85.31Z",
    "forme_juridique_code": "9220",
    "adresse": "12 rue des Écoles",
    "code_postal": "31000",
    "commune": "Toulouse",
    "email": "direction@lycee-saint-exupery.example",
    "telephone": "05 61 00 00 00",
    "representant_civilite": "monsieur",
    "representant_nom": "Bernard",
    "representant_prenom": "Paul",
    "representant_fonction": "Chef d'établissement",
}

ASSOCIATION = {
    **LYCEE_PRIVE,
    "famille": "association",
    "raison_sociale": "OGEC Saint-Exupéry",
    "sigle": "OGEC",
    "siret": "77567227221138",
    "rna": "W313000001",
    "uai": "",
    "email": "ogec@exemple.fr",
}


def structure_form(**overrides) -> dict:
    return {**LYCEE_PRIVE, **overrides}


def make_structure(organisme_gestion=None, lookup_snapshot=None, **overrides) -> Structure:
    return structures.create_structure(SYSTEM, {**LYCEE_PRIVE, **overrides}, organisme_gestion, lookup_snapshot=lookup_snapshot)


def attach(account, structure, role=MembershipRole.REFERENT) -> Membership:
    membership = Membership(account=account, structure=structure, role=role)
    db.session.add(membership)
    db.session.commit()
    return membership
