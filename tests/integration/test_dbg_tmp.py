import re
from tests.integration.test_messages import *
def test_dbg(world, teacher_client):
    app, demande, referent, teacher, agent = world
    agent_says(demande, agent, "Premier message de la Région.")
    text = page_text(teacher_client.get(f"/demandes/{demande.id}/fil-de-discussion").get_data(as_text=True))
    i = text.index("Premier message de")
    print(repr(text[i-200:i+50]))
    assert 0
