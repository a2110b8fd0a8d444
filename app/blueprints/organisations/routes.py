"""The look-up block's htmx endpoint and « Rechercher une organisation »
(agents): the block, then the organisation form it fills."""

from flask import render_template, url_for

from app import reference
from app.blueprints.common.access import permission_required
from app.blueprints.common.lookup import LookupPanel
from app.blueprints.common.responses import is_htmx, safe_next_url
from app.blueprints.organisations import bp
from app.blueprints.organisations.forms import OrganisationDetailsForm
from app.domain import organisations
from app.policy import can_access_back_office, can_lookup_organisations


def _search_page(panel: LookupPanel, form: OrganisationDetailsForm, chosen=None, status=200):
    demo = organisations.demo_identifiers() if organisations.service().uses_sandbox else {}
    return (
        render_template(
            "organisations/search.html",
            panel=panel,
            form=form,
            chosen=chosen,
            demo_identifiers=demo,
            page_errors=panel.form.errors,
        ),
        status,
    )


def _retained_rows(form: OrganisationDetailsForm) -> list[tuple[str, str | None]]:
    def coded(code, label):
        return f"{code} – {label(code)}" if code else None

    return [
        ("Raison sociale", form.raison_sociale.data),
        ("Sigle", form.sigle.data),
        ("SIRET", form.siret.data),
        ("N° RNA", form.rna.data),
        ("Adresse", form.adresse.data),
        ("Code postal", form.code_postal.data),
        ("Commune", form.commune.data),
        ("Code NAF", coded(form.naf_code.data, reference.naf_label)),
        ("Forme juridique", coded(form.forme_juridique_code.data, reference.forme_juridique_label)),
    ]


@bp.route("/recherche", methods=["GET", "POST"])
@permission_required(can_access_back_office)
def search():
    panel = LookupPanel.from_request()
    if panel.handled:
        record = panel.chosen.record if panel.chosen else None
        data = {**organisations.prefill_from(record), "lookup_key": panel.chosen.choice_value} if record else {}
        form = OrganisationDetailsForm(formdata=None, data=data)
        return _search_page(panel, form, panel.chosen, status=422 if panel.form.errors else 200)
    form = OrganisationDetailsForm()
    chosen = organisations.chosen(form.lookup_key.data) if form.lookup_key.data else None
    chosen = chosen if chosen is not None and chosen.can_be_chosen else None
    if form.validate_on_submit():
        snapshot = organisations.snapshot_for(form.data, chosen.record if chosen else None)
        record = chosen.record if organisations.is_verified(snapshot) else None
        return render_template("organisations/retained.html", rows=_retained_rows(form), record=record)
    return _search_page(panel, form, chosen, status=422 if form.is_submitted() else 200)


@bp.route("/recherche/resultat", methods=["GET", "POST"])
@permission_required(can_lookup_organisations)
def lookup_result():
    """The block alone, for htmx: with its result card after « Rechercher »
    (POST), or re-rendered for the kind chosen when the radio changes (GET,
    no look-up). A normal request gets the « Rechercher une organisation » page."""
    panel = LookupPanel.from_request()
    status = 422 if panel.form.errors else 200
    if not is_htmx():
        return _search_page(panel, OrganisationDetailsForm(formdata=None), status=status)
    target_url = safe_next_url(panel.form.target.data) or url_for(".search")
    return render_template("organisations/partials/lookup_block.html", panel=panel, target_url=target_url), status
