"""``flask demandes …``: maintenance of the demandes' stored data."""

import click
from flask.cli import AppGroup

from app.domain.base import SYSTEM
from app.domain.demandes import repair

demandes_cli = AppGroup("demandes", help="Demandes d'aide : maintenance des données enregistrées.")


@demandes_cli.command("repair")
def repair_command():
    """Remet dans la forme attendue les réponses enregistrées des demandes
    (lignes écrites par une version antérieure du portail). Sans effet sur
    une base saine ; à lancer une fois après la mise à jour."""
    read, repaired = repair.repair_all(SYSTEM)
    click.echo(f"{read} demande(s) lue(s), {repaired} réparée(s).")
