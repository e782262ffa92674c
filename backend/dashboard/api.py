"""The JSON API under ``/api/v1/``: the today board and the alert inbox for machine clients.

Clients send ``Authorization: Bearer <token>`` (``mimamori user token``); a token acts as
its staff user, with the same scope as the dashboard: another center's elder or alert is
a 404. The OpenAPI document is at ``/api/v1/openapi.json``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException

from backend import messages
from backend.dashboard.openapi import document
from backend.domain.consent import consent_flag
from backend.domain.errors import Conflict, NotFound
from backend.domain.model import Alert, AlertChange, Elder, Outcome, StaffUser
from backend.services import alert_inbox, enrolment, staff_auth, today_board
from backend.services.context import Services

NOTE_MAX = 2000
MISSING_TOKEN = "有効なトークンを Authorization: Bearer で送ってください"


class ApiError(Exception):
    """An error answered as JSON with a status, a code and a Japanese message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def alert_json(alert: Alert, elder: Elder | None, history: list[AlertChange] | None = None):
    """Return the JSON of an alert (with its history when given)."""
    doc: dict[str, Any] = {
        "id": alert.id,
        "elder_id": alert.elder_id,
        "elder_name": elder.name if elder else None,
        "rule": alert.rule,
        "period": alert.period,
        "title": messages.title_for(alert.rule, alert.period, alert.evidence),
        "severity": alert.severity.value,
        "status": alert.status.value,
        "stage": alert.stage,
        "created_at": alert.created_at.isoformat(),
        "claimed_by": alert.claimed_by,
        "claimed_at": _iso(alert.claimed_at),
        "outcome": alert.outcome.value if alert.outcome else None,
        "note": alert.note,
        "resolved_at": _iso(alert.resolved_at),
    }
    if history is not None:
        doc["history"] = [
            {"at": c.at.isoformat(), "actor": c.actor, "action": c.action, "detail": c.detail}
            for c in history
        ]
    return doc


def elder_json(elder: Elder, today: Any) -> dict[str, Any]:
    """Return the JSON of an elder: profile and consent summary (no family contact details)."""
    consent = elder.consent
    return {
        "id": elder.id,
        "name": elder.name,
        "kana": elder.kana,
        "district": elder.district,
        "center_id": elder.center_id,
        "municipality_code": elder.municipality_code,
        "status": elder.status.value,
        "watchable": elder.is_watchable,
        "consent_flag": consent_flag(elder, today),
        "consent": None
        if consent is None
        else {
            "consented_on": consent.consented_on.isoformat(),
            "explained_by": consent.explained_by,
            "reconfirm_on": consent.reconfirm_on.isoformat() if consent.reconfirm_on else None,
            "shares": [{"recipient": s.recipient, "what": s.what} for s in consent.shares],
            "withdrawn_at": _iso(consent.withdrawal.at) if consent.withdrawal else None,
        },
    }


def board_json(board: today_board.Board) -> dict[str, Any]:
    """Return the JSON of a today board."""
    return {
        "center": {"id": board.center.id, "name": board.center.name},
        "date": board.day.isoformat(),
        "now": board.now.isoformat(),
        "slots": [{"id": i, "label": label} for i, label in board.slots],
        "districts": list(board.districts),
        "counts": board.counts,
        "elders": [
            {
                "id": row.elder.id,
                "name": row.elder.name,
                "kana": row.elder.kana,
                "district": row.elder.district,
                "paired": row.paired,
                "consent_flag": row.consent_flag,
                "silent_days": row.silent_days,
                "away": None
                if row.away is None
                else {
                    "kind": row.away.kind.value,
                    "start": row.away.start.isoformat(),
                    "end": _iso(row.away.end),
                },
                "slots": {c.slot_id: c.state.value for c in row.cells},
                "alerts": [alert_json(a, row.elder) for a in row.alerts],
            }
            for row in board.rows
        ],
    }


