"""The agent's processing of a transmitted demande: every action and every
refusal, with and without htmx; internal notes never reach applicants."""

import html

import pytest
from sqlalchemy import select, text

from app.blueprints.instruction.routes import demande as instruction_routes
from app.extensions import db
from app.models import AgentRole, AuditEvent, Demande, DemandeStatus, OutgoingMail
from tests.support.accounts import login
from tests.support.mail import outbox
from tests.support.web import error_messages, page_text
from tests.support.wizard import devis, post_page


@pytest.fixture
def agent(agent_factory):
    agent_factory("autre.agent", AgentRole.INSTRUCTEUR)
    return agent_factory("instructeur", AgentRole.INSTRUCTEUR)


@pytest.fixture
def demande(demande_in, agent):
    """A demande the référent transmitted to the Région."""
    return demande_in("transmise", intitule="Les métiers de la mer")


@pytest.fixture
def agent_client(login_as, agent):
    return login_as("instructeur")


def _url(demande, action=""):
    return f"/instruction/demandes/{demande.id}" + (f"/{action}" if action else "")


def test_agent_sees_the_demande_with_answers_documents_and_history(app, demande, agent, agent_client, mode):
    body = mode.assert_page(mode.get(agent_client, _url(demande)))
    assert '<strong class="govuk-tag">Transmise à la Région</strong>' in body  # a tag, not escaped markup
    text = page_text(body)
    for expected in [f"Demande {demande.reference}", "Transmise à la Région", "Les métiers de la mer", "devis.pdf", "pv.pdf",
                     "Demande transmise à la Région", "Passer en instruction", "Notes internes", "la structure demandeuse"]:
        assert expected in text, expected


def test_another_beneficiary_is_named_with_how_it_was_verified(demande_in, agent_client, mode):
    """« Non »: the organisme de gestion typed by hand is the beneficiary, never « la structure demandeuse »."""
    other = {"est_beneficiaire": "non", "famille": "association", "domicile": "france", "raison_sociale": "OGEC Saint-Joseph",
             "siret": "77567227221138", "naf_code": "94.99Z"}
    demande = demande_in("transmise", beneficiaire=other)
    text = page_text(mode.assert_page(mode.get(agent_client, _url(demande))))
    assert "OGEC Saint-Joseph – Non vérifié (saisie manuelle)" in text
    assert "la structure demandeuse" not in text


@pytest.mark.parametrize("landed", ["version = version + 1", "status = 'en_instruction', version = version + 1"],
                         ids=["another-change", "another-start"])
def test_a_change_landing_during_the_instruction_start_is_read_under_the_lock(app, demande, agent_client, monkeypatch, mode, landed):
    """The demande changes (another connection) between the agent's page load and the write: the
    operation reads it again under its row lock (issue 12) and decides on what is there now — it
    goes on after an unrelated change, and says why not after another start, never a 500."""
    real = instruction_routes.instruction.start_instruction

    def after_another_change(ctx, target):
        with db.engine.begin() as other:  # another server's transaction lands first
            other.execute(text(f"UPDATE demande SET {landed} WHERE id = :id"), {"id": target.id})
        return real(ctx, target)

    monkeypatch.setattr(instruction_routes.instruction, "start_instruction", after_another_change)
    response = mode.post(agent_client, _url(demande, "passer-en-instruction"))
    mode.assert_redirect(response, _url(demande))
    page = page_text(agent_client.get(_url(demande)).get_data(as_text=True))
    db.session.expire_all()
    assert db.session.get(Demande, demande.id).status == DemandeStatus.EN_INSTRUCTION
    if landed.startswith("status"):
        assert "Impossible de passer en instruction une demande au statut « En cours d'instruction »" in page
        assert outbox("prof@exemple.fr", "Votre demande est en cours d'instruction") == []  # nothing sent twice
    else:
        assert "La demande est en instruction" in page


def test_assign_to_self_and_to_another(app, demande, agent, agent_client, mode):
    mode.assert_redirect(mode.post(agent_client, _url(demande, "attribuer"), {"agent": ""}), _url(demande))
    db.session.refresh(demande)
    assert demande.assigned_agent_id == agent.id
    other = db.session.scalar(select(type(agent)).where(type(agent).identifiant == "autre.agent"))
    mode.post(agent_client, _url(demande, "attribuer"), {"agent": str(other.id)})
    db.session.refresh(demande)
    assert demande.assigned_agent_id == other.id


