"""Enrolment pages: a new elder with their consent, the profile and consent forms, CSV import.

``/elders/new`` enrols (center staff into their own center, a municipality admin into a
center of their municipality); ``/elders/<id>/profile`` and ``/elders/<id>/consent`` edit an
elder in scope (another center's elder is a 404); ``/elders/import`` takes a CSV file from
a municipality admin (404 for anyone else). Every form carries a CSRF token; the services
check the fields, store nothing on error and audit every change.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect
from wtforms import FileField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # types-WTForms lags

from backend.dashboard import enrol_texts, texts
from backend.dashboard.forms import MultiCheckboxField
from backend.dashboard.guard import protect
from backend.domain import consent as vocabulary
from backend.domain.errors import NotFound
from backend.domain.model import Elder, StaffRole, StaffUser
from backend.services import enrolment
from backend.services.context import Services
from backend.services.elder_admin import ElderNotWatched


def _me() -> StaffUser:
    return current_user.user


def _share_field() -> MultiCheckboxField:
    return MultiCheckboxField(
        "だれが何を見るか（ご本人が同意したもの）",
        choices=[SelectChoice(k, enrol_texts.SHARE_LABELS[k]) for k in vocabulary.STANDARD_SHARES],
    )


class ProfileForm(FlaskForm):
    """The elder's name, kana and district (checked by the enrolment service)."""

    name = StringField("お名前")
    kana = StringField("ふりがな")
    district = StringField("地区")


class ConsentForm(FlaskForm):
    """The consent record: date, who explained it, what is shared with whom, re-confirmation."""

    consented_on = StringField("同意日")
    explained_by = StringField("説明した職員")
    shares = _share_field()
    other_shares = TextAreaField("ほかの共有先")
    reconfirm_on = StringField("再確認日")

    def given(self) -> enrolment.ConsentInput:
        """Return the typed consent for the service to check."""
        return enrolment.ConsentInput(
            consented_on=self.consented_on.data or "",
            explained_by=self.explained_by.data or "",
            shares=tuple(self.shares.data or ()),
            reconfirm_on=self.reconfirm_on.data or "",
            other_shares=self.other_shares.data or "",
        )

    def fill(self, elder: Elder, today: str, staff: str) -> None:
        """Show the elder's consent record (re-confirmed today by this staff member)."""
        keys, others = (
            vocabulary.share_keys(elder.consent.shares)
            if elder.consent
            else ([vocabulary.CENTER_ANSWERS], [])
        )
        self.consented_on.data = today
        self.explained_by.data = staff
        self.shares.data = keys
        self.other_shares.data = "\n".join(f"{s.recipient}：{s.what}" for s in others)
        self.reconfirm_on.data = ""


class EnrolForm(ProfileForm, ConsentForm):
    """A new elder and their consent record in one form."""

    center_id = SelectField("センター", choices=[])


class ImportForm(FlaskForm):
    """A CSV file of elders with their consent fields."""

    file = FileField("CSV ファイル（UTF-8）")


def _show(form: FlaskForm, errors: dict[str, str]) -> None:
    for name, message in errors.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [message]


