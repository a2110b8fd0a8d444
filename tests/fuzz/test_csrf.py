"""CSRF on, a few POST routes fuzzed with their token missing, wrong,
repeated, from another session, in the field or in the ``X-CSRFToken``
header (issue 12): never a 5xx; without the session's own token anywhere,
a 400 and nothing changed."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.conftest import csrf_token
from tests.fuzz.routes import SCENARIOS
from tests.fuzz.strategies import Post, Ref, fuzz_settings, hostile_values, send, url_of
from tests.support.organisations import lookup_config

pytestmark = pytest.mark.fuzz

ROUTES = (
    "/connexion",
    "/deconnexion",
    "wizard-dossier",
    "/demandes/<int:demande_id>/messages",
    "/instruction/demandes/<int:demande_id>/accepter",
)
CSRF_SCENARIOS = [scenario for scenario in SCENARIOS if scenario.name in ROUTES]

tokens = st.one_of([st.just(Ref("csrf"))] * 3 + [st.just(Ref("csrf_other")), hostile_values()])
header_values = st.one_of(
    st.none(), st.just(Ref("csrf")), st.just(Ref("csrf_other")), st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=80)
)


@pytest.fixture
def app_config(fake) -> dict:
    return {**lookup_config(fake), "WTF_CSRF_ENABLED": True}


@st.composite
def with_tokens(draw, posts):
    """A post with its ``csrf_token`` fields (0 to 3, anywhere) and maybe the header."""
    post = draw(posts)
    fields = [(name, value) for name, value in post.fields if name != "csrf_token"]
    for _ in range(draw(st.sampled_from((0, 1, 1, 1, 2, 3)))):
        fields.insert(draw(st.integers(0, len(fields))), ("csrf_token", draw(tokens)))
    header = draw(header_values)
    return Post(post.path_args, post.query, tuple(fields), post.encoding), header


def test_every_csrf_scenario_exists():
    assert sorted(s.name for s in CSRF_SCENARIOS) == sorted(ROUTES)


@pytest.mark.parametrize("scenario", CSRF_SCENARIOS, ids=lambda scenario: scenario.name)
@fuzz_settings
@given(data=st.data())
def test_a_wrong_csrf_token_is_a_400_never_a_5xx(world, scenario, mode, data):
    target = scenario.prepare(world)
    target.refs["csrf"] = csrf_token(target.client)
    target.refs["csrf_other"] = csrf_token(world.app.test_client())
    before = target.states(world)
    post, header = data.draw(with_tokens(scenario.posts(world)), label="post and X-CSRFToken")
    headers = {**mode.headers, **({"X-CSRFToken": header} if header is not None else {})}
    response = send(target.client, scenario.rule, post, target.refs, headers)
    assert response.status_code < 500, (url_of(scenario.rule, post, target.refs), response.status_code)
    sent = [value for name, value in post.fields if name == "csrf_token"] + [header]
    real_url = all(isinstance(value, Ref) for value in post.path_args.values())  # otherwise no route may match: no CSRF check
    if Ref("csrf") not in sent and real_url:
        refused = response.status_code == 400 and response.headers.get("X-Portail-Erreur") == "csrf"
        assert refused or response.status_code == 413, response.status_code  # 413: a body too large to read the token from
        assert target.states(world) == before
    world.check_demandes(before)