def test_full_instruction_with_complements_then_acceptance(app, demande, agent, agent_client, mode):
    mode.assert_redirect(mode.post(agent_client, _url(demande, "passer-en-instruction")), _url(demande))
    db.session.refresh(demande)
    assert demande.status == DemandeStatus.EN_INSTRUCTION and demande.assigned_agent_id == agent.id
    assert outbox("prof@exemple.fr", "en cours d'instruction") and outbox("ref@exemple.fr", "en cours d'instruction")

    body = html.unescape(mode.assert_invalid(mode.post(agent_client, _url(demande, "complements"), {"message": ""})))
    assert "Indiquez les compléments attendus" in error_messages(body) and "Choisissez au moins une étape à rouvrir" in error_messages(body)
    response = mode.post(agent_client, _url(demande, "complements"), {"message": "Joignez un second devis.", "steps": ["dossier"]})
    mode.assert_redirect(response, _url(demande))
    db.session.refresh(demande)
    assert demande.status == DemandeStatus.COMPLEMENTS_DEMANDES and demande.reopened_steps == ["dossier"]
    (mail,) = outbox("prof@exemple.fr", "compléments")
    assert "Joignez un second devis." in mail.body_text

    # The author changes the reopened step (not the others) and sends it back.
    teacher = app.test_client()
    login(teacher, "prof")
    assert teacher.get(f"/demandes/{demande.id}/etapes/criteres").status_code == 303  # not reopened
    dossier = dict(demande.step_answers("dossier"))
    dossier["intitule"] = "Les métiers de la mer et du littoral"
    assert "Non modifiable : la Région n'a pas demandé de compléments sur cette étape" in page_text(teacher.get(f"/demandes/{demande.id}/etapes/dossier").get_data(as_text=True))
    assert f'href="/demandes/{demande.id}/etapes/criteres"' not in teacher.get(f"/demandes/{demande.id}/etapes/dossier").get_data(as_text=True)
    response = post_page(
        teacher, demande.id, "dossier",
        {k: v for k, v in dossier.items() if k != "budget"} | {"budget-depenses-0-nature": "Dépense", "budget-depenses-0-montant": "1000"},
        files={"document-devis": devis("second-devis.pdf")},
    )
    assert response.status_code == 303, page_text(response.get_data(as_text=True))[:2000]
    response = post_page(teacher, demande.id, "recapitulatif", {"certifie": ["", "oui"]}, action="renvoyer-complements")
    assert response.headers["Location"] == f"/demandes/{demande.id}"
    db.session.refresh(demande)
    assert demande.status == DemandeStatus.EN_INSTRUCTION and demande.intitule == "Les métiers de la mer et du littoral"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "demande.complements_renvoyes"))
    assert "Votre dossier : Intitulé du projet" in event.details["changed"] and event.details["documents"] == ["second-devis.pdf"]
    history = page_text(agent_client.get(_url(demande)).get_data(as_text=True))
    assert "modifié : Votre dossier : Intitulé du projet" in history and "documents ajoutés : second-devis.pdf" in history
    (returned,) = outbox(agent.email, "Compléments renvoyés")  # the assigned agent is told
    assert "- Votre dossier : Intitulé du projet" in returned.body_text and "- second-devis.pdf" in returned.body_text
    assert f"/instruction/demandes/{demande.id}" in returned.body_text

    # Acceptance: not above the amount asked.
    body = html.unescape(mode.assert_invalid(mode.post(agent_client, _url(demande, "accepter"), {"montant": "1 000 000", "decision_date": "15/12/2026", "instance": "Commission permanente"})))
    assert "Le montant accordé ne peut pas dépasser le montant demandé" in error_messages(body)
    assert 'value="1 000 000"' in body
    response = mode.post(agent_client, _url(demande, "accepter"), {"montant": "80,50", "decision_date": "15/12/2026", "instance": "Commission permanente"})
    mode.assert_redirect(response, _url(demande))
    db.session.refresh(demande)
    assert demande.status == DemandeStatus.ACCEPTEE and str(demande.montant_accorde) == "80.50"
    (decision,) = outbox("prof@exemple.fr", "Décision")
    assert "Acceptée" in decision.body_text and "80,50" in decision.body_text.replace("\u202f", " ")
    applicant_page = page_text(teacher.get(f"/demandes/{demande.id}").get_data(as_text=True))
    decision_line = "Décision Acceptée : 80,50 € – Commission permanente du 15/12/2026"
    assert decision_line in applicant_page
    assert decision_line in page_text(agent_client.get(_url(demande)).get_data(as_text=True))