def create_enrolment_blueprint(services: Services, csrf: CSRFProtect) -> Blueprint:
    """Return the blueprint of the enrolment, profile, consent and import pages."""
    bp = Blueprint("enrolment", __name__, template_folder="templates")

    protect(bp, csrf)

    @bp.errorhandler(NotFound)
    def not_found(_err: NotFound) -> tuple[str, int]:
        return render_template("dashboard/error.html", message=texts.NOT_FOUND), 404

    @bp.errorhandler(ElderNotWatched)
    def not_watched(_err: ElderNotWatched) -> tuple[str, int]:
        from backend.dashboard import elder_texts

        return render_template("dashboard/error.html", message=elder_texts.NOT_WATCHED), 409

    @bp.app_context_processor
    def catalog() -> dict[str, Any]:
        return {"enrol_texts": enrol_texts}

    def today() -> str:
        return services.now().astimezone(services.tz).date().isoformat()

    # --- a new elder ---------------------------------------------------------------------------

    def _enrol_page(form: EnrolForm, status: int = 200) -> Any:
        centers = enrolment.enrolment_centers(services, _me())
        if not centers:
            abort(404)
        form.center_id.choices = [SelectChoice(c.id, c.name) for c in centers]
        return render_template(
            "dashboard/elder_new.html", form=form, fixed=_me().role is StaffRole.CENTER_STAFF
        ), status

    @bp.get("/elders/new")
    @login_required
    def new_elder() -> Any:
        form = EnrolForm(formdata=None)
        form.center_id.data = request.args.get("center") or _me().center_id
        form.consented_on.data = today()
        form.explained_by.data = _me().display_name
        form.shares.data = [vocabulary.CENTER_ANSWERS]
        return _enrol_page(form)

    @bp.post("/elders/new")
    @login_required
    def enrol() -> Any:
        form = EnrolForm()
        center_id = _me().center_id if _me().role is StaffRole.CENTER_STAFF else form.center_id.data
        try:
            elder = enrolment.enrol(
                services,
                _me(),
                center_id=center_id or "",
                name=form.name.data or "",
                kana=form.kana.data or "",
                district=form.district.data or "",
                consent=form.given(),
            )
        except enrolment.Invalid as err:
            _show(form, err.errors)
            flash(enrol_texts.FIX_ERRORS, "error")
            return _enrol_page(form, 400)
        flash(enrol_texts.ENROLLED.format(name=elder.name), "info")
        return redirect(url_for("dashboard.elder", elder_id=elder.id) + "#speaker")

    # --- profile -------------------------------------------------------------------------------

    def _profile_page(elder: Elder, form: ProfileForm, status: int = 200) -> Any:
        return render_template("dashboard/elder_profile.html", elder=elder, form=form), status

    @bp.get("/elders/<elder_id>/profile")
    @login_required
    def profile_form(elder_id: str) -> Any:
        elder = enrolment.elder_for_form(services, _me(), elder_id, "profile")
        form = ProfileForm(formdata=None, obj=elder)
        return _profile_page(elder, form)

    @bp.post("/elders/<elder_id>/profile")
    @login_required
    def save_profile(elder_id: str) -> Any:
        form = ProfileForm()
        try:
            enrolment.update_profile(
                services,
                _me(),
                elder_id,
                name=form.name.data or "",
                kana=form.kana.data or "",
                district=form.district.data or "",
            )
        except enrolment.Invalid as err:
            _show(form, err.errors)
            elder = enrolment.elder_for_form(services, _me(), elder_id, "profile")
            return _profile_page(elder, form, 400)
        flash(enrol_texts.PROFILE_SAVED, "info")
        return redirect(url_for("dashboard.elder", elder_id=elder_id))

    # --- consent -------------------------------------------------------------------------------

    def _consent_page(elder: Elder, form: ConsentForm, status: int = 200) -> Any:
        return render_template("dashboard/elder_consent.html", elder=elder, form=form), status

    @bp.get("/elders/<elder_id>/consent")
    @login_required
    def consent_form(elder_id: str) -> Any:
        elder = enrolment.elder_for_form(services, _me(), elder_id, "consent")
        form = ConsentForm(formdata=None)
        form.fill(elder, today(), _me().display_name)
        return _consent_page(elder, form)

    @bp.post("/elders/<elder_id>/consent")
    @login_required
    def save_consent(elder_id: str) -> Any:
        form = ConsentForm()
        try:
            elder = enrolment.reconfirm_consent(services, _me(), elder_id, form.given())
        except enrolment.Invalid as err:
            _show(form, err.errors)
            elder = enrolment.elder_for_form(services, _me(), elder_id, "consent")
            return _consent_page(elder, form, 400)
        assert elder.consent is not None
        assert elder.consent.reconfirm_on is not None
        flash(enrol_texts.CONSENT_SAVED.format(date=elder.consent.reconfirm_on.isoformat()), "info")
        return redirect(url_for("dashboard.elder", elder_id=elder_id))

    # --- CSV import ----------------------------------------------------------------------------

    def _import_page(form: ImportForm, problems: list[str], status: int = 200) -> Any:
        if _me().role is not StaffRole.MUNICIPALITY_ADMIN:
            abort(404)
        return render_template(
            "dashboard/elder_import.html",
            form=form,
            problems=problems,
            header=",".join(enrolment.IMPORT_HEADER),
            keys=vocabulary.STANDARD_SHARES,
        ), status

    @bp.get("/elders/import")
    @login_required
    def import_form() -> Any:
        return _import_page(ImportForm(formdata=None), [])

    @bp.post("/elders/import")
    @login_required
    def import_file() -> Any:
        if _me().role is not StaffRole.MUNICIPALITY_ADMIN:
            abort(404)
        form = ImportForm()
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            form.file.errors = [enrol_texts.IMPORT_NO_FILE]
            return _import_page(form, [], 400)
        try:
            elders = enrolment.import_elders(services, _me(), upload.read())
        except enrolment.ImportRefused as err:
            flash(enrol_texts.IMPORT_REFUSED, "error")
            return _import_page(form, err.problems, 400)
        flash(enrol_texts.IMPORTED.format(count=len(elders)), "info")
        return redirect(url_for("dashboard.board"))

    return bp
