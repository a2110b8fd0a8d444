"""Routes of « Suivre mes demandes d'aide »."""

from flask import flash, render_template, request, url_for
from flask_login import current_user

from app import policy
from app.blueprints.common.access import allowed_or_403, load_demande, permission_required, unless_done
from app.blueprints.common.current_structure import current_membership
from app.blueprints.common.downloads import send_document
from app.blueprints.common.responses import form_page, operation_context, redirect_to
from app.blueprints.common.threads import thread_view
from app.blueprints.suivi import bp
from app.blueprints.suivi.forms import ListForm, SendBackForm, TakeOverForm, TransmitForm
from app.domain import audit, messages
from app.domain.demandes import authorship, queries, receipts, transmission
from app.domain.wizard.display import recap_sections
from app.models import Action


@bp.route("")
@permission_required(policy.can_use_espace_personnel)
def mine():
    """« Suivre mes demandes d'aide »: filter by status, sort by column, pages."""
    form = ListForm(request.args)
    page = queries.applicant_list(
        current_user,
        current_membership(),
        statut=form.statut.data or None,
        sort=form.tri.data or queries.DEFAULT_APPLICANT_SORT,
        ascending=form.ordre.data == "asc",
        page=request.args.get("page", 1, type=int),
    )
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "suivi/list.html",
        form=form,
        page=page,
        page_url=lambda n: url_for("suivi.mine", page=n, **args),
        can_edit=lambda d: policy.can_edit_demande(current_user, d),
        beneficiary=queries.beneficiary_name,
        unread=messages.unread_by_demande(current_user, [d.id for d in page.items]),
    )


@bp.route("/<int:demande_id>")
@permission_required(policy.can_use_espace_personnel)
@load_demande
def demande(demande):
    """The demande: status, dated history, answers, documents, accusé de réception."""
    return render_template(
        "suivi/demande.html",
        demande=demande,
        recap=recap_sections(demande),
        history=audit.demande_history(demande, for_agents=False),
        receipt=receipts.latest_receipt(demande),
        can_edit=policy.can_edit_demande(current_user, demande),
        can_transmit=policy.can_transmit(current_user, demande),
        can_take_over=policy.can_take_over(current_user, demande),
        beneficiary=queries.beneficiary_name(demande),
        document_note=queries.document_note,
        view=thread_view(demande),
    )


@bp.route("/<int:demande_id>/documents/<int:attachment_id>")
@permission_required(policy.can_use_espace_personnel)
@load_demande
def document(demande, attachment_id):
    """A document, only to those who may see the demande, as an attachment."""
    return send_document(demande, attachment_id)


def _back_to_demande(demande, message: str):
    def done(_result):
        flash(message, "success")
        return redirect_to(url_for("suivi.demande", demande_id=demande.id))

    return done


@bp.route("/<int:demande_id>/transmettre", methods=["GET", "POST"])
@permission_required(policy.can_use_espace_personnel)
@load_demande
@unless_done(Action.TRANSMETTRE, "suivi.demande")
def transmit(demande):
    """« Transmettre à la Région » after the Conseil d'Administration."""
    allowed_or_403(policy.can_transmit(current_user, demande))
    return form_page(
        TransmitForm(),
        "suivi/transmit.html",
        lambda form: transmission.transmit(operation_context(), demande, ca_date=form.ca_date.parsed, pv=form.pv.data),
        _back_to_demande(
            demande, f"La demande {demande.reference} est transmise à la Région. L'accusé de réception a été envoyé par courriel."
        ),
        check=lambda form: transmission.transmission_problems(demande, ca_date=form.ca_date.parsed, pv=form.pv.data),
        demande=demande,
    )


@bp.route("/<int:demande_id>/renvoyer", methods=["GET", "POST"])
@permission_required(policy.can_use_espace_personnel)
@load_demande
def send_back(demande):
    """« Renvoyer à l'auteur pour modification »."""
    allowed_or_403(policy.can_send_back(current_user, demande))
    return form_page(
        SendBackForm(),
        "suivi/send_back.html",
        lambda form: transmission.send_back(operation_context(), demande, form.message.data),
        _back_to_demande(demande, "La demande est renvoyée à son auteur, qui a été prévenu par courriel."),
        demande=demande,
    )


@bp.route("/<int:demande_id>/confier", methods=["GET", "POST"])
@permission_required(policy.can_use_espace_personnel)
@load_demande
def take_over(demande):
    """« Confier la demande » of an author who left the structure to a member."""
    allowed_or_403(policy.can_take_over(current_user, demande))
    members = authorship.candidates(demande)
    return form_page(
        TakeOverForm(members),
        "suivi/take_over.html",
        lambda form: authorship.take_over(operation_context(), demande, int(form.auteur.data)),
        _back_to_demande(demande, "La demande est confiée ; son nouvel auteur peut la reprendre."),
        demande=demande,
    )
