"""« Choix du téléservice »: the téléservices a usager can file, searched by
text and filtered by famille de tiers (by default the famille of the
structure the account works for). The list filters as one types with htmx;
without JavaScript the same GET form does it. Whether a téléservice can be
started is ``can_start_reason``'s answer (the rule lives in the domain)."""

import unicodedata
from dataclasses import dataclass

from flask import render_template, request
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice

from app.blueprints.depot import bp
from app.blueprints.structure.current import current_membership
from app.domain.demandes import can_start_reason
from app.extensions import db
from app.models import FamilleTiers, Teleservice
from app.models.types import utcnow
from app.policy import can_use_espace_personnel, permission_required
from app.teleservices.schema import TeleserviceDefinition
from app.validators import strip

FAMILLE_CHOICES = [SelectChoice(f.value, f.label) for f in FamilleTiers]
STATE_ORDER = {"ouvert": 0, "a_venir": 1, "clos": 2}


class CatalogueSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form

    q = StringField("Recherche par téléservice", filters=[strip])
    famille = SelectField("Filtrer par famille de tiers", choices=FAMILLE_CHOICES)


@dataclass(frozen=True)
class CatalogueEntry:
    """One téléservice as the catalogue shows it to this account."""

    code: str
    definition: TeleserviceDefinition
    state: str  # ouvert | a_venir | clos (what the card says)
    refusal: str | None  # why this account cannot start it now; None: it can

    @property
    def can_start(self) -> bool:
        return self.refusal is None

    @property
    def familles_text(self) -> str:
        return ", ".join(FamilleTiers(f).label for f in self.definition.familles)


def _folded(text: str) -> str:
    """Lower case without accents: « lycee » finds « Lycée »."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _matches(definition: TeleserviceDefinition, code: str, words: list[str]) -> bool:
    haystack = _folded(f"{code} {definition.titre} {definition.description}")
    return all(word in haystack for word in words)


def _state(definition: TeleserviceDefinition, today) -> str:
    if today < definition.ouverture:
        return "a_venir"
    if today > definition.cloture:
        return "clos"
    return "ouvert"


def catalogue_entries(own_famille: str, query: str, famille: str, today) -> list[CatalogueEntry]:
    """The téléservices matching the search: those this account can start
    first, then the other open ones, those to come, the closed ones; each
    group by title."""
    words = _folded(query).split()
    teleservices = db.session.scalars(select(Teleservice).options(selectinload(Teleservice.versions)))
    entries = []
    for teleservice in teleservices:
        if teleservice.current_version is None:
            continue
        definition = teleservice.current_version.definition
        if famille and not definition.admits(famille):
            continue
        if words and not _matches(definition, teleservice.code, words):
            continue
        entries.append(
            CatalogueEntry(
                code=teleservice.code,
                definition=definition,
                state=_state(definition, today),
                refusal=can_start_reason(teleservice, own_famille, today),
            )
        )
    return sorted(entries, key=lambda e: (not e.can_start, STATE_ORDER[e.state], _folded(e.definition.titre)))


@bp.route("/teleservices")
@permission_required(can_use_espace_personnel)
def catalogue():
    membership = current_membership()
    # An account without structure files as a particulier (as start_demande does).
    own_famille = membership.structure.famille if membership else FamilleTiers.PARTICULIER.value
    form = CatalogueSearchForm(request.args)
    # No « famille » in the address: the structure's own; « » (Toutes les familles): no filter.
    famille = request.args.get("famille", own_famille)
    form.famille.data = famille if famille in FamilleTiers._value2member_map_ else ""
    entries = catalogue_entries(own_famille, form.q.data or "", form.famille.data, utcnow().date())
    return render_template(
        "depot/catalogue.html",
        form=form,
        entries=entries,
        own_famille_label=FamilleTiers(own_famille).label,
    )
