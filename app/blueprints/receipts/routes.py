"""« Vérifier un accusé de réception » (public) and the receipt's download."""

from flask import abort, current_app, render_template, send_file
from flask_login import current_user, login_required

from app import attachments, receipts
from app.blueprints.receipts import bp
from app.blueprints.receipts.forms import VerifyForm
from app.extensions import db, limiter
from app.models import Demande
from app.policy import can_view_demande


@bp.route("/verification", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def verify():
    """Anyone (the council, the applicant, a third party) uploads a PDF and
    learns whether it is, byte for byte, a receipt the portal issued. Says
    nothing about any demande unless the file is one of its receipts."""
    form = VerifyForm()
    result = None
    if form.validate_on_submit():
        upload = form.fichier.data
        if upload is None or not upload.filename:
            form.fichier.errors = ["Choisissez l'accusé de réception à vérifier (fichier PDF)"]
        else:
            try:
                result = receipts.check_pdf(upload.read(), attachments.safe_download_name(upload.filename))
            except receipts.InvalidUpload as error:
                form.fichier.errors = [str(error)]
    status = 422 if form.errors else 200
    fingerprint = receipts.format_fingerprint(result.receipt.content_fingerprint) if result and result.conforme else None
    return render_template("receipts/verify.html", form=form, result=result, fingerprint=fingerprint), status


@bp.route("/demandes/<int:demande_id>/accuse-de-reception.pdf")
@login_required
def download(demande_id):
    """The receipt as issued, to those who may see the demande (404 to
    anyone else, and when the demande has none yet)."""
    demande = db.session.get(Demande, demande_id)
    if demande is None or not can_view_demande(current_user, demande):
        abort(404)
    receipt = receipts.latest_receipt(demande)
    if receipt is None:
        abort(404)
    return send_file(
        attachments.open_stored(attachments.attachments_directory(current_app), receipt.stored_name),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"accuse-de-reception-{demande.reference}.pdf",
    )
