"""Public pages (no login)."""

from flask import render_template

from app.blueprints.public import bp


@bp.route("/")
def home():
    return render_template("public/home.html")


@bp.route("/accessibilite")
def accessibilite():
    return render_template("public/accessibilite.html")


@bp.route("/mentions-legales")
def mentions_legales():
    return render_template("public/mentions_legales.html")


@bp.route("/donnees-personnelles")
def donnees_personnelles():
    return render_template("public/donnees_personnelles.html")


@bp.route("/assistance")
def assistance():
    return render_template("public/assistance.html")
