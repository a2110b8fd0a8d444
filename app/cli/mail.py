"""``flask mail …``: the outbox."""

import click
from flask.cli import AppGroup

from app.integrations.mail_sender import send_due_mails, smtp_configured

mail_cli = AppGroup("mail", help="Boîte d'envoi des courriels.")


@mail_cli.command("send-pending")
def send_pending():
    """Envoie les courriels dus de la boîte d'envoi (à lancer par cron)."""
    if not smtp_configured():
        click.echo("Aucun serveur SMTP configuré (FLASK_MAIL_SERVER) : rien n'est envoyé.")
        return
    sent, failed = send_due_mails(limit=1000)
    click.echo(f"{sent} courriel(s) envoyé(s), {failed} en échec (nouvel essai plus tard).")
