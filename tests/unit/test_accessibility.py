"""The déclaration d'accessibilité's values as the page and the footer say them."""

from datetime import date
from decimal import Decimal

import pytest

from app.domain import accessibility
from app.domain.accessibility import AccessibilityConfigurationError


@pytest.mark.parametrize(
    ("status", "label"),
    [("non_conforme", "non conforme"), ("partiellement_conforme", "partiellement conforme"), ("totalement_conforme", "totalement conforme")],
)
def test_each_status_has_its_french_label(status, label):
    assert accessibility.status_label(status) == label
    assert accessibility.footer_label(status) == f"Accessibilité : {label}"


def test_an_unknown_status_has_no_label():
    with pytest.raises(AccessibilityConfigurationError, match="état de conformité inconnu « conforme »"):
        accessibility.footer_label("conforme")


def test_the_default_is_non_conforme_with_the_users_documents_exempt():
    found = accessibility.declaration({})
    assert found.status == "non_conforme" and found.label == "non conforme" and not found.audited
    assert found.sampled_pages == accessibility.DEFAULT_SAMPLE
    assert found.exempt_contents == accessibility.DEFAULT_EXEMPT_CONTENTS
    assert found.non_conformities == () and found.derogations == () and found.test_environment == ()


@pytest.mark.parametrize(("rate", "text"), [(Decimal("87.5"), "87,5\u00a0%"), (Decimal(100), "100\u00a0%"), (Decimal("50.00"), "50\u00a0%")])
def test_rates_are_written_the_french_way(rate, text):
    assert accessibility.format_rate(rate) == text


@pytest.mark.parametrize(("value", "text"), [(date(2026, 3, 1), "1er mars 2026"), (date(2026, 8, 15), "15 août 2026")])
def test_dates_are_written_in_full(value, text):
    assert accessibility.format_long_date(value) == text


def test_a_rate_may_be_written_with_a_comma_or_a_percent_sign():
    config = {"ACCESSIBILITY_AUDIT_DATE": "2026-02-20", "ACCESSIBILITY_CONFORMITY_RATE": "42,5 %"}
    assert accessibility.declaration(config).rate == Decimal("42.5")
