"""Accusés de réception in tests: a demande filed through the wizard's pages,
transmitted at a chosen time by calling ``make_receipt`` as the
transmission does, and the PDF read back (pypdf)."""

import io
import re
from datetime import UTC, date, datetime

from pypdf import PdfReader

from app.domain import files
from app.domain.demandes.receipts import make_receipt
from app.extensions import db
from app.models import Demande, DemandeStatus, Receipt
from tests.support.web import page_text
from tests.support.wizard import DOSSIER, devis, latest_demande, post_page

# Later than the filing (now), in winter: 14 h 05 in Paris.
TRANSMITTED_AT = datetime(2030, 1, 15, 13, 5, 42, tzinfo=UTC)
CA_DATE = date(2030, 1, 10)


def file_through_wizard(client) -> Demande:
    """A Trajectoires demande filed by the logged-in teacher (case 2: the
    lycée is the beneficiary), with a devis attached."""
    assert client.post("/demandes/nouvelle/TRAJ").status_code == 303
    demande = latest_demande()
    post_page(client, demande.id, "preambule", {"lu": ["", "oui"]})
    post_page(client, demande.id, "criteres", {c.code: "oui" for c in demande.definition.criteres})
    post_page(client, demande.id, "etablissement", {"contact_email": "prof@exemple.fr", "contact_telephone": "", "verifie": ["", "oui"]})
    post_page(client, demande.id, "beneficiaire", {"est_beneficiaire": "oui"})
    response = post_page(client, demande.id, "dossier", DOSSIER, files={"document-devis": devis("devis-transport.pdf")})
    assert response.status_code == 303, page_text(response.get_data(as_text=True))[:2000]
    response = post_page(client, demande.id, "recapitulatif", {"certifie": ["", "oui"]}, action="deposer")
    assert response.status_code == 303, page_text(response.get_data(as_text=True))[:2000]
    filed = latest_demande()
    assert filed.status == DemandeStatus.DEPOSEE
    return filed


def transmit(demande: Demande, by, at=TRANSMITTED_AT, ca_date=CA_DATE) -> Receipt:
    """What the transmission operation does to the demande, then the receipt, in one transaction."""
    demande.status = DemandeStatus.TRANSMISE
    demande.transmitted_at = at
    demande.ca_date = ca_date
    assert demande.transmitted_by is None  # loaded before the change, as a page might
    demande.transmitted_by_id = by.id  # as the transmission operation sets it
    receipt = make_receipt(demande)
    db.session.commit()
    return receipt


def pdf_bytes(app, receipt: Receipt) -> bytes:
    with files.open_stored(files.attachments_directory(app), receipt.stored_name) as stored:
        return stored.read()


def pdf_text(data: bytes) -> str:
    """The PDF's text, spaces of every kind folded to one."""
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
