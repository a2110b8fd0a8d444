"""The « accusé de réception et récapitulatif » of a transmitted demande: a
PDF made once, at transmission, kept as generated, and checked later.

Two fingerprints, for two questions:

- the **content fingerprint** (``content_fingerprint``) says *what* was
  transmitted. It is the SHA-256 (hex) of a canonical JSON document (keys
  sorted, no insignificant spaces, UTF-8, ``ensure_ascii=False``) holding the
  reference, the téléservice code and version number, the structure's
  SIRET, the author's identifiant, the transmission time (UTC, ISO 8601, to
  the second), the CA date (ISO 8601), every answer as stored
  (``demande.answers``) and, for each document transmitted, its slot,
  original name, size and SHA-256. The same demande always gives the same
  fingerprint; any change to an answer or a file changes it. It is printed
  in the PDF (8 groups of 8 characters) so a person can compare it by hand.
- the **PDF's SHA-256** (``Receipt.pdf_sha256``) says whether a file *is*
  the PDF the portal issued, byte for byte. ``check_pdf`` (the public page
  « Vérifier un accusé de réception ») compares only this: the portal never
  parses an uploaded PDF, so a forged copy that merely *claims* a reference
  or a fingerprint is « non conforme ».

``make_receipt`` runs inside the transmission's domain operation: it adds
the ``Receipt`` row without committing; the PDF file it writes is kept only
if that transaction commits (``app.domain.files``).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from typing import NamedTuple

from flask import current_app, render_template
from sqlalchemy import select
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from app.domain import files
from app.domain.links import external_url
from app.domain.wizard.display import step_rows
from app.domain.wizard.steps import STEPS
from app.extensions import db
from app.models import Account, Demande, Message, Receipt, Thread
from app.models.lifecycle import RECAPITULATIF

CONFORME = "conforme"
NON_CONFORME = "non conforme"
PDF_HEADER = b"%PDF-"
PDF_HEADER_WINDOW = 1024  # PDF readers accept a header anywhere in the first 1 KB
# The document added at transmission rather than in the wizard: the CA's procès-verbal.
PV_SLOT = "pv_ca"
TRANSMISSION_DOCUMENT_LABELS = {PV_SLOT: "Extrait du procès-verbal ou délibération du Conseil d'Administration"}


# --- What was transmitted ---------------------------------------------------


def transmitted_documents(demande: Demande) -> list:
    """The demande's documents (the dossier's and the transmission's), not the
    files attached to messages of its fil de discussion."""
    in_messages = set(
        db.session.scalars(
            select(Message.attachment_id)
            .join(Thread, Message.thread_id == Thread.id)
            .where(Thread.demande_id == demande.id, Message.attachment_id.is_not(None))
        )
    )
    return [a for a in demande.attachments if a.id not in in_messages]


def _canonical_content(demande: Demande) -> dict:
    version = demande.teleservice_version
    transmitted_at = demande.transmitted_at
    return {
        "reference": demande.reference,
        "teleservice": {"code": version.teleservice.code, "version": version.number},
        "structure_siret": demande.structure.siret if demande.structure is not None else None,
        "author": demande.author.identifiant if demande.author is not None else None,
        "transmitted_at": transmitted_at.astimezone(UTC).isoformat(timespec="seconds") if transmitted_at else None,
        "ca_date": demande.ca_date.isoformat() if demande.ca_date else None,
        "answers": demande.answers or {},
        "documents": sorted(
            (
                {"slot": a.slot, "original_name": a.original_name, "size": a.size, "sha256": a.sha256}
                for a in transmitted_documents(demande)
            ),
            key=lambda d: (d["slot"], d["original_name"], d["sha256"]),
        ),
    }


def content_fingerprint(demande: Demande) -> str:
    """SHA-256 (hex) of the canonical JSON of what was transmitted (see the
    module's docstring for what it covers)."""
    canonical = json.dumps(
        _canonical_content(demande), sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def format_fingerprint(fingerprint: str) -> str:
    """« 3f2a9c01 5b7e… »: 8 groups of 8 characters, easier to compare by eye."""
    return " ".join(fingerprint[i : i + 8] for i in range(0, len(fingerprint), 8))


# --- The PDF ----------------------------------------------------------------


class _NoFetching(URLFetcher):
    """The receipt is self-contained: WeasyPrint fetches nothing (no network,
    no file) while rendering it."""

    def fetch(self, url, headers=None):
        raise ValueError(f"accusé de réception : ressource externe refusée ({url})")


def render_receipt_html(demande: Demande, fingerprint: str, verify_url: str) -> str:
    """The receipt as HTML for WeasyPrint (``templates/pdf/receipt.html``,
    never served as a page): every answer by step, the documents, the
    fingerprint and the verification address."""
    label_of_slot = {**TRANSMISSION_DOCUMENT_LABELS, **{d.code: d.label for d in demande.definition.documents}}
    documents = [
        {"label": label_of_slot.get(a.slot, "Document joint à la transmission"), "name": a.original_name, "size": files.format_size(a.size)}
        for a in transmitted_documents(demande)
    ]
    sections = [
        {"step": step, "rows": rows}
        for step in STEPS
        if step.slug != RECAPITULATIF and (rows := step_rows(demande, step.slug))
    ]
    return render_template(
        "pdf/receipt.html",
        demande=demande,
        sections=sections,
        documents=documents,
        # By id: the operation may have set only ``transmitted_by_id``.
        transmitted_by=db.session.get(Account, demande.transmitted_by_id) if demande.transmitted_by_id else None,
        fingerprint=format_fingerprint(fingerprint),
        verify_url=verify_url,
        region_name=current_app.config["REGION_NAME"],
        portail_name=current_app.config["PORTAIL_NAME"],
    )


# PDF/UA-1 (ISO 14289-1): tagged PDF (structure tree, /MarkInfo Marked), the
# document's language (/Lang) and title (shown as the window title), the
# « pdfuaid:part=1 » identification in the XMP metadata.
PDF_VARIANT = "pdf/ua-1"


def render_pdf(html: str) -> bytes:
    """HTML → PDF/UA-1 (tagged, for screen readers), nothing fetched."""
    base_url = current_app.config["PUBLIC_URL"].rstrip("/") + "/"
    return HTML(string=html, base_url=base_url, url_fetcher=_NoFetching()).write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True)


def make_receipt(demande: Demande) -> Receipt:
    """Render, store and record the receipt of a demande being transmitted.
    Adds the ``Receipt`` to the session without committing (the caller's
    operation commits or rolls back as a whole); raises if rendering fails."""
    fingerprint = content_fingerprint(demande)
    html = render_receipt_html(demande, fingerprint, external_url("receipts.verify"))
    stored = files.store_generated(render_pdf(html))
    receipt = Receipt(
        demande=demande,
        stored_name=stored.stored_name,
        pdf_sha256=stored.sha256,
        content_fingerprint=fingerprint,
    )
    db.session.add(receipt)
    return receipt


def latest_receipt(demande: Demande) -> Receipt | None:
    return db.session.scalar(
        select(Receipt).where(Receipt.demande_id == demande.id).order_by(Receipt.id.desc()).limit(1)
    )


# --- Checking a PDF ---------------------------------------------------------


class InvalidUpload(ValueError):
    """What was sent cannot be an accusé de réception (the message is French)."""


class CheckResult(NamedTuple):
    state: str  # CONFORME or NON_CONFORME
    receipt: Receipt | None  # the receipt the bytes are, when conforme

    @property
    def conforme(self) -> bool:
        return self.state == CONFORME


def check_pdf(data: bytes, name: str = "") -> CheckResult:
    """Whether ``data`` is, byte for byte, a receipt the portal issued.
    Raises ``InvalidUpload`` for an empty file or one that is not a PDF."""
    named = f"Le fichier « {name} »" if name else "Le fichier"
    if not data:
        raise InvalidUpload(f"{named} est vide : choisissez l'accusé de réception (fichier PDF) téléchargé depuis le portail.")
    if PDF_HEADER not in data[:PDF_HEADER_WINDOW]:
        raise InvalidUpload(f"{named} n'est pas un PDF : un accusé de réception délivré par le portail est un fichier PDF.")
    digest = hashlib.sha256(data).hexdigest()
    receipt = db.session.scalar(select(Receipt).where(Receipt.pdf_sha256 == digest).order_by(Receipt.id).limit(1))
    if receipt is None:
        return CheckResult(NON_CONFORME, None)
    return CheckResult(CONFORME, receipt)
