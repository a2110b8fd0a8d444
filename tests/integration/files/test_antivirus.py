"""Every upload scanned by a real clamd (``tests/support/clamd.py``), where
people send files — the wizard's « Votre dossier », the compléments, the fil
de discussion (both sides), the transmission's procès-verbal: the EICAR test
file refused at its field with every other error of the form, recorded in
the audit trail; a clean file served; a scanner that is down or hangs →
the file held « en cours d'analyse », not served to anyone, until
``flask files rescan`` clears it or removes it."""

import html
import io
import time

import pytest
from sqlalchemy import select

from app.domain import files
from app.extensions import db
from app.models import AuditEvent
from app.models.demandes import ScanStatus
from tests.support.clamd import FOUND_AS
from tests.support.files import EICAR_DOCX, EICAR_PDF, PDF
from tests.support.uploads import TYPED, stored_files
from tests.support.web import error_messages, page_text

VIRUS_MESSAGE = f"Ce fichier contient un virus ({FOUND_AS}) : il n'a pas été enregistré."
HELD = "en cours d'analyse"


@pytest.fixture
def app_config(clamd):
    return clamd.config()


def _events(action: str) -> list[AuditEvent]:
    db.session.rollback()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def _rescan(app, *args):
    return app.test_cli_runner().invoke(args=["files", "rescan", *args])


def _scanner_down(app, tmp_path):
    app.config["ANTIVIRUS_CLAMD_SOCKET"] = str(tmp_path / "clamd-arrete.sock")  # nothing listens there


# Infected files -------------------------------------------------------------------


@pytest.mark.parametrize(("content", "filename"), [(EICAR_PDF, "devis.pdf"), (EICAR_DOCX, "lettre.docx")], ids=["pdf", "docx"])
def test_an_infected_file_is_refused_at_its_field_and_recorded(app, place, mode, content, filename):
    before, attachments = stored_files(app), place.attachments()
    body = html.unescape(mode.assert_invalid(place.send(content, filename, mode)))
    assert VIRUS_MESSAGE in error_messages(body)
    assert f'href="#{place.field}"' in body and TYPED in body and place.typed_is_kept()
    assert place.attachments() == attachments and stored_files(app) == before
    (event,) = _events("file.infected")  # written although the refusal rolled everything else back
    assert event.actor_id == place.demande.author_id and event.details["virus"] == FOUND_AS
    assert event.details["name"] == filename and len(event.details["sha256"]) == 64


def test_every_error_of_the_form_comes_with_the_virus(app, place, mode):
    """The dossier's other errors (« Suivant »), or the empty message, with the infected file's."""
    other = {"message": ""} if place.kind == "message" else {"action": "suivant", "nombre_eleves": "beaucoup"}
    body = html.unescape(mode.assert_invalid(place.send(EICAR_PDF, "devis.pdf", mode, **other)))
    messages = error_messages(body)
    assert VIRUS_MESSAGE in messages and len(messages) >= 2, messages
    if place.kind != "message":
        assert any("nombre entier" in m for m in messages) and input_value_kept(body)


def input_value_kept(body: str) -> bool:
    return 'value="beaucoup"' in body


def test_a_clean_file_is_scanned_and_served(app, place):
    response = place.send(PDF, "devis.pdf")
    assert response.status_code == 303, page_text(response.get_data(as_text=True))[:1500]
    attachment = place.attachments()[-1]
    assert attachment.scan_status == ScanStatus.CLEAN and attachment.scanned_at is not None
    download = place.client.get(place.download_url(attachment))
    assert download.status_code == 200 and download.data == PDF


