"""SIRET, SIREN and RNA validation, before any call is made."""

import pytest
from stdnum import luhn

from app.integrations.organisation_lookup import (
    IdentifierKind,
    InvalidIdentifier,
    normalize,
    normalize_rna,
    normalize_siren,
    normalize_siret,
)


def test_siret_spaces_are_removed():
    assert normalize_siret(" 552 049 447 76279 ") == "55204944776279"
    # Non-breaking and narrow non-breaking spaces, as copied from a PDF.
    assert normalize_siret("552\u00a0049\u202f447\u00a076279") == "55204944776279"


def test_la_poste_sirets_follow_their_own_rule():
    # Passes by the plain Luhn checksum.
    assert normalize_siret("35600000000048") == "35600000000048"
    # Fails Luhn but its digits sum to a multiple of 5: valid only for La Poste.
    assert not luhn.is_valid("35600000049837")
    assert normalize_siret("356 000 000 49837") == "35600000049837"
    # Neither rule: invalid.
    with pytest.raises(InvalidIdentifier):
        normalize_siret("35600000000013")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "Saisissez le numéro SIRET."),
        (None, "Saisissez le numéro SIRET."),
        ("5520494477627", "Le numéro SIRET doit comporter 14 chiffres."),
        ("552049447762791", "Le numéro SIRET doit comporter 14 chiffres."),
        ("5520494477627A", "Le numéro SIRET doit comporter 14 chiffres."),
        ("55204944776278", "Ce numéro SIRET n'est pas valide : vérifiez les chiffres saisis."),
    ],
)
def test_invalid_siret_messages(raw, message):
    with pytest.raises(InvalidIdentifier) as excinfo:
        normalize_siret(raw)
    assert excinfo.value.message == message
    assert excinfo.value.kind is IdentifierKind.SIRET


def test_siren():
    assert normalize_siren("552 049 447") == "552049447"
    with pytest.raises(InvalidIdentifier, match="9 chiffres"):
        normalize_siren("55204944")
    with pytest.raises(InvalidIdentifier, match="n'est pas valide"):
        normalize_siren("552049448")


def test_rna_is_upper_cased_and_spaces_removed():
    assert normalize_rna(" w751 004 076 ") == "W751004076"
    assert normalize_rna("W9M1000123") == "W9M1000123"


@pytest.mark.parametrize(
    "raw", ["751004076", "W75100407", "W7510040766", "X751004076", "W751-004076", ""]
)
def test_invalid_rna(raw):
    with pytest.raises(InvalidIdentifier) as excinfo:
        normalize_rna(raw)
    assert excinfo.value.kind is IdentifierKind.RNA
    assert "RNA" in excinfo.value.message


def test_normalize_dispatches_on_the_kind():
    assert normalize("siret", "552 049 447 76279") == "55204944776279"
    assert normalize(IdentifierKind.RNA, "w604004799") == "W604004799"
    with pytest.raises(ValueError):
        normalize("uai", "0750001A")
