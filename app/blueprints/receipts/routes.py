"""« Vérifier un accusé de réception » (public) and the receipt's download."""

from flask import abort, render_template
from flask_login import login_required

from app.blueprints.common import limits
from app.blueprints.common.access import load_demande
from app.blueprints.common.downloads import send_stored
from app.blueprints.receipts import bp
from app.blueprints.receipts.forms import VerifyForm
from app.domain import files
from app.domain.demandes import receipts


@bp.route("/verification", methods=["GET", "POST"])
@limits.fixed("30 per hour", methods=["POST"])
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
                result = receipts.check_pdf(upload.read(), files.safe_download_name(upload.filename))
            except receipts.InvalidUpload as error:
                form.fichier.errors = [str(error)]
    status = 422 if form.errors else 200
    fingerprint = receipts.format_fingerprint(result.receipt.content_fingerprint) if result and result.conforme else None
    return render_template("receipts/verify.html", form=form, result=result, fingerprint=fingerprint), status


@bp.route("/demandes/<int:demande_id>/accuse-de-reception.pdf")
@login_required
@load_demande
def download(demande):
    """The receipt as issued, to those who may see the demande (404 to
    anyone else, and when the demande has none yet)."""
    receipt = receipts.latest_receipt(demande)
    if receipt is None:
        abort(404)
    return send_stored(receipt.stored_name, mimetype="application/pdf", download_name=f"accuse-de-reception-{demande.reference}.pdf")
