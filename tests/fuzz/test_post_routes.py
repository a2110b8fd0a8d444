"""Every POST route, fuzzed (issue 12): whatever is posted — fields missing,
repeated, huge, of the wrong type, unicode edge cases, bytes that are not
UTF-8, ids no row can have — with and without ``HX-Request``, the answer is
never a 5xx, and no demande touched stores answers of a wrong shape nor
stops opening (every wizard page, the récapitulatif, the suivi page).

``FUZZ_EXAMPLES`` examples per route and per mode (the default keeps CI
short; a long run sets e.g. ``FUZZ_EXAMPLES=1000``); the examples are the
same on every run (derandomized)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.routes import FUZZ_TABLE, SCENARIOS
from tests.fuzz.strategies import fuzz_settings, send, url_of

pytestmark = pytest.mark.fuzz


def test_every_post_route_is_fuzzed(app):
    """A POST rule without an entry in the fuzz table (a new route) fails
    here, and so does an entry that names no rule any more."""
    rules = {rule.rule for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    assert rules - set(FUZZ_TABLE) == set(), "POST routes without fuzzing: add them to tests/fuzz/routes.py"
    assert set(FUZZ_TABLE) - rules == set(), "the fuzz table names routes that do not exist"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda scenario: scenario.name)
@fuzz_settings
@given(data=st.data())
def test_no_post_answers_5xx_nor_breaks_a_demande(world, scenario, mode, data):
    target = scenario.prepare(world)
    before = target.states(world)
    post = data.draw(scenario.posts(world), label="post")
    response = send(target.client, scenario.rule, post, target.refs, mode.headers)
    assert response.status_code < 500, (url_of(scenario.rule, post, target.refs), response.status_code)
    world.check_demandes(before)
