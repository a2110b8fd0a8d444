"""Reading typed values of the wizard's fields: what is accepted, how it is
normalised, and the French message for what is refused."""

from datetime import date
from decimal import Decimal

import pytest

from app.domain import values as fv

NNBSP, NBSP = "\u202f", "\u00a0"


@pytest.mark.parametrize("raw", [None, "", "   ", "\u00a0\u202f\t\n", [], ["", "  "]])
def test_blank_input(raw):
    assert fv.is_blank(raw)


@pytest.mark.parametrize("raw", ["0", "a", ["", "x"], 0])
def test_not_blank_input(raw):
    assert not fv.is_blank(raw)


@pytest.mark.parametrize(
    "parse",
    [fv.text, fv.integer, fv.amount, fv.date_value, fv.iban, fv.email, fv.telephone, lambda raw: fv.choice(raw, [("a", "A")])],
)
@pytest.mark.parametrize("raw", [None, "", "  \u00a0"])
def test_every_type_returns_nothing_for_blank_input(parse, raw):
    assert parse(raw) == (None, None)


def test_choices_blank():
    assert fv.choices([], [("a", "A")]) == (None, None)
    assert fv.choices(["", " "], [("a", "A")]) == (None, None)


# text ---------------------------------------------------------------------


def test_text_is_stripped():
    assert fv.text("  Sortie au théâtre \n") == ("Sortie au théâtre", None)


def test_text_line_breaks_count_as_one_character():
    assert fv.text("ab\r\ncd", max_length=5) == ("ab\ncd", None)


def test_text_at_the_limit_is_accepted():
    assert fv.text("x" * 200, max_length=200) == ("x" * 200, None)


def test_text_too_long():
    value, error = fv.text("x" * 201, max_length=200)
    assert value is None
    assert error.startswith("200 caractères au maximum")
    assert "201" in error


def test_text_limit_is_written_the_french_way():
    assert fv.text("x" * 2001, max_length=2000).error.startswith(f"2{NNBSP}000 caractères au maximum")


# integer ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [("25", 25), (" 25 ", 25), ("1 200", 1200), (f"1{NBSP}200", 1200), (f"10{NNBSP}000", 10000), ("1 000 000", 1000000), ("+4", 4), ("-3", -3), ("−3", -3), ("0", 0)],
)
def test_integer_accepted(raw, value):
    assert fv.integer(raw) == (value, None)


@pytest.mark.parametrize("raw", ["1,5", "1.5", "12,", "1 200,00"])
def test_integer_refuses_decimals(raw):
    assert fv.integer(raw) == (None, "Saisissez un nombre entier, sans virgule ni décimale")


@pytest.mark.parametrize("raw", ["douze", "12a", "12 00", "1 2", "--3", "1" * 16, "25 élèves"])
def test_integer_refuses_what_is_not_a_number(raw):
    assert fv.integer(raw) == (None, "Saisissez un nombre entier en chiffres, par exemple 25")


@pytest.mark.parametrize(
    ("raw", "low", "high", "error"),
    [
        ("0", 1, 10000, f"Saisissez un nombre entre 1 et 10{NNBSP}000"),
        ("10 001", 1, 10000, f"Saisissez un nombre entre 1 et 10{NNBSP}000"),
        ("0", 1, None, "Saisissez un nombre supérieur ou égal à 1"),
        ("10001", None, 10000.0, f"Saisissez un nombre inférieur ou égal à 10{NNBSP}000"),
    ],
)
def test_integer_bounds(raw, low, high, error):
    assert fv.integer(raw, min=low, max=high) == (None, error)


@pytest.mark.parametrize("raw", ["1", "10 000"])
def test_integer_bounds_are_inclusive(raw):
    assert fv.integer(raw, min=1, max=10000).error is None


# amount -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("1 234,50", "1234.50"),
        ("1234.5", "1234.50"),
        ("1 234,50 €", "1234.50"),
        ("1 234,50€", "1234.50"),
        ("1 234", "1234.00"),
        (f"1{NBSP}234,50{NBSP}€", "1234.50"),
        (f"1{NNBSP}234,5", "1234.50"),
        ("1.234,50", "1234.50"),
        ("1 000 000", "1000000.00"),
        ("0,05", "0.05"),
        ("12 EUR", "12.00"),
        ("12 euros", "12.00"),
        ("0", "0.00"),
    ],
)
def test_amount_accepted(raw, value):
    parsed = fv.amount(raw)
    assert parsed == (Decimal(value), None)
    assert parsed.value.as_tuple().exponent == -2


@pytest.mark.parametrize("raw", ["12,345", "1.234", "0,001", "1 234,567"])
def test_amount_refuses_more_than_two_decimals(raw):
    # « 12,345 » may be an English « twelve thousand »: never read silently.
    assert fv.amount(raw) == (None, "Saisissez au plus 2 chiffres après la virgule, par exemple 1 234,50")


@pytest.mark.parametrize("raw", ["-5", "−5", "- 1 234,50 €"])
def test_amount_refuses_negatives(raw):
    assert fv.amount(raw) == (None, "Le montant ne peut pas être négatif")