def test_an_agent_sending_an_infected_file_is_refused_and_recorded(app, demande_in, login_as):
    demande = demande_in("transmise")
    agent_client = login_as("instructeur.demandes")
    data = {"message": "Voici le modèle.", "depuis": "demande", "piece_jointe": (io.BytesIO(EICAR_PDF), "modele.pdf")}
    response = agent_client.post(f"/instruction/demandes/{demande.id}/messages", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert VIRUS_MESSAGE in error_messages(html.unescape(response.get_data(as_text=True)))
    (event,) = _events("file.infected")
    assert event.actor.identifiant == "instructeur.demandes"


def test_an_infected_proces_verbal_is_refused_with_the_other_errors(app, demande_in, login_as):
    demande = demande_in("deposee")
    referent = login_as("ref")
    data = {"ca_date": "10/11/2026", "pv": (io.BytesIO(EICAR_PDF), "pv-ca.pdf")}  # and « Je confirme » not ticked
    response = referent.post(f"/demandes/{demande.id}/transmettre", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    messages = error_messages(html.unescape(response.get_data(as_text=True)))
    assert VIRUS_MESSAGE in messages and "Confirmez la transmission à la Région" in messages
    assert 'value="10/11/2026"' in response.get_data(as_text=True)
    assert _events("file.infected")[0].details["name"] == "pv-ca.pdf"


def test_clamd_over_tcp(app, place, clamd):
    app.config.update(ANTIVIRUS_CLAMD_SOCKET="/nulle/part.sock", ANTIVIRUS_CLAMD_HOST=clamd.host, ANTIVIRUS_CLAMD_PORT=clamd.port)
    assert place.send(EICAR_PDF, "devis.pdf").status_code == 422
    assert place.send(PDF, "devis.pdf").status_code == 303
    assert place.attachments()[-1].scan_status == ScanStatus.CLEAN


# A scanner that does not answer --------------------------------------------------------


def test_scanner_down_the_file_is_held_and_not_served_until_a_rescan_clears_it(app, place, clamd, tmp_path):
    _scanner_down(app, tmp_path)
    response = place.send(PDF, "devis.pdf")
    assert response.status_code == 303, page_text(response.get_data(as_text=True))[:1500]
    attachment = place.attachments()[-1]
    assert attachment.scan_status == ScanStatus.PENDING and attachment.stored_name in stored_files(app)
    held = place.client.get(place.download_url(attachment))
    assert held.status_code == 409 and held.data != PDF and HELD in page_text(held.get_data(as_text=True))
    assert "no-store" in held.headers["Cache-Control"]
    listed = page_text(place.client.get(place.listing_url()).get_data(as_text=True))
    assert f"{attachment.original_name} (" in listed and "en cours d'analyse par l'antivirus, téléchargeable après l'analyse" in listed
    if place.kind != "wizard":  # the council sees transmitted demandes: held for agents too
        from tests.support.accounts import login

        agent = app.test_client()
        login(agent, "instructeur.demandes")
        assert agent.get(place.download_url(attachment, agent=True)).status_code == 409

    still_down = _rescan(app)
    assert still_down.exit_code == 1 and "1 fichier(s) non analysé(s)" in still_down.output
    assert place.attachments()[-1].scan_status == ScanStatus.PENDING

    app.config["ANTIVIRUS_CLAMD_SOCKET"] = clamd.socket_path  # clamd is back
    result = _rescan(app)
    assert result.exit_code == 0, result.output
    assert "1 fichier(s) sain(s), 0 infecté(s) et supprimé(s), 0 toujours en attente d'analyse." in result.output
    attachment = place.attachments()[-1]
    assert attachment.scan_status == ScanStatus.CLEAN and attachment.scanned_at is not None
    served = place.client.get(place.download_url(attachment))
    assert served.status_code == 200 and served.data == PDF
    (event,) = _events("file.scanned_clean")
    assert event.object_id == attachment.id


def test_scanner_down_an_infected_file_is_held_then_removed_by_the_rescan(app, place, clamd, tmp_path):
    _scanner_down(app, tmp_path)
    assert place.send(EICAR_PDF, "devis.pdf").status_code == 303  # no verdict: stored, but held
    attachment = place.attachments()[-1]
    assert attachment.scan_status == ScanStatus.PENDING
    assert place.client.get(place.download_url(attachment)).status_code == 409

    app.config["ANTIVIRUS_CLAMD_SOCKET"] = clamd.socket_path
    result = _rescan(app)
    assert result.exit_code == 0 and f"Fichier {attachment.id} : virus trouvé, fichier supprimé." in result.output
    attachment = place.attachments()[-1]
    assert attachment.scan_status == ScanStatus.INFECTED and attachment.stored_name not in stored_files(app)
    gone = place.client.get(place.download_url(attachment))
    assert gone.status_code == 410 and "virus" in page_text(gone.get_data(as_text=True))
    assert "supprimé : l'antivirus y a trouvé un virus" in page_text(place.client.get(place.listing_url()).get_data(as_text=True))
    (event,) = _events("file.infected_removed")
    assert event.details["virus"] == FOUND_AS and event.object_id == attachment.id


@pytest.mark.parametrize("place", ["wizard"], indirect=True)
def test_a_clamd_that_hangs_holds_the_file_within_the_deadline(app, place, silent_clamd):
    app.config.update(ANTIVIRUS_CLAMD_SOCKET=silent_clamd, ANTIVIRUS_TIMEOUT=1)
    started = time.monotonic()
    response = place.send(PDF, "devis.pdf")
    elapsed = time.monotonic() - started
    assert response.status_code == 303 and elapsed < 4, elapsed
    assert place.attachments()[-1].scan_status == ScanStatus.PENDING


def test_the_function_the_job_queue_calls(app, place, clamd, tmp_path):
    """``files.rescan_attachment``: one file, one transaction."""
    _scanner_down(app, tmp_path)
    place.send(PDF, "devis.pdf")
    attachment = place.attachments()[-1]
    assert files.rescan_attachment(attachment).outcome == "unavailable" and attachment.scan_status == ScanStatus.PENDING
    app.config["ANTIVIRUS_CLAMD_SOCKET"] = clamd.socket_path
    assert files.rescan_attachment(attachment).clean
    assert place.attachments()[-1].scan_status == ScanStatus.CLEAN


@pytest.mark.parametrize("place", ["wizard"], indirect=True)
def test_rescan_with_the_antivirus_off_says_so(app, place):
    app.config["ANTIVIRUS"] = "off"
    result = _rescan(app)
    assert result.exit_code == 1 and "L'antivirus est désactivé" in result.output
