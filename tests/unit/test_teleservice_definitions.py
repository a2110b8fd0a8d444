"""The shipped téléservice definitions, and the errors of broken ones: each
names the file and says what is wrong."""

import json
from datetime import date

import pytest

from app.domain.teleservices import DEFINITIONS_DIR, read_definitions
from app.models import FamilleTiers
from app.teleservices.schema import FIELD_TYPES, DefinitionError, definition_from_json
from tests.support.teleservices import SHIPPED_FILES, TRAJECTOIRES, minimal_definition, write_definition


def test_the_three_shipped_definitions_parse():
    definitions = dict(read_definitions())
    assert {name: d.code for name, d in definitions.items()} == {v: k for k, v in SHIPPED_FILES.items()}
    for definition in definitions.values():
        assert definition.preambule.count("\n\n") >= 2  # several paragraphs
        assert len(definition.criteres) >= 3 and all(c.refus for c in definition.criteres)
        assert {f.type for f in definition.dossier} <= FIELD_TYPES
        assert any(d.required for d in definition.documents)
        assert all(f in FamilleTiers._value2member_map_ for f in definition.familles)
        assert definition.ouverture < definition.cloture


def test_trajectoires_is_the_issue_s_dossier():
    trajectoires = dict(read_definitions())["trajectoires.yaml"]
    assert trajectoires.titre == TRAJECTOIRES
    assert set(trajectoires.familles) == {"lycee_prive", "lycee_public"}
    assert trajectoires.approbation_ca is True
    assert (trajectoires.ouverture, trajectoires.cloture) == (date(2026, 9, 1), date(2027, 6, 30))
    fields = [(f.code, f.type, f.required) for f in trajectoires.dossier]
    assert fields == [
        ("intitule", "text", True),
        ("description", "textarea", True),
        ("objectifs", "textarea", True),
        ("niveaux", "checkboxes", True),
        ("nombre_eleves", "integer", True),
        ("date_debut", "date", True),
        ("date_fin", "date", True),
        ("enseignant", "text", False),
        ("budget", "budget", False),
        ("montant", "amount", True),
        ("iban", "iban", False),
    ]
    assert trajectoires.field("intitule").max_length == 200
    assert [label for _, label in trajectoires.field("niveaux").choices][:5] == ["Seconde", "Première", "Terminale", "BTS", "CAP"]
    assert trajectoires.field("nombre_eleves").min == 1
    assert trajectoires.field("date_fin").after == "date_debut"
    assert trajectoires.field("enseignant").prefill == "author_name"
    assert trajectoires.field("montant").min == 1 and trajectoires.field("montant").max_from == "budget"
    assert [(d.code, d.required) for d in trajectoires.documents] == [("devis", True), ("programme", False), ("autre", False)]


def test_the_other_two_serve_associations_public_bodies_and_lycees_prives_without_ca():
    """As the seed lists them under the filter « Lycée privé » (issue 11 §6)."""
    definitions = dict(read_definitions())
    for name in ("orientation.yaml", "politique_ville.yaml"):
        definition = definitions[name]
        assert set(definition.familles) == {"association", "collectivite", "etablissement_public", "lycee_prive"}
        assert definition.approbation_ca is False
        codes = {f.code for f in definition.dossier}
        assert {"intitule", "description", "nombre_beneficiaires", "date_debut", "date_fin", "budget", "montant", "iban"} <= codes
    assert definitions["politique_ville.yaml"].field("thematique").type == "select"
    assert definitions["politique_ville.yaml"].field("quartiers").required


def test_a_stored_version_reads_back_identical():
    for _, definition in read_definitions():
        stored = json.loads(json.dumps(definition.to_json()))
        again = definition_from_json(stored)
        assert again == definition and again.digest() == definition.digest()


def test_the_digest_changes_with_the_content(tmp_path):
    write_definition(tmp_path / "a", "essai.yaml", minimal_definition())
    write_definition(tmp_path / "b", "essai.yaml", minimal_definition(cloture=date(2027, 7, 31)))
    [(_, first)] = read_definitions(tmp_path / "a")
    [(_, second)] = read_definitions(tmp_path / "b")
    assert first.digest() != second.digest()


def _field(code, type_="text", **extra):
    return {"code": code, "type": type_, "label": code.capitalize(), **extra}