@pytest.mark.parametrize(
    "raw",
    ["mille euros", "12a", "12 50", "1,234.50", "1.234.567", "12,", ",50", "1,2,3", "€", "1" * 16, "12 34,50", "1 234.567,89"],
)
def test_amount_refuses_what_is_not_an_amount(raw):
    assert fv.amount(raw) == (None, "Saisissez un montant en euros, en chiffres, par exemple 1 234,50")


@pytest.mark.parametrize(
    ("raw", "low", "high", "error"),
    [
        ("0", 0.01, None, f"Saisissez un montant supérieur ou égal à 0,01{NBSP}€"),
        ("10 000,01", 1, 10000, f"Saisissez un montant entre 1,00{NBSP}€ et 10{NNBSP}000,00{NBSP}€"),
        ("2", None, Decimal("1.5"), f"Saisissez un montant inférieur ou égal à 1,50{NBSP}€"),
    ],
)
def test_amount_bounds(raw, low, high, error):
    assert fv.amount(raw, min=low, max=high) == (None, error)


def test_amount_bounds_are_inclusive():
    assert fv.amount("10 000,00", min=1, max=10000) == (Decimal("10000.00"), None)


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        ("1234.5", f"1{NNBSP}234,50{NBSP}€"),
        ("0", f"0,00{NBSP}€"),
        ("999.999", f"1{NNBSP}000,00{NBSP}€"),
        ("1234567.89", f"1{NNBSP}234{NNBSP}567,89{NBSP}€"),
        ("-1234.5", f"-1{NNBSP}234,50{NBSP}€"),
    ],
)
def test_format_amount(amount, text):
    assert fv.format_amount(Decimal(amount)) == text


def test_a_formatted_amount_reads_back():
    assert fv.amount(fv.format_amount(Decimal("98765.43"))).value == Decimal("98765.43")


def test_format_number():
    assert fv.format_number(10000) == f"10{NNBSP}000"
    assert fv.format_number(999) == "999"


# date ---------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["2026-09-15", "15/09/2026", "15/9/2026", " 15/09/2026 ", "15.09.2026", "15-09-2026"])
def test_date_accepted(raw):
    assert fv.date_value(raw) == (date(2026, 9, 15), None)


@pytest.mark.parametrize(
    "raw", ["15/09/26", "2026-9-15", "15/09-2026", "le 15 septembre", "15092026", "09/2026", "0026-09-15", "15/09/3026"]
)
def test_date_refused_format(raw):
    assert fv.date_value(raw) == (None, "Saisissez une date valide, par exemple 15/09/2026")


@pytest.mark.parametrize("raw", ["31/02/2026", "2026-02-30", "15/13/2026", "00/01/2026"])
def test_date_that_does_not_exist(raw):
    assert fv.date_value(raw) == (None, "Cette date n'existe pas : vérifiez le jour et le mois, par exemple 15/09/2026")


def test_leap_day():
    assert fv.date_value("29/02/2028").value == date(2028, 2, 29)
    assert fv.date_value("29/02/2027").value is None


def test_format_date():
    assert fv.format_date(date(2026, 9, 5)) == "05/09/2026"
    assert fv.date_value(fv.format_date(date(1901, 7, 1))).value == date(1901, 7, 1)


# IBAN ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("FR76 3000 6000 0112 3456 7890 189", "FR7630006000011234567890189"),
        ("fr7630006000011234567890189", "FR7630006000011234567890189"),
        (f"FR76{NBSP}3000-6000{NNBSP}0112 3456 7890 189", "FR7630006000011234567890189"),
        ("FR14 2004 1010 0505 0001 3M02 606", "FR1420041010050500013M02606"),
        ("DE89 3704 0044 0532 0130 00", "DE89370400440532013000"),
    ],
)
def test_iban_accepted(raw, value):
    assert fv.iban(raw) == (value, None)


@pytest.mark.parametrize("raw", ["FR76 3000 6000 0112 3456 7890 188", "DE89 3704 0044 0532 0130 01", "FR1420041010050500013M02607"])
def test_iban_bad_check_digits(raw):
    assert fv.iban(raw) == (None, "Cet IBAN comporte une erreur : ses chiffres de contrôle ne correspondent pas. Vérifiez-le sur votre RIB")


@pytest.mark.parametrize("raw", ["12345", "3000 6000 0112 3456 7890 189", "FR76 3000 6000 0112 3456 7890 18!", "FRAB30006000011234567890189", "FR76"])
def test_iban_bad_format(raw):
    value, error = fv.iban(raw)
    assert value is None
    assert error.startswith("Saisissez un IBAN valide : 2 lettres (le pays)")


def test_french_iban_of_the_wrong_length():
    assert fv.iban("FR76 3000 6000 0112 3456 7890 1") == (
        None,
        "Un IBAN français compte 27 caractères, vous en avez saisi 25 : vérifiez-le sur votre RIB",
    )


