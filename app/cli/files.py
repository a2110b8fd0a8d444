"""``flask files …``: the stored files and their antivirus status."""

import click
from flask.cli import AppGroup

from app.domain import files
from app.domain.base import DomainError

files_cli = AppGroup("files", help="Fichiers joints : analyse antivirus.")


@files_cli.command("rescan")
@click.option("--not-scanned", "include_not_scanned", is_flag=True, help="Analyser aussi les fichiers enregistrés sans antivirus.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Nombre maximal de fichiers à analyser.")
def rescan_command(include_not_scanned, limit):
    """Analyse les fichiers retenus « en cours d'analyse » (à lancer par cron
    tant que la file de tâches ne le fait pas) : sains, ils sont servis ;
    infectés, ils sont supprimés."""
    try:
        report = files.rescan_held(include_not_scanned=include_not_scanned, limit=limit)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    for attachment_id in report.infected:
        click.echo(f"Fichier {attachment_id} : virus trouvé, fichier supprimé.")
    click.echo(
        f"{len(report.clean)} fichier(s) sain(s), {len(report.infected)} infecté(s) et supprimé(s), "
        f"{len(report.still_held)} toujours en attente d'analyse."
    )
    if report.still_held:
        address = files.scanner().address
        raise click.ClickException(
            f"{len(report.still_held)} fichier(s) non analysé(s) : l'antivirus ({address}) n'a pas répondu, "
            "ou le fichier manque dans le stockage (voir le journal). Relancez plus tard."
        )
