"""What pages read of demandes: one by its id, its documents, who benefits,
and the applicant's list « Suivre mes demandes d'aide ». (The council's list
is ``backoffice_list``.) Who may see what is the policy's: these functions
never decide it, they apply it."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app import policy
from app.domain.demandes.receipts import PV_SLOT
from app.domain.organisations import describe_snapshot
from app.domain.pagination import Page, paginate
from app.domain.wizard.shapes import stored_answers
from app.domain.wizard.steps import is_other_beneficiary
from app.extensions import db
from app.models import Account, Attachment, Demande, Membership, TeleserviceVersion
from app.models.lifecycle import Action, statuses_allowing


def demande_by_id(demande_id: int) -> Demande | None:
    return db.session.get(Demande, demande_id)


def document_of(demande: Demande, attachment_id: int) -> Attachment | None:
    """One of the demande's files by its id (None for another demande's)."""
    attachment = db.session.get(Attachment, attachment_id)
    return attachment if attachment is not None and attachment.demande_id == demande.id else None


def document_note(attachment: Attachment) -> str | None:
    """What a document list adds after a file's name: the CA's procès-verbal,
    a file held by the antivirus."""
    notes = ["procès-verbal du Conseil d'Administration" if attachment.slot == PV_SLOT else None, attachment.scan_note]
    return " – ".join(note for note in notes if note) or None


def beneficiary_name(demande: Demande) -> str:
    """Who receives the aide: the other tiers named on « Bénéficiaire », or the
    demandeur structure, or the particulier."""
    answers = stored_answers(demande, "beneficiaire")
    if is_other_beneficiary(answers) and answers.get("raison_sociale"):
        return answers["raison_sociale"]
    if demande.structure is not None:
        return demande.structure.raison_sociale
    return demande.author.display_name if demande.author is not None else ""


def beneficiary_verification(demande: Demande) -> str:
    """How the council may trust who the beneficiary is: the structure
    itself, or the record the beneficiary was found with (« Vérifié : API
    Entreprise, le … »), or « Non vérifié (saisie manuelle) »."""
    if demande.beneficiary_snapshot:
        return describe_snapshot(demande.beneficiary_snapshot)
    if is_other_beneficiary(stored_answers(demande, "beneficiaire")):  # filed before snapshots were kept
        return describe_snapshot(None)
    return "la structure demandeuse"


@dataclass(frozen=True)
class ApplicantSort:
    label: str
    column: Any


APPLICANT_SORTS = {
    "reference": ApplicantSort("Référence", Demande.reference),
    "teleservice": ApplicantSort("Téléservice", Demande.teleservice_version_id),
    "intitule": ApplicantSort("Intitulé", Demande.intitule),
    "statut": ApplicantSort("Statut", Demande.status),
    "auteur": ApplicantSort("Auteur", Account.nom),
    "modification": ApplicantSort("Dernière modification", Demande.updated_at),
}
DEFAULT_APPLICANT_SORT = "modification"


def applicant_list(
    account, membership: Membership | None, *, statut: str | None, sort: str, ascending: bool, page: int
) -> Page:
    """« Suivre mes demandes d'aide »: the demandes ``account`` may see (the
    policy's clause) for the structure it works for now (``membership``;
    None: its own demandes without structure), filtered by status, sorted,
    a page of them."""
    query = (
        select(Demande)
        .outerjoin(Account, Demande.author_id == Account.id)
        .where(policy.visible_demandes_clause(account))
        .options(joinedload(Demande.author), joinedload(Demande.teleservice_version))
    )
    if membership is None:
        query = query.where(Demande.structure_id.is_(None))
    else:
        query = query.where(Demande.structure_id == membership.structure_id)
    if statut:
        query = query.where(Demande.status == statut)
    column = APPLICANT_SORTS.get(sort, APPLICANT_SORTS[DEFAULT_APPLICANT_SORT]).column
    order = column.asc() if ascending else column.desc()
    return paginate(query.order_by(order.nulls_last(), Demande.id.desc()), page)


@dataclass(frozen=True)
class EspaceSummary:
    """« Espace personnel »: the demandes by thématique (téléservice) and,
    for a référent, those waiting for the CA's avis to be transmitted."""

    by_teleservice: list[tuple[str, int]]
    to_transmit: list[Demande]


def espace_summary(account, membership: Membership | None, waiting_limit: int = 20) -> EspaceSummary:
    """What ``account`` sees of its structure's demandes (the policy's
    clause), counted by téléservice in SQL; the déposées it may transmit,
    oldest first (at most ``waiting_limit``: the list links to the rest)."""
    where = [policy.visible_demandes_clause(account)]
    where.append(Demande.structure_id.is_(None) if membership is None else Demande.structure_id == membership.structure_id)
    counted = db.session.execute(
        select(Demande.teleservice_version_id, func.count()).where(*where).group_by(Demande.teleservice_version_id)
    ).all()
    counts: dict[str, int] = {}
    for version_id, count in counted:
        titre = db.session.get(TeleserviceVersion, version_id).definition.titre
        counts[titre] = counts.get(titre, 0) + count
    waiting = db.session.scalars(
        select(Demande)
        .where(*where, Demande.status.in_(statuses_allowing(Action.TRANSMETTRE)))
        .options(joinedload(Demande.teleservice_version), joinedload(Demande.author))
        .order_by(Demande.deposited_at, Demande.id)
        .limit(waiting_limit)
    ).all()
    return EspaceSummary(sorted(counts.items()), [d for d in waiting if policy.can_transmit(account, d)])
