"""``flask demo …``: the demo data of the development portal."""

import click
from flask.cli import AppGroup

from app.domain.base import SYSTEM
from app.domain.demo import load_demo_data

demo_cli = AppGroup("demo", help="Données de démonstration (développement).")

DEMO_PASSWORD = "Demo-Portail-2026!"


@demo_cli.command("load")
def load_demo():
    """Charge les données de démonstration (idempotent)."""
    for line in load_demo_data(SYSTEM, DEMO_PASSWORD):
        click.echo(line)
    click.echo(f"Mot de passe des comptes de démonstration : {DEMO_PASSWORD}")
