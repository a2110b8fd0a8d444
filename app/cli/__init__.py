"""Command-line tools (``flask --app wsgi <group> <command>``), one module
per group; each command calls the domain, like the views do."""

from flask import Flask

from app.cli.accounts import accounts_cli, agents_cli
from app.cli.demandes import demandes_cli
from app.cli.demo import demo_cli
from app.cli.files import files_cli
from app.cli.mail import mail_cli
from app.cli.organisations import organisations_cli
from app.cli.structures import structures_cli
from app.cli.teleservices import teleservices_cli


def init_app(app: Flask) -> None:
    for group in (accounts_cli, agents_cli, mail_cli, demo_cli, structures_cli, organisations_cli, teleservices_cli, files_cli, demandes_cli):
        app.cli.add_command(group)
