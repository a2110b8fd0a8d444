"""``flask organisations …``: the organisation look-up's command-line tools."""

import click
from flask.cli import AppGroup

from app.domain import organisations

organisations_cli = AppGroup("organisations", help="Recherche d'organisations (API Entreprise).")


@organisations_cli.command("recheck")
@click.option("--limit", type=int, default=None, help="Nombre maximal d'informations à vérifier.")
def recheck(limit):
    """Recherche à nouveau les informations saisies à la main (non vérifiées)
    et enregistre ce qui est trouvé (à lancer par cron)."""
    report = organisations.recheck_unverified(limit=limit)
    for line in report.lines:
        click.echo(line)
    click.echo(f"{report.verified} vérifiée(s), {report.still_unverified} toujours non vérifiée(s).")
    if report.stopped:
        click.echo(f"Interrompu : {report.stopped}")
