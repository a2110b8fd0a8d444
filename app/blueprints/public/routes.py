"""Public pages (no login)."""

from flask import current_app, render_template
from flask_login import current_user

from app import policy
from app.blueprints.public import bp
from app.blueprints.public.site_map import site_map
from app.domain import accessibility


@bp.route("/")
def home():
    return render_template("public/home.html")


@bp.route("/accessibilite")
def accessibilite():
    return render_template(
        "public/accessibilite.html",
        declaration=accessibility.declaration(current_app.config),
        long_date=accessibility.format_long_date,
        rate=accessibility.format_rate,
        accessibility=accessibility,
    )


@bp.route("/plan-du-site")
def plan_du_site():
    return render_template("public/plan_du_site.html", sections=site_map(current_user, policy))


@bp.route("/mentions-legales")
def mentions_legales():
    return render_template("public/mentions_legales.html")


@bp.route("/donnees-personnelles")
def donnees_personnelles():
    return render_template("public/donnees_personnelles.html")


@bp.route("/assistance")
def assistance():
    return render_template("public/assistance.html")
