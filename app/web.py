"""Helpers every blueprint uses to answer both normal and htmx requests.

A normal request gets a full page; an htmx request (``HX-Request`` set and
not boosted) gets only the page's content, which htmx swaps into
``#main-content``. Success redirects are 303 for browsers and
``HX-Redirect`` for htmx (a full navigation, so history and focus start
fresh); invalid forms answer 422.
"""

from flask import make_response, redirect, render_template, request
from flask_login import current_user

from app.domain.base import OperationContext


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def layout_template() -> str:
    return "layouts/fragment.html" if is_htmx() else "layouts/base.html"


def redirect_to(url: str):
    if is_htmx():
        response = make_response("", 200)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, code=303)


def render_invalid(template: str, **context):
    """Re-render a form with its errors (and what the user typed) as 422."""
    return render_template(template, **context), 422


def operation_context() -> OperationContext:
    actor = current_user._get_current_object() if current_user.is_authenticated else None
    return OperationContext(actor=actor, ip=request.remote_addr)


def form_errors_to_fields(form, error) -> None:
    """Attach a domain error to its form field (or the form) so the template
    shows it next to the field and in the error summary."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message] if isinstance(field.errors, list) else [error.message]
    else:
        form.form_errors.append(error.message)


def safe_next_url(target: str | None) -> str | None:
    """Only a path on this site (no scheme, no host, no ``//``) may be a
    redirect target after login."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(c) < 32 for c in target):
        return None
    return target

