"""Municipality admin pages: question set, alert policy and engagement editors (with versions).

Only municipality admins (their own municipality) and operators use these pages; anyone
else gets the same 404 as for a page that does not exist.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFProtect

from backend.dashboard import editor_forms, texts
from backend.dashboard.forms import NOTICE_FIELDS, ConfigForm, MessageForm, NoticeForm
from backend.dashboard.guard import protect
from backend.domain.errors import Conflict, NotFound
from backend.domain.model import StaffRole, StaffUser
from backend.domain.versions import ConfigKind
from backend.services import (
    access,
    admin_exports,
    alert_figures,
    center_messages,
    municipal_config,
    notice_admin,
)
from backend.services.audit import record_view
from backend.services.context import Services
from notices.loader import NoticeFileError
from questions.intro import intro_words
from questions.loader import FileProblemsError, Problem
from questions.model import QuestionSet

KINDS = {
    "questions": ConfigKind.QUESTION_SET,
    "policy": ConfigKind.POLICY,
    "engagement": ConfigKind.ENGAGEMENT,
}
SLUGS = {kind: slug for slug, kind in KINDS.items()}


def _me() -> StaffUser:
    return current_user.user


def spoken_preview(qset: QuestionSet, services: Services) -> list[dict[str, Any]]:
    """Return each slot with the words the speaker opens it with (as the skill says them)."""
    slots = []
    for slot in municipal_config.preview(qset, services.now().date()):
        intro = intro_words(slot.due_on_day) if slot.due_on_day else None
        slots.append({"slot": slot, "intro": intro})
    return slots


def place_problems(form: NoticeForm, problems: tuple[Problem, ...]) -> list[str]:
    """Put each problem under its form field; return those that belong to no field."""
    general = []
    for p in problems:
        path = p.path.removeprefix("notices[0]").lstrip(".")
        head = path.split(".")[0].split("[")[0]
        name = NOTICE_FIELDS.get(head)
        if name is None:
            general.append(f"{p.path or '(全体)'}: {p.message}")
            continue
        field = getattr(form, name)
        field.errors = [*field.errors, f"{path}: {p.message}" if path != head else p.message]
    return general


def create_admin_blueprint(services: Services, csrf: CSRFProtect) -> Blueprint:
    """Return the municipality admin blueprint (``/admin``)."""
    bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")

    protect(bp, csrf)

    def _kind(slug: str) -> ConfigKind:
        kind = KINDS.get(slug)
        if kind is None:
            abort(404)
        return kind

    @bp.get("/")
    @login_required
    def index() -> Any:
        user = _me()
        if not municipal_config.may_edit(user):
            # The menu is not offered to center staff; one who types /admin learns why.
            return render_template("dashboard/error.html", message=texts.ADMIN_ONLY), 403
        if user.role is StaffRole.MUNICIPALITY_ADMIN:
            codes = [user.municipality_code or ""]
        else:
            codes = sorted({c.municipality_code for c in access.centers_of(services, user)})
        return render_template("dashboard/admin/index.html", codes=codes)

    # --- question set and policy editors -------------------------------------------------------

    def _editor(slug: str, code: str, form: ConfigForm, status: int = 200, **extra: Any) -> Any:
        kind = _kind(slug)
        try:
            now_in_force = municipal_config.current(services, _me(), kind, code)
            history = municipal_config.history(services, _me(), kind, code)
        except NotFound:
            abort(404)
        if form.text.data is None:
            form.text.data = now_in_force.text
            if not form.text.data and kind is ConfigKind.ENGAGEMENT:
                form.text.data = texts.ENGAGEMENT_STARTER.format(code=code)
        preview = extra.pop("preview", None)
        if "set_form" not in extra and "policy_form" not in extra:
            extra.update(editor_forms.form_context(kind, form.text.data or ""))
        if preview is None and kind is ConfigKind.QUESTION_SET and status == 200:
            try:
                preview = spoken_preview(
                    municipal_config.check_question_set(form.text.data or "", code), services
                )
            except FileProblemsError:
                preview = None
        return render_template(
            "dashboard/admin/config.html",
            slug=slug,
            kind=kind,
            code=code,
            current=now_in_force,
            history=history,
            form=form,
            preview=preview,
            source=municipal_config.source_of(kind, code),
            yaml_open=request.endpoint == "admin.submit" or "from" in request.args,
            **extra,
        ), status

    @bp.get("/<code>/<slug>")
    @login_required
    def editor(code: str, slug: str) -> Any:
        form = ConfigForm(formdata=None)
        form.text.data = None
        start_from = request.args.get("from", type=int)
        if start_from is not None:
            try:
                old = municipal_config.version_of(services, _me(), _kind(slug), code, start_from)
            except NotFound:
                abort(404)
            form.text.data = old.text
        return _editor(slug, code, form)

    @bp.post("/<code>/<slug>")
    @login_required
    def submit(code: str, slug: str) -> Any:
        kind = _kind(slug)
        try:
            municipal_config.current(services, _me(), kind, code)
        except NotFound:
            abort(404)
        form = ConfigForm()
        if not form.validate():
            return _editor(slug, code, form, 400)
        text = form.text.data or ""
        try:
            checked = municipal_config.check(kind, text.replace("\r\n", "\n"), code)
        except FileProblemsError as err:
            return _editor(slug, code, form, 400, problems=err)
        if request.form.get("action") != "publish":
            flash(texts.CONFIG_CHECKED, "info")
            preview = (
                spoken_preview(checked, services) if isinstance(checked, QuestionSet) else None
            )
            return _editor(slug, code, form, 200, preview=preview)
        try:
            version = municipal_config.publish(services, _me(), kind, code, text)
        except FileProblemsError as err:  # the text changed between check and publish
            return _editor(slug, code, form, 400, problems=err)
        except Conflict:
            flash(texts.CONFIG_CONFLICT, "error")
            return _editor(slug, code, form, 409)
        flash(texts.CONFIG_PUBLISHED.format(version=version.version), "info")
        return redirect(url_for("admin.editor", code=code, slug=slug))

    editor_forms.register(bp, services, _editor, _me)

    @bp.get("/<code>/<slug>/versions/<int:number>")
    @login_required
    def version(code: str, slug: str, number: int) -> Any:
        kind = _kind(slug)
        try:
            found = municipal_config.version_of(services, _me(), kind, code, number)
        except NotFound:
            abort(404)
        preview = None
        if kind is ConfigKind.QUESTION_SET:
            try:
                preview = spoken_preview(
                    municipal_config.check_question_set(found.text, code), services
                )
            except FileProblemsError:
                preview = None
        return render_template(
            "dashboard/admin/config_version.html",
            slug=slug,
            kind=kind,
            code=code,
            found=found,
            preview=preview,
        )

    # --- CSV exports ----------------------------------------------------------------------------

    @bp.get("/<code>/exports")
    @login_required
    def exports(code: str) -> Any:
        with services.uow() as uow:
            try:
                municipality = municipal_config.municipality_in_scope(uow, _me(), code)
            except NotFound:
                abort(404)
        month = request.args.get("month") or services.now().strftime("%Y-%m")
        return render_template(
            "dashboard/admin/exports.html", code=code, municipality=municipality, month=month
        )

    @bp.post("/<code>/exports")
    @login_required
    def download(code: str) -> Any:
        try:
            month = alert_figures.month_of(request.form.get("month"), services.now().date())
        except ValueError:
            return render_template("dashboard/error.html", message=texts.BAD_MONTH), 400
        try:
            found = admin_exports.export(
                services,
                _me(),
                request.form.get("kind", ""),
                code,
                month,
                bom=bool(request.form.get("bom")),
            )
        except NotFound:
            abort(404)
        return Response(
            found.text,
            mimetype="text/csv",
            headers={
                "Content-Disposition": f'attachment; filename="{found.filename}"',
                "Content-Type": "text/csv; charset=utf-8",
            },
        )

    # --- a message from the center to one elder -------------------------------------------------

    @bp.get("/elders")
    @login_required
    def elders() -> Any:
        return render_template(
            "dashboard/admin/elders.html", groups=center_messages.elders(services, _me())
        )

    def _message_page(elder_id: str, form: MessageForm, status: int = 200) -> Any:
        try:
            found = center_messages.page(services, _me(), elder_id)
        except NotFound:
            abort(404)
        return render_template("dashboard/admin/message.html", page=found, form=form), status

    @bp.get("/elders/<elder_id>/message")
    @login_required
    def message(elder_id: str) -> Any:
        return _message_page(elder_id, MessageForm(formdata=None))

    @bp.post("/elders/<elder_id>/message")
    @login_required
    def send_message(elder_id: str) -> Any:
        form = MessageForm()
        if not form.validate():
            return _message_page(elder_id, form, 400)
        try:
            center_messages.send(services, _me(), elder_id, form.text.data or "")
        except NotFound:
            abort(404)
        except center_messages.BadMessage as err:
            form.text.errors = [texts.MESSAGE_ERRORS[str(err)]]
            return _message_page(elder_id, form, 400)
        flash(texts.MESSAGE_SENT, "info")
        return redirect(url_for("admin.message", elder_id=elder_id))

    # --- notices ------------------------------------------------------------------------------

    @bp.get("/<code>/notices")
    @login_required
    def notices(code: str) -> Any:
        try:
            municipality, tracked = notice_admin.list_tracked(services, _me(), code)
        except NotFound:
            abort(404)
        return render_template(
            "dashboard/admin/notices.html", code=code, municipality=municipality, tracked=tracked
        )

    def _audience(form: NoticeForm, code: str) -> None:
        """Offer the municipality's districts, centers and elders on the notice form."""
        with services.uow() as uow:
            try:
                municipal_config.municipality_in_scope(uow, _me(), code)
            except NotFound:
                abort(404)
            centers = uow.centers.list_for_municipality(code)
            elders = sorted(uow.elders.list_for_municipality(code), key=lambda e: (e.kana, e.id))
        record_view(
            services, _me(), services.now(), "view_notice_audience", None, elders=len(elders)
        )
        form.set_audience(
            sorted({e.district for e in elders if e.district}),
            [(c.id, c.name) for c in centers],
            [(e.id, f"{e.name}（{e.district}）") for e in elders],
        )

    def _notice_page(
        code: str,
        form: NoticeForm,
        local_id: str | None,
        status: int = 200,
        general: list[str] | None = None,
    ) -> Any:
        tracked = None
        if local_id is not None:
            try:
                tracked = notice_admin.get_tracked(services, _me(), code, local_id)
            except NotFound:
                abort(404)
        else:
            with services.uow() as uow:
                try:
                    municipal_config.municipality_in_scope(uow, _me(), code)
                except NotFound:
                    abort(404)
        _audience(form, code)
        return render_template(
            "dashboard/admin/notice.html",
            code=code,
            form=form,
            local_id=local_id,
            tracked=tracked,
            general=general or [],
            problem_count=len(general or []) + sum(len(f.errors) for f in form),
        ), status

    @bp.get("/<code>/notices/new")
    @login_required
    def new_notice(code: str) -> Any:
        form = NoticeForm(formdata=None)
        form.start.data = services.now().strftime("%Y-%m-%dT08:00")
        return _notice_page(code, form, None)

    @bp.get("/<code>/notices/<local_id>")
    @login_required
    def notice(code: str, local_id: str) -> Any:
        form = NoticeForm(formdata=None)
        try:
            tracked = notice_admin.get_tracked(services, _me(), code, local_id)
        except NotFound:
            abort(404)
        form.fill(notice_admin.entry_of(tracked.notice, services))
        return _notice_page(code, form, local_id)

    def _save_notice(code: str, local_id: str | None) -> Any:
        form = NoticeForm()
        _audience(form, code)
        if local_id is not None:
            form.local_id.data = local_id
        elif not (form.local_id.data or "").strip():  # no id to make up: one is given
            form.local_id.data = f"notice-{services.now():%Y%m%d}-{secrets.token_hex(2)}"
        if not form.validate():
            return _notice_page(code, form, local_id, 400)
        entry = form.entry()
        if local_id is None:
            try:
                notice_admin.get_tracked(services, _me(), code, entry["id"])
            except NotFound:
                pass
            else:
                form.local_id.errors = [texts.NOTICE_ID_TAKEN]
                return _notice_page(code, form, None, 400)
        try:
            saved = notice_admin.save(services, _me(), code, entry, new=local_id is None)
        except NotFound:
            abort(404)
        except Conflict:  # another admin took the id between the check above and the save
            form.local_id.errors = [texts.NOTICE_ID_TAKEN]
            return _notice_page(code, form, None, 409)
        except NoticeFileError as err:
            return _notice_page(code, form, local_id, 400, place_problems(form, err.problems))
        except ValueError:
            flash(texts.NOTICE_NOT_EDITABLE, "error")
            return _notice_page(code, form, local_id, 409)
        flash(texts.NOTICE_SAVED, "info")
        return redirect(url_for("admin.notice", code=code, local_id=saved.id.partition("/")[2]))

    @bp.post("/<code>/notices/new")
    @login_required
    def create_notice(code: str) -> Any:
        return _save_notice(code, None)

    @bp.post("/<code>/notices/<local_id>")
    @login_required
    def save_notice(code: str, local_id: str) -> Any:
        return _save_notice(code, local_id)

    @bp.post("/<code>/notices/<local_id>/withdraw")
    @login_required
    def withdraw_notice(code: str, local_id: str) -> Any:
        try:
            notice_admin.withdraw(services, _me(), code, local_id)
        except NotFound:
            abort(404)
        flash(texts.NOTICE_WITHDRAWN, "info")
        return redirect(url_for("admin.notices", code=code))

    return bp
