"""The elder page's management routes: speaker pairing, family on LINE, question times.

Every route is under ``/elders/<elder_id>/``: an elder outside the staff member's scope is a
404 like an unknown one, every form carries a CSRF token, and every view and change is
audited by the services.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # types-WTForms lags
from wtforms.validators import DataRequired, Length

from backend.dashboard import elder_texts, texts
from backend.dashboard.guard import protect
from backend.domain.errors import NotFound
from backend.domain.model import StaffUser, WithdrawalMethod
from backend.services import elder_admin, privacy
from backend.services.context import Services

NAME_MAX = 50


def _me() -> StaffUser:
    return current_user.user


class FamilyCodeForm(FlaskForm):
    """A new family member to link on LINE: their name and relation (for the letter)."""

    name = StringField(
        "お名前",
        [
            DataRequired(message=elder_texts.NAME_REQUIRED),
            Length(max=NAME_MAX, message=elder_texts.TOO_LONG.format(label="お名前", max=50)),
        ],
    )
    relation = StringField(
        "続柄（長女、長男、姪など）",
        [
            DataRequired(message=elder_texts.RELATION_REQUIRED),
            Length(max=20, message=elder_texts.TOO_LONG.format(label="続柄", max=20)),
        ],
    )


class WithdrawForm(FlaskForm):
    """Record a withdrawal of consent: how it was made, a note, and a confirmation."""

    method = SelectField(
        "撤回の方法",
        choices=[SelectChoice("", "選んでください")]
        + [SelectChoice(m.name, elder_texts.WITHDRAWAL_METHODS[m]) for m in WithdrawalMethod],
        validators=[DataRequired(message=elder_texts.METHOD_REQUIRED)],
    )
    note = TextAreaField(
        "メモ（だれから、どのように）",
        [Length(max=500, message=elder_texts.TOO_LONG.format(label="メモ", max=500))],
    )
    confirm = BooleanField(
        "見守りをすべて止めることを、ご本人（または代理人）に説明しました",
        [DataRequired(message=elder_texts.CONFIRM_REQUIRED)],
    )


def create_elder_admin_blueprint(services: Services, csrf: CSRFProtect) -> Blueprint:
    """Return the blueprint of the elder page's management routes."""
    bp = Blueprint("elder_admin", __name__, template_folder="templates")

    protect(bp, csrf)

    @bp.errorhandler(NotFound)
    def not_found(_err: NotFound) -> tuple[str, int]:
        return render_template("dashboard/error.html", message=texts.NOT_FOUND), 404

    @bp.errorhandler(elder_admin.ElderNotWatched)
    def not_watched(err: elder_admin.ElderNotWatched) -> tuple[str, int]:
        if isinstance(err, elder_admin.ConsentNotRecorded):
            message = elder_texts.CONSENT_FIRST
        else:
            message = elder_texts.NOT_WATCHED
        return render_template("dashboard/error.html", message=message), 409

    def back(elder_id: str, anchor: str = "") -> Any:
        return redirect(url_for("dashboard.elder", elder_id=elder_id) + anchor)

    # --- the speaker's pairing code --------------------------------------------------------

    @bp.post("/elders/<elder_id>/pairing")
    @login_required
    def issue_pairing(elder_id: str) -> Any:
        code = elder_admin.issue_pairing_code(services, _me(), elder_id)
        with services.uow() as uow:
            elder = uow.elders.get(elder_id)
        return render_template("dashboard/pairing_code.html", code=code, elder=elder)

    @bp.post("/elders/<elder_id>/pairing/revoke")
    @login_required
    def revoke_pairing(elder_id: str) -> Any:
        count = elder_admin.revoke_pairing_codes(services, _me(), elder_id)
        if count:
            flash(elder_texts.PAIRING_REVOKED.format(count=count), "info")
        else:
            flash(elder_texts.PAIRING_NONE, "info")
        return back(elder_id, "#speaker")

    # --- family on LINE --------------------------------------------------------------------

    def _family_form(elder_id: str, form: FamilyCodeForm, status: int = 200) -> Any:
        admin = elder_admin.panel(services, _me(), elder_id)
        return render_template("dashboard/family_code.html", admin=admin, form=form), status

    @bp.get("/elders/<elder_id>/family/new")
    @login_required
    def new_family_code(elder_id: str) -> Any:
        return _family_form(elder_id, FamilyCodeForm(formdata=None))

    @bp.post("/elders/<elder_id>/family/new")
    @login_required
    def issue_family_code(elder_id: str) -> Any:
        form = FamilyCodeForm()
        if not form.validate():
            return _family_form(elder_id, form, 400)
        elder, code = elder_admin.issue_family_code(
            services, _me(), elder_id, name=form.name.data or "", relation=form.relation.data or ""
        )
        with services.uow() as uow:
            center = uow.centers.get(elder.center_id)
        return render_template(
            "dashboard/family_letter.html",
            elder=elder,
            center=center,
            code=code,
            letter=elder_texts,
        )

    @bp.post("/elders/<elder_id>/family/<member_id>/unlink")
    @login_required
    def unlink(elder_id: str, member_id: str) -> Any:
        member = elder_admin.unlink_member(services, _me(), elder_id, member_id)
        flash(elder_texts.UNLINKED.format(relation=member.relation, name=member.name), "info")
        return back(elder_id, "#family")

    # --- question times --------------------------------------------------------------------

    @bp.post("/elders/<elder_id>/times")
    @login_required
    def set_times(elder_id: str) -> Any:
        asked = request.form.getlist("question")
        times = {q: request.form.getlist(f"slots-{q}") for q in asked}
        try:
            elder_admin.set_question_times(services, _me(), elder_id, times)
        except elder_admin.BadTimes:
            return render_template("dashboard/error.html", message=elder_texts.BAD_TIMES), 400
        flash(elder_texts.TIMES_SAVED, "info")
        return back(elder_id, "#times")

    # --- known weekly absences (デイサービス, 通院) -------------------------------------------

    @bp.post("/elders/<elder_id>/absences")
    @login_required
    def set_absences(elder_id: str) -> Any:
        absences = {}
        for weekday in request.form.getlist("weekday"):
            kind = request.form.get(f"kind-{weekday}", "")
            if kind:
                absences[weekday] = (kind, request.form.getlist(f"slots-{weekday}"))
        try:
            elder_admin.set_weekly_absences(services, _me(), elder_id, absences)
        except elder_admin.BadAbsences:
            return render_template("dashboard/error.html", message=elder_texts.BAD_ABSENCES), 400
        flash(elder_texts.ABSENCES_SAVED, "info")
        return back(elder_id, "#absences")

    # --- consent withdrawal and disclosure ------------------------------------------------------

    def _withdraw_form(elder_id: str, form: WithdrawForm, status: int = 200) -> Any:
        admin = elder_admin.panel(services, _me(), elder_id)
        return render_template("dashboard/withdraw.html", admin=admin, form=form), status

    @bp.get("/elders/<elder_id>/consent/withdraw")
    @login_required
    def withdraw_form(elder_id: str) -> Any:
        return _withdraw_form(elder_id, WithdrawForm(formdata=None))

    @bp.post("/elders/<elder_id>/consent/withdraw")
    @login_required
    def withdraw(elder_id: str) -> Any:
        form = WithdrawForm()
        if not form.validate():
            return _withdraw_form(elder_id, form, 400)
        try:
            privacy.withdraw_consent(
                services,
                _me(),
                elder_id,
                WithdrawalMethod[form.method.data],
                form.note.data or "",
            )
        except privacy.AlreadyWithdrawn:
            flash(elder_texts.ALREADY_WITHDRAWN, "error")
        except privacy.NoConsent:
            flash(elder_texts.NO_CONSENT, "error")
        else:
            flash(elder_texts.WITHDRAWN, "info")
        return back(elder_id)

    @bp.get("/elders/<elder_id>/disclosure.zip")
    @login_required
    def disclosure(elder_id: str) -> Any:
        document = privacy.disclosure(services, _me(), elder_id)
        stamp = services.now().strftime("%Y%m%d")
        safe_id = re.sub(r"[^A-Za-z0-9_-]", "_", elder_id)
        return Response(
            privacy.disclosure_zip(document),
            mimetype="application/zip",
            headers={
                "Content-Disposition": f'attachment; filename="disclosure-{safe_id}-{stamp}.zip"'
            },
        )

    @bp.app_context_processor
    def catalog() -> dict[str, Any]:
        return {"elder_texts": elder_texts}

    return bp
