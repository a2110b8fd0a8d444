"""Answering both normal and htmx requests, and the shape of a form page.

A normal request gets a full page; an htmx request (``HX-Request`` set and
not boosted) gets only the page's content, which htmx swaps into
``#main-content``. Success redirects are 303 for browsers and
``HX-Redirect`` for htmx (a full navigation, so history and focus start
fresh); invalid forms answer 422 with every error and what was typed.
"""

from collections.abc import Callable, Mapping

from flask import make_response, redirect, render_template, request
from flask_login import current_user

from app.domain.base import DomainError, OperationContext


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


def show_error(form, error: DomainError) -> None:
    """Attach a domain refusal (every error it carries) to its form fields
    (or the form) so the template shows each next to its field and in the
    error summary."""
    show_errors(form, {field: [message] for field, message in error.errors.items()})


def show_errors(form, errors: Mapping[str | None, list[str] | str]) -> None:
    """Attach errors (``{field name: messages}``; None or an unknown name: the
    whole form) to a WTForms form, after those it already has."""
    for name, messages in errors.items():
        messages = [messages] if isinstance(messages, str) else list(messages)
        field = getattr(form, name, None) if name else None
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, *messages] if isinstance(field.errors, list) else messages
        else:
            form.form_errors.extend(messages)


def form_page(form, template: str, apply: Callable, on_success: Callable, check: Callable | None = None, **context):
    """The shape of every form page: a GET shows the form; a valid POST runs
    ``apply(form)`` (a domain operation) and answers ``on_success(result)``
    (a redirect); a refusal (``DomainError``) goes to its fields and, like an
    invalid form, re-renders everything typed with status 422.

    ``check(form)``: the domain's own checks of what was typed
    (``{field: message}``, nothing changed), run with the form's, so that
    every error comes in one round — a field that already has an error keeps
    only that one."""
    if form.is_submitted():
        valid = form.validate()
        problems = {name: message for name, message in (check(form) if check else {}).items() if not _has_errors(form, name)}
        show_errors(form, {name: [message] for name, message in problems.items()})
        if valid and not problems:
            try:
                result = apply(form)
            except DomainError as error:
                show_error(form, error)
            else:
                return on_success(result)
    return render_template(template, form=form, **context), 422 if form.is_submitted() else 200


def _has_errors(form, name: str | None) -> bool:
    field = getattr(form, name, None) if name else None
    return bool(field is not None and getattr(field, "errors", None))


def confirmation_page(template: str, apply: Callable, on_success: Callable, **context):
    """A confirmation page (GET), then the change it confirms (POST, CSRF
    checked by CSRFProtect): ``apply()`` and ``on_success(result)``; a
    refusal is shown on the page, status 422."""
    error = None
    if request.method == "POST":
        try:
            result = apply()
        except DomainError as refusal:
            error = refusal.message
        else:
            return on_success(result)
    page = render_template(template, error=error, page_errors=[error] if error else [], **context)
    return page, 422 if error else 200


def safe_next_url(target: str | None) -> str | None:
    """Only a path on this site (no scheme, no host, no ``//``) may be a
    redirect target after login."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(c) < 32 for c in target):
        return None
    return target
