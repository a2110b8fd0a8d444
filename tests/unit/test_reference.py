"""The reference data helpers: NAF rev. 2 and INSEE legal forms."""

import pytest

from app import reference


@pytest.mark.parametrize("raw", ["8411Z", "84.11Z", "84.11z", " 84.11Z ", "8411z"])
def test_normalize_naf_accepts_the_usual_spellings(raw):
    assert reference.normalize_naf(raw) == "84.11Z"


@pytest.mark.parametrize("raw", [None, "", "8411", "84.11", "84.11ZZ", "99.99Z", "74.1A", "ABCDE"])
def test_normalize_naf_rejects_what_is_not_a_naf_rev2_code(raw):
    assert reference.normalize_naf(raw) is None


def test_naf_label_comes_from_the_shipped_nomenclature():
    assert reference.naf_label("8411Z") == "Administration publique générale"
    assert reference.naf_label("94.99Z").startswith("Autres organisations")
    assert reference.naf_label("99.99Z") is None
    assert len(reference.naf_codes()) == 732


def test_forme_juridique_label_is_stripped_and_unknown_codes_give_none():
    # The source file has "Association déclarée " with a trailing space.
    assert reference.forme_juridique_label("9220") == "Association déclarée"
    assert reference.forme_juridique_label(" 7120 ") == "Service central d'un ministère"
    assert reference.forme_juridique_label("0001") is None
    assert reference.forme_juridique_label(None) is None


def test_choices_are_sorted_and_labelled_with_their_code():
    naf = reference.naf_choices()
    assert naf[0] == ("01.11Z", "01.11Z – " + reference.naf_label("01.11Z"))
    assert [code for code, _ in naf] == sorted(reference.naf_codes())
    formes = reference.forme_juridique_choices()
    assert ("9220", "9220 – Association déclarée") in formes
    assert [code for code, _ in formes] == sorted(code for code, _ in formes)
    # Callers get their own list: changing it does not change the next one.
    naf.clear()
    assert len(reference.naf_choices()) == 732


def test_departements_and_regions_are_available():
    assert reference.departements()["2A"] == "Corse-du-Sud"
    assert reference.regions()["11"] == "Île-de-France"
