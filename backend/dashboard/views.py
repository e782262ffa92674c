"""The dashboard's pages: they read the request, call one service and render a template."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import CSRFProtect
from markupsafe import Markup

from backend import messages
from backend.dashboard import charts, contacts_texts, evidence, evidence_texts, texts
from backend.dashboard.forms import AwayForm, LoginForm, ResolveForm, parse_day
from backend.dashboard.guard import protect
from backend.dashboard.redirects import same_site_path
from backend.domain.errors import Conflict, NotFound
from backend.domain.model import Alert, AwayKind, Elder, Outcome, StaffUser
from backend.services import (
    access,
    alert_figures,
    alert_inbox,
    away,
    chart_lines,
    contacts,
    elder_admin,
    elder_page,
    elder_questions,
    medication_reminders,
    staff_auth,
    today_board,
    unheard,
)
from backend.services.context import Services
from questions.model import QuestionSet


def _reminder_text(reminder: Any) -> str | None:
    """Return 「毎日 8:00（ご本人が設定）」 for the reminder in force (None: none is set)."""
    if reminder is None:
        return None
    hour, _, minute = reminder.time.partition(":")
    by = texts.REMINDER_SET_BY.get(reminder.set_by, texts.REMINDER_SET_BY["elder"])
    return texts.REMINDER_DAILY.format(time=f"{int(hour)}:{minute}", by=by)


class Principal:
    """The signed-in staff user, as Flask-Login wants it."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, user: StaffUser) -> None:
        self.user = user

    def get_id(self) -> str:
        """Return the user id kept in the session."""
        return self.user.id


def _me() -> StaffUser:
    return current_user.user


# One board cell per slot state, escaped once (the board shows two cells for each of 5,000 elders).
_STATE_CELLS = {
    state: Markup('<td><span class="state state-{}">{}</span></td>').format(state.value, text)
    for state, text in texts.SLOT_STATES.items()
}


def _segment_urls(endpoint: str, arg: str) -> Callable[[str], str]:
    """Return ``url_for(endpoint, **{arg: value})`` for many values: built once, then joined.

    The board links 5,000 elders; ``url_for`` per row was a third of the page. The value is
    quoted by the rule's own (default) converter, so each link is exactly what url_for builds.
    """
    marker = "0"
    values: dict[str, Any] = {arg: marker}
    url = url_for(endpoint, **values)
    if not url.endswith("/" + marker):  # not a trailing path segment: no shortcut

        def each(value: str) -> str:
            one: dict[str, Any] = {arg: value}
            return url_for(endpoint, **one)

        return each
    prefix = url[: -len(marker)]
    to_url = current_app.url_map.converters["default"](current_app.url_map).to_url
    return lambda value: prefix + to_url(value)


def _safe_next(target: str | None) -> str:
    return same_site_path(target) or url_for("dashboard.board")


