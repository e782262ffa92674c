"""The elder's contacts page: a form for staff of the elder's center (CSRF, audited)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFProtect

from backend.dashboard import contacts_texts
from backend.dashboard.guard import protect
from backend.domain.contacts import MAX_CONTACTS, ContactsInvalid
from backend.domain.errors import NotFound
from backend.domain.model import StaffUser
from backend.services import contacts
from backend.services.context import Services

ROWS = 3  # emergency contact rows shown on the form (up to MAX_CONTACTS are accepted)


def _me() -> StaffUser:
    return current_user.user


def _label(field: str) -> str:
    if field.startswith("emergency-"):
        _, index, part = field.split("-")
        what = {"name": contacts_texts.NAME, "phone": contacts_texts.PHONE}
        row = contacts_texts.EMERGENCY_ROW.format(n=int(index) + 1)
        return f"{row}の{what.get(part, contacts_texts.RELATION)}"
    return contacts_texts.LABELS.get(field, field)


def messages_of(problems: dict[str, str]) -> dict[str, str]:
    """Return the Japanese message of each problem, by field."""
    found = {}
    for field, code in problems.items():
        if field == "consented" and code == "required":
            found[field] = contacts_texts.CONSENT_REQUIRED
        else:
            found[field] = contacts_texts.ERRORS[code].format(label=_label(field))
    return found


def _form_of(values: Any) -> contacts.ContactsForm:
    rows = [
        (
            values.get(f"emergency-{i}-name", ""),
            values.get(f"emergency-{i}-relation", ""),
            values.get(f"emergency-{i}-phone", ""),
        )
        for i in range(MAX_CONTACTS)
    ]
    return contacts.ContactsForm(
        phone=values.get("phone", ""),
        address=values.get("address", ""),
        emergency=rows,
        key_holder=values.get("key_holder", ""),
        minsei_name=values.get("minsei_name", ""),
        minsei_phone=values.get("minsei_phone", ""),
        consented=values.get("consented") == "y",
    )


def create_contacts_blueprint(services: Services, csrf: CSRFProtect) -> Blueprint:
    """Return the blueprint of ``/elders/<elder_id>/contacts``."""
    bp = Blueprint("contacts", __name__, template_folder="templates")
    protect(bp, csrf)

    def _page(elder_id: str, values: dict[str, Any], errors: dict[str, str], status: int) -> Any:
        try:
            elder = contacts.elder_of(services, _me(), elder_id)
        except NotFound:
            abort(404)
        rows = max(ROWS, len([k for k in values if k.endswith("-name") and values[k]]))
        return render_template(
            "dashboard/contacts.html",
            elder=elder,
            values=values,
            errors=errors,
            rows=min(rows, MAX_CONTACTS),
            contacts_texts=contacts_texts,
        ), status

    @bp.get("/elders/<elder_id>/contacts")
    @login_required
    def contacts_form(elder_id: str) -> Any:
        try:
            found = contacts.view(services, _me(), elder_id, "edit")
        except NotFound:
            abort(404)
        values: dict[str, Any] = {}
        if found is not None:
            values = {
                "phone": found.phone,
                "address": found.address,
                "key_holder": found.key_holder,
                "minsei_name": found.minsei_name,
                "minsei_phone": found.minsei_phone,
                "consented": "y",
            }
            for i, c in enumerate(found.emergency):
                values |= {
                    f"emergency-{i}-name": c.name,
                    f"emergency-{i}-relation": c.relation,
                    f"emergency-{i}-phone": c.phone,
                }
        return _page(elder_id, values, {}, 200)

    @bp.post("/elders/<elder_id>/contacts")
    @login_required
    def save_contacts(elder_id: str) -> Any:
        try:
            contacts.save(services, _me(), elder_id, _form_of(request.form))
        except NotFound:
            abort(404)
        except ContactsInvalid as err:
            errors = messages_of(err.problems)
            flash(contacts_texts.PROBLEMS.format(count=len(errors)), "error")
            return _page(elder_id, request.form.to_dict(), errors, 400)
        flash(contacts_texts.SAVED, "info")
        return redirect(url_for("dashboard.elder", elder_id=elder_id) + "#contacts")

    return bp