@pytest.mark.parametrize(("action", "status"), [("refuser", DemandeStatus.REFUSEE), ("classer", DemandeStatus.CLASSEE_SANS_SUITE)])
def test_refuse_and_close_need_a_motif(app, demande, agent, agent_client, mode, action, status):
    agent_client.post(_url(demande, "passer-en-instruction"))
    body = html.unescape(mode.assert_invalid(mode.post(agent_client, _url(demande, action), {"motif": ""})))
    assert "Indiquez le motif" in error_messages(body)
    mode.assert_redirect(mode.post(agent_client, _url(demande, action), {"motif": "Hors du champ du dispositif."}), _url(demande))
    db.session.refresh(demande)
    assert demande.status == status and demande.decision_motif == "Hors du champ du dispositif."
    label = "Refusée" if action == "refuser" else "Classée sans suite"
    assert f"Décision {label} – motif : Hors du champ du dispositif." in page_text(agent_client.get(_url(demande)).get_data(as_text=True))


def test_wrong_status_is_refused(app, demande, agent, agent_client, mode):
    body = html.unescape(mode.assert_invalid(mode.post(agent_client, _url(demande, "accepter"), {"montant": "10", "decision_date": "15/12/2026", "instance": "CP"})))
    assert "Impossible de décider sur une demande au statut « Transmise à la Région »" in body
    mode.post(agent_client, _url(demande, "passer-en-instruction"))
    mode.post(agent_client, _url(demande, "passer-en-instruction"))  # twice: refused, flashed
    db.session.refresh(demande)
    assert demande.status == DemandeStatus.EN_INSTRUCTION


def test_a_repeated_start_or_decision_is_already_done(app, demande, agent, agent_client, mode):
    """A second click, another tab, the back button (issue 12): « Déjà fait » on the demande's page."""
    agent_client.post(_url(demande, "passer-en-instruction"))
    decision = {"montant": "80", "decision_date": "15/12/2026", "instance": "Commission permanente"}
    mode.assert_redirect(mode.post(agent_client, _url(demande, "accepter"), decision), _url(demande))
    for action, data in [("accepter", decision), ("refuser", {"motif": "Autre avis"}), ("classer", {"motif": "x"}), ("passer-en-instruction", {})]:
        mode.assert_redirect(mode.post(agent_client, _url(demande, action), data), _url(demande))
        page = page_text(agent_client.get(_url(demande)).get_data(as_text=True))
        assert f"Déjà fait : la demande {demande.reference} est au statut « Acceptée »." in page, action
    mode.assert_redirect(mode.get(agent_client, _url(demande, "refuser")), _url(demande))  # the form of a decided demande is not offered
    db.session.refresh(demande)
    assert demande.status == DemandeStatus.ACCEPTEE and demande.decision_motif in (None, "")
    assert len(outbox("prof@exemple.fr", "Décision")) == 1


def test_usager_on_any_back_office_url(app, demande, agent, mode):
    client = app.test_client()
    login(client, "ref")
    for action in ["", "complements", "accepter", "refuser", "classer"]:
        assert mode.get(client, _url(demande, action)).status_code == 403
    for action in ["attribuer", "passer-en-instruction", "notes"]:
        assert mode.post(client, _url(demande, action)).status_code == 403
    anonymous = app.test_client()
    assert anonymous.get(_url(demande)).status_code == 302


def test_internal_notes_never_reach_applicants(app, demande, agent, agent_client, mode):
    mode.assert_redirect(mode.post(agent_client, _url(demande, "notes"), {"body": "Note confidentielle XYZ"}), _url(demande))
    assert "Note confidentielle XYZ" in page_text(agent_client.get(_url(demande)).get_data(as_text=True))
    agent_client.post(_url(demande, "passer-en-instruction"))
    agent_client.post(_url(demande, "refuser"), data={"motif": "Motif public."})
    for identifiant in ("prof", "ref"):
        client = app.test_client()
        login(client, identifiant)
        for url in [f"/demandes/{demande.id}", "/demandes", f"/demandes/{demande.id}/etapes/recapitulatif"]:
            assert "Note confidentielle XYZ" not in client.get(url, follow_redirects=True).get_data(as_text=True)
    assert not any("Note confidentielle XYZ" in m.body_text + m.body_html for m in db.session.scalars(select(OutgoingMail)))


def test_an_agent_never_edits_the_answers(app, demande, agent, agent_client):
    response = agent_client.get(f"/demandes/{demande.id}/etapes/dossier")
    assert response.status_code == 403


def test_every_acceptance_error_comes_at_once(app, demande, agent, agent_client, mode):
    """A date that does not exist and an amount above the amount asked: both, in one round."""
    mode.post(agent_client, _url(demande, "passer-en-instruction"))
    data = {"montant": "1 000 000", "decision_date": "31/02/2026", "instance": ""}
    messages = error_messages(html.unescape(mode.assert_invalid(mode.post(agent_client, _url(demande, "accepter"), data))))
    assert messages == [
        "Le montant accordé ne peut pas dépasser le montant demandé",
        "Cette date n'existe pas : vérifiez le jour et le mois, par exemple 15/09/2026",
        "Indiquez l'instance de décision, par exemple Commission permanente",
    ]