def create_blueprint(services: Services, csrf: CSRFProtect) -> Blueprint:
    """Return the dashboard blueprint bound to the services."""
    bp = Blueprint(
        "dashboard",
        __name__,
        template_folder="templates",
        static_folder="static",
        static_url_path="/assets",
    )

    protect(bp, csrf, cacheable="dashboard.static")

    @bp.app_errorhandler(404)
    def not_found(_err: Any) -> tuple[str, int]:
        return render_template("dashboard/error.html", message=texts.NOT_FOUND), 404

    @bp.app_template_filter("local")
    def local(value: datetime | None, fmt: str = "%m月%d日 %H:%M") -> str:
        return "" if value is None else value.astimezone(services.tz).strftime(fmt)

    @bp.app_template_filter("alert_title")
    def alert_title(alert: Alert) -> str:
        return messages.title_for(alert.rule, alert.period, alert.evidence)

    def qset_of(code: str) -> QuestionSet | None:
        try:
            return services.question_set(code)
        except NotFound:
            return None

    @bp.app_template_filter("worst_alert")
    def worst_alert(alerts: tuple[Alert, ...]) -> Alert | None:
        return evidence.worst_first(alerts)[0] if alerts else None

    @bp.app_template_filter("alert_headline")
    def alert_headline(alerts: tuple[Alert, ...], elder: Elder) -> str:
        return evidence.headline(alerts, services.tz, qset_of(elder.municipality_code))

    @bp.app_template_filter("alert_evidence")
    def alert_evidence(alert: Alert, elder: Elder) -> evidence.Evidence:
        return evidence.evidence(alert, services.tz, qset_of(elder.municipality_code))

    @bp.app_context_processor
    def catalog() -> dict[str, Any]:
        return {"texts": texts, "evidence_texts": evidence_texts, "contacts_texts": contacts_texts}

    # --- sign-in ---------------------------------------------------------------------------

    @bp.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        form = LoginForm()
        status = 200
        if form.validate_on_submit():
            try:
                user = staff_auth.authenticate(
                    services, form.login.data or "", form.password.data or "", _address()
                )
            except staff_auth.TooManyAttempts:
                flash(texts.LOGIN_LOCKED, "error")
                status = 429
            except staff_auth.LoginRefused:
                flash(texts.LOGIN_FAILED, "error")
                status = 401
            else:
                session.clear()
                session.regenerate()  # type: ignore[attr-defined]
                login_user(Principal(user))
                return redirect(_safe_next(request.args.get("next")))
        return render_template("dashboard/login.html", form=form), status

    @bp.post("/logout")
    def logout() -> Any:
        logout_user()
        session.clear()
        session.regenerate()  # type: ignore[attr-defined]
        flash(texts.LOGGED_OUT, "info")
        return redirect(url_for("dashboard.login"))

    # --- board and alerts --------------------------------------------------------------------

    @bp.get("/")
    @login_required
    def board() -> Any:
        try:
            found = today_board.board(
                services,
                _me(),
                request.args.get("center") or None,
                request.args.get("district") or None,
            )
            centers = access.centers_of(services, _me())
        except NotFound:
            abort(404)
        return render_template(
            "dashboard/board.html",
            board=found,
            centers=centers,
            elder_url=_segment_urls("dashboard.elder", "elder_id"),
            state_cells=_STATE_CELLS,
        )

    @bp.get("/alerts")
    @login_required
    def alerts() -> Any:
        try:
            found = alert_inbox.inbox(services, _me(), request.args.get("center") or None)
        except NotFound:
            abort(404)
        return render_template(
            "dashboard/alerts.html", inbox=found, resolve_form=ResolveForm(formdata=None)
        )

    @bp.get("/alerts/stats")
    @login_required
    def stats() -> Any:
        try:
            month = alert_figures.month_of(request.args.get("month"), services.now().date())
        except ValueError:
            return render_template("dashboard/error.html", message=texts.BAD_MONTH), 400
        try:
            found = alert_figures.monthly_stats(
                services, _me(), month, request.args.get("center") or None
            )
        except NotFound:
            abort(404)
        return render_template("dashboard/stats.html", stats=found)

    def _alert_page(alert_id: str, form: ResolveForm, status: int = 200) -> Any:
        try:
            item, names = alert_inbox.alert_detail(services, _me(), alert_id)
            found = contacts.view(services, _me(), item.elder.id, "alert")
        except NotFound:
            abort(404)
        return render_template(
            "dashboard/alert.html", item=item, names=names, resolve_form=form, contacts=found
        ), status

    @bp.get("/alerts/<alert_id>")
    @login_required
    def alert(alert_id: str) -> Any:
        return _alert_page(alert_id, ResolveForm(formdata=None))

    @bp.post("/alerts/<alert_id>/claim")
    @login_required
    def claim(alert_id: str) -> Any:
        try:
            alert_inbox.claim(services, _me(), alert_id)
            flash(texts.CLAIMED, "info")
        except NotFound:
            abort(404)
        except Conflict:
            flash(texts.CLAIM_TAKEN, "error")
        return redirect(url_for("dashboard.alert", alert_id=alert_id))

    @bp.post("/alerts/<alert_id>/resolve")
    @login_required
    def resolve(alert_id: str) -> Any:
        form = ResolveForm()
        if not form.validate():
            return _alert_page(alert_id, form, 400)
        try:
            alert_inbox.resolve(
                services, _me(), alert_id, Outcome(form.outcome.data), form.note.data or ""
            )
            flash(texts.RESOLVED, "info")
        except NotFound:
            abort(404)
        except Conflict:
            flash(texts.ALREADY_RESOLVED, "error")
        return redirect(url_for("dashboard.alerts"))

    # --- elder page ----------------------------------------------------------------------------

    def _elder_page(elder_id: str, away_form: AwayForm, status: int = 200) -> Any:
        try:
            page = elder_page.elder_page(services, _me(), elder_id, services.policy)
            admin = elder_admin.panel(services, _me(), elder_id)
            not_understood = unheard.recent(services, _me(), elder_id)
            found_contacts = contacts.view(services, _me(), elder_id, "elder")
            extra = elder_questions.added(
                page.elder, services.question_set(page.elder.municipality_code)
            )
            reminder = medication_reminders.for_staff(services, page.elder.id)
        except NotFound:
            abort(404)
        now = services.now()
        start = now - timedelta(days=chart_lines.CHART_DAYS)
        svgs = [(c, charts.svg(c, start, now)) for c in page.charts]
        return render_template(
            "dashboard/elder.html",
            page=page,
            charts=svgs,
            away_form=away_form,
            admin=admin,
            unheard=not_understood,
            contacts=found_contacts,
            added_questions=extra,
            reminder=_reminder_text(reminder),
        ), status

    @bp.get("/elders/<elder_id>")
    @login_required
    def elder(elder_id: str) -> Any:
        form = AwayForm(formdata=None, start=services.now().date().isoformat())
        return _elder_page(elder_id, form)

    @bp.post("/elders/<elder_id>/away")
    @login_required
    def add_away(elder_id: str) -> Any:
        form = AwayForm()
        if not form.validate():
            return _elder_page(elder_id, form, 400)
        start_day = parse_day(form.start.data)
        end_day = parse_day(form.end.data)
        assert start_day is not None
        tz = services.tz
        start = datetime.combine(start_day, time(0), tzinfo=tz)
        end = datetime.combine(end_day + timedelta(days=1), time(0), tzinfo=tz) if end_day else None
        try:
            away.add_away(services, _me(), elder_id, AwayKind(form.kind.data), start, end)
        except NotFound:
            abort(404)
        flash(texts.AWAY_ADDED, "info")
        return redirect(url_for("dashboard.elder", elder_id=elder_id))

    @bp.post("/elders/<elder_id>/away/end")
    @login_required
    def end_away(elder_id: str) -> Any:
        try:
            ended = away.end_away(services, _me(), elder_id)
        except NotFound:
            abort(404)
        flash(texts.AWAY_ENDED if ended else texts.AWAY_NONE, "info")
        return redirect(url_for("dashboard.elder", elder_id=elder_id))

    return bp


def _address() -> str:
    return request.remote_addr or "unknown"
