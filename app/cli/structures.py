"""``flask structures …``: the CSV import of structures."""

import click
from flask.cli import AppGroup

from app.domain.base import SYSTEM
from app.domain.structure_import import ImportFileError, import_csv

structures_cli = AppGroup("structures", help="Structures (tiers).")


@structures_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_structures_command(path):
    """Importe des structures depuis un fichier CSV (tout ou rien) et envoie les invitations."""
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