def create_api_blueprint(services: Services) -> Blueprint:
    """Return the ``/api/v1`` blueprint bound to the services."""
    bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")

    @bp.errorhandler(ApiError)
    def api_error(err: ApiError) -> tuple[Response, int]:
        response = jsonify(error={"code": err.code, "message": err.message})
        if err.status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="mimamori"'
        return response, err.status

    @bp.errorhandler(HTTPException)
    def http_error(err: HTTPException) -> Response:
        response = jsonify(error={"code": err.name.lower().replace(" ", "_"), "message": err.name})
        response.status_code = err.code or 500
        allow = dict(err.get_headers()).get("Allow")
        if allow:  # 405 says which methods are allowed
            response.headers["Allow"] = allow
        return response

    @bp.after_request
    def no_store(response: Response) -> Response:
        response.headers["Cache-Control"] = "no-store"
        return response

    @bp.before_request
    def authenticate() -> None:
        if request.endpoint == "api_v1.openapi":
            return
        scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
        user = (
            staff_auth.user_for_api_token(services, secret.strip())
            if scheme.lower() == "bearer" and secret.strip()
            else None
        )
        if user is None:
            raise ApiError(
                401, "unauthorized", "有効なトークンを Authorization: Bearer で送ってください"
            )
        g.api_user = user

    def me() -> StaffUser:
        return g.api_user

    def found(call: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return call(*args, **kwargs)
        except NotFound as err:
            raise ApiError(404, "not_found", "見つかりません") from err

    @bp.get("/openapi.json")
    def openapi() -> Response:
        return jsonify(document())

    @bp.get("/board")
    def board() -> Response:
        center = request.args.get("center") or None
        district = request.args.get("district") or None
        return jsonify(board_json(found(today_board.board, services, me(), center, district)))

    def today() -> Any:
        return services.now().astimezone(services.tz).date()

    @bp.get("/elders")
    def elders() -> Response:
        found_elders = found(
            enrolment.list_elders, services, me(), request.args.get("center") or None
        )
        return jsonify(elders=[elder_json(e, today()) for e in found_elders])

    @bp.get("/elders/<elder_id>")
    def elder(elder_id: str) -> Response:
        return jsonify(elder_json(found(enrolment.elder_detail, services, me(), elder_id), today()))

    @bp.get("/alerts")
    def alerts() -> Response:
        inbox = found(alert_inbox.inbox, services, me(), request.args.get("center") or None)
        return jsonify(
            center={"id": inbox.center.id, "name": inbox.center.name},
            alerts=[alert_json(i.alert, i.elder, list(i.history)) for i in inbox.items],
        )

    @bp.get("/alerts/<alert_id>")
    def alert(alert_id: str) -> Response:
        item, _names = found(alert_inbox.alert_detail, services, me(), alert_id)
        return jsonify(alert_json(item.alert, item.elder, list(item.history)))

    def _current(alert_id: str) -> Response:
        item, _names = found(alert_inbox.alert_detail, services, me(), alert_id)
        return jsonify(alert_json(item.alert, item.elder, list(item.history)))

    @bp.post("/alerts/<alert_id>/claim")
    def claim(alert_id: str) -> Response:
        try:
            found(alert_inbox.claim, services, me(), alert_id, "api")
        except Conflict as err:
            raise ApiError(409, "conflict", "ほかの方がすでに引き受けています") from err
        return _current(alert_id)

    @bp.post("/alerts/<alert_id>/resolve")
    def resolve(alert_id: str) -> Response:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise ApiError(400, "bad_request", "JSON のオブジェクトを送ってください")
        outcome, note = body.get("outcome"), body.get("note", "")
        if not isinstance(outcome, str) or outcome not in {o.value for o in Outcome}:
            raise ApiError(
                400,
                "bad_request",
                "outcome は " + " / ".join(o.value for o in Outcome) + " のどれかにしてください",
            )
        if not isinstance(note, str) or len(note) > NOTE_MAX:
            raise ApiError(400, "bad_request", f"note は {NOTE_MAX} 文字までの文字列にしてください")
        try:
            found(alert_inbox.resolve, services, me(), alert_id, Outcome(outcome), note)
        except Conflict as err:
            raise ApiError(409, "conflict", "このアラートはすでに対応済みです") from err
        return _current(alert_id)

    return bp