def test_iban_of_a_country_without_iban():
    # Check digits right (computed for « ZZ »), but no such IBAN country.
    assert fv.iban("ZZ66 3000 6000 0112 3456 7890 189").error.startswith("Cet IBAN ne correspond pas au format des IBAN de son pays")


def test_format_iban():
    assert fv.format_iban("FR7630006000011234567890189") == "FR76 3000 6000 0112 3456 7890 189"


# email, telephone ---------------------------------------------------------


def test_email_normalised():
    assert fv.email("  Jean.Dupont@Exemple.FR ") == ("Jean.Dupont@exemple.fr", None)


@pytest.mark.parametrize("raw", ["jean.dupont", "jean@", "@exemple.fr", "jean dupont@exemple.fr", "jean@@exemple.fr"])
def test_email_refused(raw):
    assert fv.email(raw) == (None, "Saisissez une adresse électronique valide, par exemple prenom.nom@exemple.fr")


@pytest.mark.parametrize(
    ("raw", "value"),
    [("05 61 00 00 00", "05 61 00 00 00"), ("0561000000", "0561000000"), ("05.61.00.00.00", "05.61.00.00.00"), (" +33 5 61  00 00 00 ", "+33 5 61 00 00 00"), ("+33 (0)5", None)],
)
def test_telephone(raw, value):
    parsed = fv.telephone(raw)
    assert parsed.value == value
    assert (parsed.error is None) == (value is not None)


@pytest.mark.parametrize("raw", ["05 61 00 00", "05 61 00 00 00 00", "5 61 00 00 00", "06 12 34 56 7A", "+33", "téléphone"])
def test_telephone_refused(raw):
    assert fv.telephone(raw) == (None, "Saisissez un numéro de téléphone valide, par exemple 05 61 00 00 00 ou +33 5 61 00 00 00")


# choice, choices ----------------------------------------------------------

NIVEAUX = (("seconde", "Seconde"), ("premiere", "Première"), ("terminale", "Terminale"))


def test_choice_accepted():
    assert fv.choice("premiere", NIVEAUX) == ("premiere", None)


@pytest.mark.parametrize("raw", ["Première", "quatrieme", "premiere2"])
def test_choice_unknown(raw):
    assert fv.choice(raw, NIVEAUX) == (None, "Choisissez une option de la liste")


def test_choices_in_the_order_of_the_list_each_once():
    assert fv.choices(["terminale", "seconde", "terminale", ""], NIVEAUX) == (["seconde", "terminale"], None)


def test_choices_with_one_unknown_value():
    assert fv.choices(["seconde", "cm2"], NIVEAUX) == (None, "Choisissez une option de la liste")


# budget -------------------------------------------------------------------


def test_budget_totals():
    result = fv.budget_totals(
        [{"nature": "Transport", "montant": "1 200"}, {"nature": "Billets", "montant": "345,50 €"}],
        [{"origine": "Mairie", "montant": "200,25"}],
    )
    assert result == (Decimal("1545.50"), Decimal("200.25"), Decimal("1345.25"), {})
    assert result.net == Decimal("1345.25")


def test_budget_ignores_blank_lines():
    result = fv.budget_totals(
        [{"nature": "", "montant": " "}, {"nature": "Transport", "montant": "100"}, {}],
        [{"origine": None, "montant": None}],
    )
    assert result == (Decimal("100.00"), Decimal("0.00"), Decimal("100.00"), {})


def test_empty_budget():
    assert fv.budget_totals([], []) == (Decimal("0.00"), Decimal("0.00"), Decimal("0.00"), {})


def test_budget_line_errors_keyed_by_section_index_and_input():
    result = fv.budget_totals(
        [
            {"nature": "Transport", "montant": "100"},
            {"nature": "", "montant": "50"},
            {"nature": "Repas", "montant": ""},
            {"nature": "Billets", "montant": "beaucoup"},
        ],
        [{"origine": "", "montant": "10"}, {"origine": "Mairie", "montant": ""}, {"origine": "Département", "montant": "-5"}],
    )
    assert result.errors == {
        "depenses-1-nature": "Saisissez la nature de la dépense",
        "depenses-2-montant": "Saisissez le montant de la dépense",
        "depenses-3-montant": "Saisissez un montant en euros, en chiffres, par exemple 1 234,50",
        "recettes-0-origine": "Saisissez l'origine de la recette",
        "recettes-1-montant": "Saisissez le montant de la recette",
        "recettes-2-montant": "Le montant ne peut pas être négatif",
    }
    # Amounts that could be read count, so the totals follow what was typed.
    assert (result.total_depenses, result.total_recettes) == (Decimal("150.00"), Decimal("10.00"))


def test_budget_need_may_be_negative():
    result = fv.budget_totals([{"nature": "Transport", "montant": "100"}], [{"origine": "Mairie", "montant": "150"}])
    assert result.net == Decimal("-50.00")


@pytest.mark.parametrize(("seconds", "text"), [(72 * 3600, "72 heures"), (7200, "2 heures"), (3600, "60 minutes"), (1800, "30 minutes"), (60, "1 minute"), (5400, "90 minutes")])
def test_duration_text(seconds, text):
    assert fv.duration_text(seconds) == text
