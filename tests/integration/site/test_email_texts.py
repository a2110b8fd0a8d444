"""Every email the portal sends reads well (issue 11): the plain text keeps
its spaces and blank lines (no « 1 200,00 €.Instance »), the HTML part has a
heading and short link texts with the address on its own line, and the
validity of each link is the configured one."""

import re
from decimal import Decimal

from sqlalchemy import select

from app.domain import accounts, agents, invitations, memberships, messages
from app.domain.base import SYSTEM, OperationContext
from app.domain.demandes import instruction, transmission
from app.domain.demo import load_demo_data
from app.extensions import db
from app.models import AgentRole, Demande, DemandeStatus, Membership, OutgoingMail
from tests.support.accounts import PASSWORD

GLUED = re.compile(r"[a-zà-ÿ€)»\d]\.[A-ZÀ-Ý]")  # a sentence run into the next one


def _every_kind_of_email():
    """Everything that sends an email, once: the demo data (invitations,
    filing, transmission, instruction, compléments, decisions, a message),
    then registration, recovery, an email change, a new agent, a member
    detached, a demande sent back, a message to the council."""
    load_demo_data(SYSTEM, PASSWORD)
    account = accounts.register_account(
        SYSTEM, identifiant="nouveau", password=PASSWORD, civilite="madame", nom="Durand", prenom="Léa", email="lea@exemple.fr"
    )
    accounts.request_recovery(SYSTEM, "prof.demo@lycee.example")
    accounts.request_email_change(OperationContext(actor=account), account, "lea.durand@exemple.fr")
    agents.create_agent(SYSTEM, identifiant="nouvel.agent", email="agent@region.example", role=AgentRole.INSTRUCTEUR, nom="Petit", prenom="Marc")
    referent = accounts.find_by_identifiant("USAGER-OCCITANIE")
    teacher = accounts.find_by_identifiant("PROF-DEMO")
    deposee = db.session.scalar(select(Demande).where(Demande.status == DemandeStatus.DEPOSEE))
    transmission.send_back(OperationContext(actor=referent), deposee, "Précisez le budget.")
    instructed = db.session.scalar(select(Demande).where(Demande.status == DemandeStatus.EN_INSTRUCTION))
    messages.post_message(OperationContext(actor=teacher), instructed, "Nous serons 48 élèves.")
    instruction.accept(
        OperationContext(actor=accounts.find_by_identifiant("instructeur.region")), instructed,
        montant=Decimal("1200"), decision_date=None, instance="Commission permanente",
    )
    membership = db.session.scalar(select(Membership).where(Membership.account_id == teacher.id))
    memberships.detach(OperationContext(actor=referent), membership)
    invitations.invite(OperationContext(actor=referent), membership.structure, email="collegue@exemple.fr", role="membre")


def test_every_email_reads_well(app):
    _every_kind_of_email()
    mails = db.session.scalars(select(OutgoingMail).order_by(OutgoingMail.id)).all()
    kinds = {re.sub(r"\s*[–:]?\s*(demande )?[A-Z]+-\d{4}-\d{6}.*|\d.*", "", mail.subject) for mail in mails}
    assert len(kinds) >= 15, kinds  # every template of templates/email/
    for mail in mails:
        text, where = mail.body_text, f"« {mail.subject} »:\n{mail.body_text}"
        lines = text.split("\n")
        assert lines[0].startswith("Bonjour") and lines[0].endswith(","), where
        assert lines[1] == "", where  # a blank line after the greeting
        prose = re.sub(r"https?://\S+", "", text)
        assert not GLUED.search(prose), f"{GLUED.search(prose).group(0)!r} in {where}"
        assert "\n\n\n" not in text and not any(line.endswith(" ") for line in lines), where
        assert "cliqu" not in text.casefold(), where  # device-neutral: « suivez le lien », « sélectionnez »
        assert "<h1" in mail.body_html, mail.subject
        for href, label in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', mail.body_html):
            assert label != href, f"a link whose text is its address in « {mail.subject} »"


def test_the_decision_email_lists_amount_and_instance_on_their_own_lines(app):
    _every_kind_of_email()
    (mail,) = [m for m in db.session.scalars(select(OutgoingMail)) if "Décision" in m.subject and "Acceptée" in m.body_text][-1:]
    assert "Montant accordé : 1\u202f200,00\u00a0€.\nInstance : Commission permanente" in mail.body_text


def test_links_last_what_the_configuration_says(make_app):
    app = make_app(ACTIVATION_MAX_AGE=48 * 3600, INVITATION_MAX_AGE=24 * 3600, PASSWORD_RESET_MAX_AGE=1800)
    with app.app_context():
        _every_kind_of_email()
        by_subject = {mail.subject: mail.body_text for mail in db.session.scalars(select(OutgoingMail))}
        assert "valable 48 heures" in next(t for s, t in by_subject.items() if s.startswith("Activez votre compte"))
        assert "valable 24 heures" in next(t for s, t in by_subject.items() if s.startswith("Invitation"))
        assert "valable 30 minutes" in next(t for s, t in by_subject.items() if s.startswith("Vos informations de connexion"))
