"""Command-line tools (``flask --app wsgi <group> <command>``)."""

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.cli_organisations import organisations_cli
from app.cli_teleservices import teleservices_cli
from app.domain import accounts
from app.domain.base import SYSTEM, DomainError
from app.models import AgentRole
from app.security.passwords import password_policy_errors
from app.validators import IDENTIFIANT_RE

accounts_cli = AppGroup("accounts", help="Comptes des usagers.")
agents_cli = AppGroup("agents", help="Agents de la Région.")
mail_cli = AppGroup("mail", help="Boîte d'envoi des courriels.")
demo_cli = AppGroup("demo", help="Données de démonstration (développement).")
structures_cli = AppGroup("structures", help="Structures (tiers).")


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
    if not IDENTIFIANT_RE.match(identifiant) or not 3 <= len(identifiant) <= 50:
        raise click.BadParameter("3 à 50 caractères : lettres, chiffres, . _ -", param_hint="--identifiant")
    problems = password_policy_errors(password, identifiant)
    if problems:
        raise click.BadParameter(". ".join(problems), param_hint="--password")
    try:
        agent = accounts.create_agent(
            SYSTEM, identifiant=identifiant, email=email, role=AgentRole(role), password=password, nom=nom, prenom=prenom
        )
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Agent {agent.identifiant} créé ({AgentRole(role).label}).")


@mail_cli.command("send-pending")
def send_pending():
    """Envoie les courriels dus de la boîte d'envoi (à lancer par cron)."""
    from app.integrations.mail_sender import send_due_mails, smtp_configured

    if not smtp_configured():
        click.echo("Aucun serveur SMTP configuré (FLASK_MAIL_SERVER) : rien n'est envoyé.")
        return
    sent, failed = send_due_mails(limit=1000)
    click.echo(f"{sent} courriel(s) envoyé(s), {failed} en échec (nouvel essai plus tard).")


@structures_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_structures_command(path):
    """Importe des structures depuis un fichier CSV (tout ou rien) et envoie les invitations."""
    from app.structure_import import ImportFileError, import_csv

    with open(path, "rb") as file:
        data = file.read()
    try:
        outcome = import_csv(SYSTEM, data)
    except ImportFileError as error:
        raise click.ClickException(str(error)) from None
    if outcome.rejected:
        for row in outcome.rejected:
            reasons = " ; ".join(f"{column} : {'. '.join(messages)}" for column, messages in row.errors.items())
            click.echo(f"Ligne {row.line} rejetée ({row.raison_sociale}) – {reasons}", err=True)
        raise click.ClickException(
            f"{len(outcome.rejected)} ligne(s) en erreur sur {outcome.rows_read} : aucune structure n'a été importée."
        )
    report = outcome.report
    for structure in report.created:
        click.echo(f"Créée : {structure.raison_sociale} (invitation envoyée à {structure.email})")
    for line, reason in report.skipped:
        click.echo(f"Ligne {line} ignorée : {reason}")
    click.echo(f"{len(report.created)} structure(s) créée(s), {len(report.skipped)} ligne(s) ignorée(s).")


DEMO_PASSWORD = "Demo-Portail-2026!"


@demo_cli.command("load")
def load_demo():
    """Charge les données de démonstration (idempotent)."""
    from app.demo import load_demo_data

    created = load_demo_data(DEMO_PASSWORD)
    for line in created:
        click.echo(line)
    click.echo(f"Mot de passe des comptes de démonstration : {DEMO_PASSWORD}")


def init_app(app: Flask) -> None:
    for group in (accounts_cli, agents_cli, mail_cli, demo_cli, structures_cli, organisations_cli, teleservices_cli):
        app.cli.add_command(group)
