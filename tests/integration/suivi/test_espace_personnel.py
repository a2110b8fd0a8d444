"""« Espace personnel » (issue 11 §6, the seed's screen): the demandes by
thématique (téléservice), and for the référent the déposées waiting for the
CA's avis, each with its « Transmettre » link; the teacher has no such list."""

from tests.support.web import page_text


def test_the_referent_sees_what_to_transmit_and_the_demandes_by_teleservice(demande_in, login_as, lycee, mode):
    waiting = demande_in("deposee", intitule="Découvrir les métiers")
    demande_in("transmise", intitule="Déjà transmise")
    text = page_text(mode.assert_page(mode.get(login_as("ref"), "/espace")))
    assert "Demandes à transmettre" in text
    assert f"Transmettre la demande {waiting.reference} – Lycée-Projets « Trajectoires », Découvrir les métiers" in text
    assert "Déjà transmise" not in text
    assert "Vos demandes d'aide par thématique" in text and "Lycée-Projets « Trajectoires » : 2 demandes" in text


def test_a_teacher_has_nothing_to_transmit(demande_in, login_as, lycee, mode):
    demande_in("deposee")
    text = page_text(mode.assert_page(mode.get(login_as("prof"), "/espace")))
    assert "Demandes à transmettre" not in text
    assert "Lycée-Projets « Trajectoires » : 1 demande" in text


def test_nothing_yet(login_as, lycee, mode):
    text = page_text(mode.assert_page(mode.get(login_as("ref"), "/espace")))
    assert "Aucune demande d'aide pour l'instant." in text
