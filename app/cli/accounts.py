"""``flask accounts …`` (the usagers' accounts) and ``flask agents …``."""

import click
from flask import current_app
from flask.cli import AppGroup

from app.domain import accounts, agents, values
from app.domain.base import SYSTEM, DomainError
from app.domain.passwords import password_policy_errors
from app.models import AgentRole

accounts_cli = AppGroup("accounts", help="Comptes des usagers.")
agents_cli = AppGroup("agents", help="Agents de la Région.")


@accounts_cli.command("purge-pending")
@click.option("--days", type=int, default=None, help="Délai en jours (PENDING_ACCOUNT_PURGE_DAYS par défaut).")
def purge_pending(days):
    """Supprime les comptes jamais activés après le délai, libérant leur identifiant."""
    days = days if days is not None else current_app.config["PENDING_ACCOUNT_PURGE_DAYS"]
    count = accounts.purge_pending_accounts(SYSTEM, days)
    click.echo(f"{count} compte(s) en attente d'activation supprimé(s) (créés il y a plus de {days} jours).")


@agents_cli.command("create")
@click.option("--identifiant", required=True)
@click.option("--email", required=True)
@click.option("--role", type=click.Choice([r.value for r in AgentRole]), required=True)
@click.option("--nom", default="Agent")
@click.option("--prenom", default="Région")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_agent(identifiant, email, role, nom, prenom, password):
    """Crée un compte d'agent actif (instructeur ou admin)."""
    if values.identifiant(identifiant).error:
        raise click.BadParameter("3 à 50 caractères : lettres, chiffres, . _ -", param_hint="--identifiant")
    problems = password_policy_errors(password, identifiant)
    if problems:
        raise click.BadParameter(". ".join(problems), param_hint="--password")
    try:
        agent = agents.create_agent(
            SYSTEM, identifiant=identifiant, email=email, role=AgentRole(role), password=password, nom=nom, prenom=prenom
        )
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Agent {agent.identifiant} créé ({AgentRole(role).label}).")
