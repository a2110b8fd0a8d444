"""« Choix du téléservice »: the téléservices a usager can file, searched by
text and filtered by famille de tiers (by default the famille of the
structure the account works for). The list filters as one types with htmx;
without JavaScript the same GET form does it. Which téléservices match and
whether each can be started is the domain's answer
(``app.domain.teleservices.catalogue_entries``)."""

from flask import render_template, request

from app.blueprints.common.access import permission_required
from app.blueprints.common.current_structure import current_membership
from app.blueprints.depot import bp
from app.blueprints.depot.forms import CatalogueSearchForm
from app.domain.teleservices import catalogue_entries
from app.models import FamilleTiers
from app.models.types import utcnow
from app.policy import can_use_espace_personnel


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
    return render_template("depot/catalogue.html", form=form, entries=entries, own_famille_label=FamilleTiers(own_famille).label)