BROKEN = {
    "unknown type": (
        {"dossier": [_field("intitule", "radio")]},
        "champ intitule: type inconnu « radio »",
    ),
    "duplicate field code": (
        {"dossier": [_field("intitule"), _field("intitule", "textarea")]},
        "le code « intitule » est utilisé deux fois",
    ),
    "duplicate critère code": (
        {"criteres": [{"code": "a", "question": "A ?", "refus": "Non."}] * 2},
        "critères: le code « a » est utilisé deux fois",
    ),
    "after names an unknown field": (
        {"dossier": [_field("date_fin", "date", after="date_debut")]},
        "champ date_fin: « after » désigne un champ inconnu « date_debut »",
    ),
    "max_from names an unknown field": (
        {"dossier": [_field("montant", "amount", max_from="budget")]},
        "« max_from » désigne un champ inconnu « budget »",
    ),
    "unknown famille": (
        {"familles": ["lycee_prive", "lycee"]},
        "familles inconnues ['lycee']",
    ),
    "clôture before ouverture": (
        {"ouverture": date(2027, 1, 1), "cloture": date(2026, 12, 31)},
        "la clôture précède l'ouverture",
    ),
    "invalid date": (
        {"cloture": "31/03/2027"},
        "date invalide « 31/03/2027 »",
    ),
    "select without choices": (
        {"dossier": [_field("thematique", "select")]},
        "« choices » est obligatoire pour le type select",
    ),
    "checkboxes without choices": (
        {"dossier": [_field("niveaux", "checkboxes", choices=[])]},
        "« choices » est obligatoire pour le type checkboxes",
    ),
    "missing titre": (
        {"titre": ""},
        "« titre » est obligatoire",
    ),
    "critère without refus": (
        {"criteres": [{"code": "a", "question": "A ?"}]},
        "critère a: « refus » est obligatoire",
    ),
    "lower-case code": (
        {"code": "traj"},
        "le code doit être en lettres majuscules et chiffres",
    ),
    "unknown prefill": (
        {"dossier": [_field("enseignant", prefill="author_phone")]},
        "« prefill » inconnu « author_phone »",
    ),
    "choices that are not pairs": (
        {"dossier": [_field("niveaux", "checkboxes", choices=["seconde", "premiere"])]},
        "structure inattendue",
    ),
    "a critère that is not a mapping": (
        {"criteres": [42]},
        "structure inattendue",
    ),
}


@pytest.mark.parametrize("change, problem", BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_definition_names_the_file_and_the_problem(tmp_path, change, problem):
    write_definition(tmp_path, "a_bon.yaml", minimal_definition(code="BON"))
    write_definition(tmp_path, "casse.yaml", minimal_definition(**change))
    with pytest.raises(DefinitionError) as error:
        read_definitions(tmp_path)
    message = str(error.value)
    assert message.startswith("casse.yaml"), message
    assert problem in message, message


def test_invalid_yaml_names_the_file_and_the_line(tmp_path):
    (tmp_path / "casse.yaml").write_text("code: TEST\ntitre: [non fermé\ndescription: x\n", encoding="utf-8")
    with pytest.raises(DefinitionError, match=r"^casse\.yaml: YAML invalide à la ligne \d+"):
        read_definitions(tmp_path)


def test_a_definition_must_be_a_mapping(tmp_path):
    (tmp_path / "liste.yaml").write_text("- code: TEST\n", encoding="utf-8")
    with pytest.raises(DefinitionError, match=r"^liste\.yaml: un dictionnaire YAML est attendu"):
        read_definitions(tmp_path)


def test_two_files_may_not_share_a_code(tmp_path):
    write_definition(tmp_path, "premier.yaml", minimal_definition())
    write_definition(tmp_path, "second.yaml", minimal_definition(titre="Autre"))
    with pytest.raises(DefinitionError, match=r"^second\.yaml: le code « TEST » est déjà celui de premier\.yaml"):
        read_definitions(tmp_path)


def test_a_directory_without_definitions_is_an_error(tmp_path):
    (tmp_path / "lisez-moi.txt").write_text("rien", encoding="utf-8")
    with pytest.raises(DefinitionError, match="aucune définition"):
        read_definitions(tmp_path)
    with pytest.raises(DefinitionError, match="dossier introuvable"):
        read_definitions(tmp_path / "absent")


def test_the_default_directory_is_the_package_s():
    assert DEFINITIONS_DIR.name == "definitions" and (DEFINITIONS_DIR / "trajectoires.yaml").is_file()
