"""``flask teleservices …``: loading the téléservice definitions."""

import click
from flask.cli import AppGroup

from app.domain.teleservices import DEFINITIONS_DIR, load_definitions
from app.teleservices.schema import DefinitionError

teleservices_cli = AppGroup("teleservices", help="Téléservices (définitions déclaratives).")


@teleservices_cli.command("load")
@click.option(
    "--directory",
    type=click.Path(file_okay=False),
    default=None,
    help=f"Dossier des définitions YAML (par défaut {DEFINITIONS_DIR}).",
)
def load(directory):
    """Charge les définitions des téléservices (idempotent) : une définition
    modifiée devient une nouvelle version, les demandes gardent la leur."""
    try:
        lines = load_definitions(directory)
    except DefinitionError as error:
        raise click.ClickException(f"Définition invalide, aucun téléservice n'a été chargé. {error}") from None
    for line in lines:
        click.echo(line)
