"""Forms of the back office's « Demandes » list: the filters (a GET form,
every value in the URL) and the bulk actions on a selection."""

from urllib.parse import parse_qsl, urlsplit

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from app.blueprints.common.fields import FrenchDateField
from app.blueprints.common.validators import ValueRule, strip
from app.domain import values
from app.domain.demandes.backoffice_list import DEFAULT_SORT, SORTS, UNASSIGNED, Filters, Sort
from app.domain.demandes.bulk import BULK_ACTIONS
from app.models import FamilleTiers
from app.models.lifecycle import BACK_OFFICE_STATUSES

STATUT_CHOICES = [SelectChoice(s.value, s.label) for s in BACK_OFFICE_STATUSES]
FAMILLE_CHOICES = [SelectChoice(f.value, f.label) for f in FamilleTiers]
SORT_CHOICES = [SelectChoice(name, spec.label) for name, spec in SORTS.items()]
ORDER_CHOICES = [SelectChoice("desc", "Décroissant"), SelectChoice("asc", "Croissant")]
# The most demandes one bulk action takes (a page holds 25).
MAX_SELECTION = 100


def _choice_values(field) -> set[str]:
    return {str(choice.value) for choice in field.choices}


class DemandeListForm(FlaskForm):
    """The filters and the sort. A value that is not one of a select's
    choices (an old link, a hand-edited URL) is ignored rather than refused;
    dates are checked and explained at their field."""

    class Meta:
        csrf = False  # a GET filter

    q = StringField("Rechercher", filters=[strip], validators=[Optional(), Length(max=100, message="100 caractères au maximum")])
    teleservice = SelectField("Téléservice", validate_choice=False)
    statut = SelectField("Statut", choices=STATUT_CHOICES, validate_choice=False)
    famille = SelectField("Famille de tiers", choices=FAMILLE_CHOICES, validate_choice=False)
    agent = SelectField("Agent", validate_choice=False)
    structure = HiddenField()
    du = FrenchDateField("Transmise à partir du", filters=[strip])
    au = FrenchDateField("Transmise jusqu'au", filters=[strip])
    inchangee = StringField("Sans changement depuis plus de (jours)", filters=[strip], validators=[Optional(), ValueRule(values.day_count)])
    tri = SelectField("Trier par", choices=SORT_CHOICES, validate_choice=False, default=DEFAULT_SORT)
    ordre = SelectField("Ordre", choices=ORDER_CHOICES, validate_choice=False, default="desc")

    def set_choices(self, teleservice_titles: dict[str, str], agents) -> None:
        self.teleservice.choices = [SelectChoice(code, title) for code, title in teleservice_titles.items()]
        self.agent.choices = [SelectChoice(UNASSIGNED, "Non attribuées")] + [
            SelectChoice(str(a.id), a.display_name + ("" if a.is_active else " (désactivé)")) for a in agents
        ]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.du.parsed and self.au.parsed and self.au.parsed < self.du.parsed and not self.au.errors:
            self.au.errors.append("La date de fin doit être la même que la date de début ou après")
            valid = False
        return valid

    def _chosen(self, field) -> str | None:
        return field.data if field.data and str(field.data) in _choice_values(field) else None

    def filters(self) -> Filters:
        agent = self._chosen(self.agent)
        structure = self.structure.data or ""
        return Filters(
            teleservice=self._chosen(self.teleservice),
            statut=self._chosen(self.statut),
            structure_id=values.row_number(structure),
            famille=self._chosen(self.famille),
            agent=values.row_number(agent) or agent,
            du=self.du.parsed if not self.du.errors else None,
            au=self.au.parsed if not self.au.errors else None,
            q=self.q.data or None,
            inchangee=int(self.inchangee.data) if self.inchangee.data and not self.inchangee.errors else None,
        )

    def sort(self) -> Sort:
        return Sort(self._chosen(self.tri) or DEFAULT_SORT, self.ordre.data != "asc")

    @property
    def has_filters(self) -> bool:
        filters = self.filters()
        return any(getattr(filters, name) not in (None, "") for name in filters.__dataclass_fields__)




def list_args(url: str | None) -> MultiDict:
    """The filters of a list URL (the page a bulk action came from); anything
    but the list itself gives no filter."""
    if not url:
        return MultiDict()
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or parts.path != "/instruction/demandes":
        return MultiDict()
    return MultiDict(parse_qsl(parts.query))


class BulkActionForm(FlaskForm):
    """An action on the demandes checked in the list (ids in ``demande``),
    first shown for confirmation, then applied."""

    demande = SelectMultipleField("Demandes sélectionnées", validate_choice=False)
    action = HiddenField()
    agent_id = SelectField("Attribuer à", validate_choice=False)
    # The list the agent came from (its filters), to go back to.
    retour = HiddenField()

    def set_agents(self, agents) -> None:
        self.agent_id.choices = [SelectChoice(str(a.id), a.display_name) for a in agents]

    @property
    def ids(self) -> list[int]:
        seen = dict.fromkeys(n for n in (values.row_number(v) for v in self.demande.data or []) if n is not None)
        return list(seen)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.action.data not in BULK_ACTIONS:
            self.form_errors.append("Choisissez une action : « M'attribuer », « Attribuer à » ou « Passer en instruction »")
            valid = False
        if not self.ids:
            self.demande.errors = ["Sélectionnez au moins une demande"]
            valid = False
        elif len(self.ids) > MAX_SELECTION:
            self.demande.errors = [f"Sélectionnez au plus {MAX_SELECTION} demandes"]
            valid = False
        if self.action.data == "attribuer" and str(self.agent_id.data or "") not in _choice_values(self.agent_id):
            self.agent_id.errors = ["Choisissez l'agent à qui attribuer les demandes"]
            valid = False
        return valid

    @property
    def action_label(self) -> str:
        action = BULK_ACTIONS.get(self.action.data)
        return action.label if action else ""
