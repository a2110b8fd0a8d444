"""Building accounts for tests through the real domain operations."""

from app.domain import accounts, agents
from app.domain.base import SYSTEM
from app.extensions import db
from app.models import Account, AccountStatus, AgentRole

PASSWORD = "Motdepasse-2026!"

REGISTRATION = {
    "identifiant": "jdupont",
    "password": PASSWORD,
    "password_confirmation": PASSWORD,
    "civilite": "madame",
    "nom": "Dupont",
    "prenom": "Jeanne",
    "email": "jeanne.dupont@exemple.fr",
    "email_confirmation": "jeanne.dupont@exemple.fr",
}


def registration(**overrides) -> dict:
    return {**REGISTRATION, **overrides}


def make_account(identifiant="jdupont", email="jeanne.dupont@exemple.fr", active=True, **fields) -> Account:
    account = accounts.register_account(
        SYSTEM,
        identifiant=identifiant,
        password=fields.pop("password", PASSWORD),
        civilite=fields.pop("civilite", "madame"),
        nom=fields.pop("nom", "Dupont"),
        prenom=fields.pop("prenom", "Jeanne"),
        email=email,
    )
    if active:
        account.status = AccountStatus.ACTIVE
        db.session.commit()
    return account


def make_agent(identifiant="agent.region", role=AgentRole.INSTRUCTEUR) -> Account:
    return agents.create_agent(
        SYSTEM,
        identifiant=identifiant,
        email=f"{identifiant}@region.example",
        role=role,
        password=PASSWORD,
        nom="Agent",
        prenom="Région",
    )


def login(client, identifiant="jdupont", password=PASSWORD):
    response = client.post("/connexion", data={"identifiant": identifiant, "password": password})
    assert response.status_code == 303, response.get_data(as_text=True)[:1500]
    return response
