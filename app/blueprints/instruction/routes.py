"""Back-office pages (agents only)."""

from flask import render_template

from app.blueprints.instruction import bp
from app.policy import can_access_back_office, permission_required


@bp.route("/")
@permission_required(can_access_back_office)
def home():
    return render_template("instruction/home.html")
