"""Bulk onboarding from CSV, by upload and by command line: all or nothing,
duplicates skipped, encodings, wrong columns."""

import io

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Invitation, Structure
from tests.support.accounts import login, make_agent
from tests.support.mail import outbox
from tests.support.structures import make_structure
from tests.support.web import page_text

HEADER = "famille;raison_sociale;sigle;siret;rna;uai;adresse;code_postal;commune;email;telephone;representant_nom;representant_prenom;representant_fonction;organisme_gestion_siret"
OGEC = "Association;OGEC Sainte-Cécile;OGEC;77567227221138;W313000001;;3 place du Marché;31000;Toulouse;ogec@exemple.fr;;Roux;Léa;Présidente;"
LYCEE = "Lycée privé;Lycée Sainte-Cécile;;41816609600069;;0750654D;5 rue de l'Église;31000;Toulouse;direction@sainte-cecile.example;05 61 00 00 00;Garcia;Hélène;Directrice;77567227221138"
ENTREPRISE = "entreprise;Ateliers Réunis;;21310555400017;;;ZA des Près;81000;Albi;contact@ateliers.example;;;;;"


def csv_bytes(*lines, encoding="utf-8", header=HEADER):
    return ("\n".join([header, *lines]) + "\n").encode(encoding)


@pytest.fixture
def agent_client(app, client):
    make_agent()
    login(client, "agent.region")
    return client


def _upload(client, data, mode=None):
    payload = {"fichier": (io.BytesIO(data), "structures.csv")}
    if mode is None:
        return client.post("/instruction/structures/import", data=payload, content_type="multipart/form-data")
    return client.post("/instruction/structures/import", data=payload, content_type="multipart/form-data", headers=mode.headers)


def test_import_creates_every_row_links_the_organisme_de_gestion_and_invites(agent_client, mode):
    response = _upload(agent_client, csv_bytes(LYCEE, OGEC, ENTREPRISE), mode)
    text = page_text(mode.assert_page(response))
    assert "3 structures créées, 0 ligne ignorée" in text
    lycee = db.session.scalar(select(Structure).where(Structure.famille == "lycee_prive"))
    assert lycee.organisme_gestion.raison_sociale == "OGEC Sainte-Cécile"  # defined later in the file
    assert lycee.raison_sociale == "Lycée Sainte-Cécile" and lycee.adresse == "5 rue de l'Église"
    assert db.session.scalar(select(Structure.famille).where(Structure.siret == "21310555400017")) == "entreprise"
    assert len(db.session.scalars(select(Invitation)).all()) == 3
    assert outbox("direction@sainte-cecile.example")


def test_a_bad_row_imports_nothing_and_says_why_per_field(agent_client, mode):
    bad = "Lycée privé;;;41816609600068;X1;0750654E;;3100;Toulouse;pas-une-adresse;;;;;"
    response = _upload(agent_client, csv_bytes(OGEC, bad, ENTREPRISE), mode)
    assert response.status_code == 422
    text = page_text(response.get_data(as_text=True))
    assert "Le fichier n'a pas été importé" in text and "1 ligne sur 3 comporte des erreurs" in text
    assert "Ligne 3" in text
    for message in ["Saisissez la raison sociale", "Ce numéro SIRET n'est pas valide", "Ce numéro UAI n'est pas valide",
                    "Le code postal comporte 5 chiffres", "Saisissez une adresse électronique valide", "Saisissez l'adresse"]:
        assert message in text, message
    assert db.session.scalar(select(Structure)) is None
    assert outbox() == []


def test_duplicates_are_skipped(agent_client):
    make_structure(siret="21310555400017", famille="entreprise", uai="", raison_sociale="Déjà là", email="la@exemple.fr")
    text = page_text(_upload(agent_client, csv_bytes(OGEC, ENTREPRISE, OGEC)).get_data(as_text=True))
    assert "1 structure créée, 2 lignes ignorées" in text
    assert "Ligne 3 : SIRET 21310555400017 déjà présent" in text and "Ligne 4 : SIRET 77567227221138 déjà présent" in text


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "utf-8-sig", "utf-8"])
def test_latin1_and_utf8_with_bom_are_accepted(agent_client, encoding):
    response = _upload(agent_client, csv_bytes(LYCEE, OGEC, encoding=encoding))
    assert "2 structures créées" in page_text(response.get_data(as_text=True))
    assert db.session.scalar(select(Structure.adresse).where(Structure.uai == "0750654D")) == "5 rue de l'Église"


def test_comma_separated_file_is_read_too(agent_client):
    header = HEADER.replace(";", ",")
    line = OGEC.replace(";", ",")
    assert "1 structure créée" in page_text(_upload(agent_client, csv_bytes(line, header=header)).get_data(as_text=True))


def test_wrong_column_set_is_refused_as_a_whole(agent_client, mode):
    response = _upload(agent_client, csv_bytes("x;y", header="nom;ville"), mode)
    text = page_text(mode.assert_invalid(response))
    assert "colonnes manquantes : famille, raison_sociale, siret" in text and "colonnes inconnues : nom, ville" in text
    assert db.session.scalar(select(Structure)) is None


def test_empty_upload(agent_client, mode):
    response = mode.post(agent_client, "/instruction/structures/import", {}, content_type="multipart/form-data")
    assert "Choisissez un fichier CSV" in page_text(mode.assert_invalid(response))
    assert "Le fichier est vide" in page_text(_upload(agent_client, b"").get_data(as_text=True))


def test_command_line_import(app, tmp_path):
    good = tmp_path / "ok.csv"
    good.write_bytes(csv_bytes(OGEC, LYCEE, encoding="latin-1"))
    result = app.test_cli_runner().invoke(args=["structures", "import", str(good)])
    assert result.exit_code == 0, result.output
    assert "2 structure(s) créée(s), 0 ligne(s) ignorée(s)" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(ENTREPRISE.replace("Albi", "")))
    result = app.test_cli_runner().invoke(args=["structures", "import", str(bad)])
    assert result.exit_code != 0 and "Ligne 2 rejetée" in result.output and "Saisissez la commune" in result.output
    assert len(db.session.scalars(select(Structure)).all()) == 2
