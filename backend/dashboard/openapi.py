"""The OpenAPI document of the JSON API (``/api/v1/openapi.json``)."""

from __future__ import annotations

from typing import Any

from backend.domain import consent as vocabulary
from backend.domain.model import AlertStatus, AwayKind, ElderStatus, Outcome, Severity
from backend.services.today_board import SlotState


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "nullable": True}


_STRING = {"type": "string"}
_TIME = {"type": "string", "format": "date-time"}
_ERROR_REF = {"$ref": "#/components/schemas/Error"}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ERROR_REF}}}


def _ok(description: str, ref: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


_ALERT_ID = {
    "name": "alert_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "minLength": 1},
}
_ELDER_ID = {
    "name": "elder_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "minLength": 1},
}
_CONSENT_FLAG = _nullable(
    {
        "type": "string",
        "enum": [vocabulary.FLAG_WITHDRAWN, vocabulary.FLAG_RECONFIRM, vocabulary.FLAG_MISSING],
        "description": (
            "withdrawn: 同意撤回 / reconfirm: 再確認日が過ぎたか30日以内 / missing: 記録なし"
        ),
    }
)
_CONSENT: dict[str, Any] = {
    "type": "object",
    "required": ["consented_on", "explained_by", "reconfirm_on", "shares", "withdrawn_at"],
    "properties": {
        "consented_on": {"type": "string", "format": "date"},
        "explained_by": _STRING,
        "reconfirm_on": _nullable({"type": "string", "format": "date"}),
        "shares": {"type": "array", "items": {"$ref": "#/components/schemas/Share"}},
        "withdrawn_at": _nullable(_TIME),
    },
}

_CENTER = {
    "name": "center",
    "in": "query",
    "required": False,
    "description": "センターの id（省略時は自分のセンター）",
    "schema": {"type": "string"},
}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {"code": _STRING, "message": _STRING},
            }
        },
    },
    "Center": {
        "type": "object",
        "required": ["id", "name"],
        "properties": {"id": _STRING, "name": _STRING},
    },
    "AlertChange": {
        "type": "object",
        "required": ["at", "actor", "action", "detail"],
        "properties": {
            "at": _TIME,
            "actor": _STRING,
            "action": _STRING,
            "detail": {"type": "object"},
        },
    },
    "Alert": {
        "type": "object",
        "required": [
            "id",
            "elder_id",
            "rule",
            "period",
            "title",
            "severity",
            "status",
            "stage",
            "created_at",
            "note",
        ],
        "properties": {
            "id": _STRING,
            "elder_id": _STRING,
            "elder_name": _nullable(_STRING),
            "rule": _STRING,
            "period": _STRING,
            "title": _STRING,
            "severity": {"type": "string", "enum": [s.value for s in Severity]},
            "status": {"type": "string", "enum": [s.value for s in AlertStatus]},
            "stage": {"type": "integer"},
            "created_at": _TIME,
            "claimed_by": _nullable(_STRING),
            "claimed_at": _nullable(_TIME),
            "outcome": _nullable({"type": "string", "enum": [o.value for o in Outcome]}),
            "note": _STRING,
            "resolved_at": _nullable(_TIME),
            "history": {"type": "array", "items": {"$ref": "#/components/schemas/AlertChange"}},
        },
    },
    "BoardElder": {
        "type": "object",
        "required": ["id", "name", "kana", "district", "paired", "slots", "alerts"],
        "properties": {
            "id": _STRING,
            "name": _STRING,
            "kana": _STRING,
            "district": _STRING,
            "paired": {"type": "boolean"},
            "consent_flag": _CONSENT_FLAG,
            "silent_days": _nullable({"type": "integer"}),
            "away": _nullable(
                {
                    "type": "object",
                    "required": ["kind", "start"],
                    "properties": {
                        "kind": {"type": "string", "enum": [k.value for k in AwayKind]},
                        "start": _TIME,
                        "end": _nullable(_TIME),
                    },
                }
            ),
            "slots": {
                "type": "object",
                "additionalProperties": {
                    "type": "string",
                    "enum": [s.value for s in SlotState],
                },
            },
            "alerts": {"type": "array", "items": {"$ref": "#/components/schemas/Alert"}},
        },
    },
    "Board": {
        "type": "object",
        "required": ["center", "date", "now", "slots", "districts", "counts", "elders"],
        "properties": {
            "center": {"$ref": "#/components/schemas/Center"},
            "date": {"type": "string", "format": "date"},
            "now": _TIME,
            "slots": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "label"],
                    "properties": {"id": _STRING, "label": _STRING},
                },
            },
            "districts": {"type": "array", "items": _STRING},
            "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
            "elders": {"type": "array", "items": {"$ref": "#/components/schemas/BoardElder"}},
        },
    },
    "Share": {
        "type": "object",
        "required": ["recipient", "what"],
        "properties": {"recipient": _STRING, "what": _STRING},
    },
    "Consent": _CONSENT,
    "Elder": {
        "type": "object",
        "required": [
            "id",
            "name",
            "kana",
            "district",
            "center_id",
            "municipality_code",
            "status",
            "watchable",
            "consent_flag",
            "consent",
        ],
        "properties": {
            "id": _STRING,
            "name": _STRING,
            "kana": _STRING,
            "district": _STRING,
            "center_id": _STRING,
            "municipality_code": _STRING,
            "status": {"type": "string", "enum": [s.value for s in ElderStatus]},
            "watchable": {"type": "boolean"},
            "consent_flag": _CONSENT_FLAG,
            "consent": _nullable(_CONSENT),
        },
    },
    "ElderList": {
        "type": "object",
        "required": ["elders"],
        "properties": {
            "elders": {"type": "array", "items": {"$ref": "#/components/schemas/Elder"}}
        },
    },
    "Inbox": {
        "type": "object",
        "required": ["center", "alerts"],
        "properties": {
            "center": {"$ref": "#/components/schemas/Center"},
            "alerts": {"type": "array", "items": {"$ref": "#/components/schemas/Alert"}},
        },
    },
    "Resolution": {
        "type": "object",
        "required": ["outcome"],
        "properties": {
            "outcome": {"type": "string", "enum": [o.value for o in Outcome]},
            "note": {"type": "string", "maxLength": 2000},
        },
    },
}

_AUTH_ERRORS = {
    "401": _error("トークンがない、または無効"),
    "503": {
        **_error("混雑のため処理できなかった（Retry-After 秒後にもう一度）"),
        "headers": {"Retry-After": {"schema": {"type": "integer", "minimum": 1}}},
    },
}


def document() -> dict[str, Any]:
    """Return the OpenAPI 3.0 document of ``/api/v1``."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "みまもり API",
            "version": "1",
            "description": (
                "センターの今日の様子とアラート。トークンは `mimamori user token` で発行し、"
                "`Authorization: Bearer <token>` で送ります。トークンは発行した職員と同じ範囲"
                "（センター・市町村）だけを扱えます。範囲外は 404 です。"
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": {
            "/board": {
                "get": {
                    "operationId": "getBoard",
                    "summary": "今日の様子（対応待ちのアラートがある方が先）",
                    "parameters": [
                        _CENTER,
                        {
                            "name": "district",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string"},
                        },
                    ],
                    "responses": {
                        "200": _ok("今日の様子", "Board"),
                        "404": _error("範囲外、または存在しないセンター"),
                        **_AUTH_ERRORS,
                    },
                }
            },
            "/elders": {
                "get": {
                    "operationId": "listElders",
                    "summary": (
                        "範囲内の利用者（プロフィールと同意の要約。ご家族の連絡先は含まない）"
                    ),
                    "parameters": [
                        {**_CENTER, "description": "センターの id（省略時は自分の範囲すべて）"}
                    ],
                    "responses": {
                        "200": _ok("利用者の一覧（ふりがな順）", "ElderList"),
                        "404": _error("範囲外、または存在しないセンター"),
                        **_AUTH_ERRORS,
                    },
                }
            },
            "/elders/{elder_id}": {
                "get": {
                    "operationId": "getElder",
                    "summary": "利用者のプロフィールと同意の要約",
                    "parameters": [_ELDER_ID],
                    "responses": {
                        "200": _ok("利用者", "Elder"),
                        "404": _error("範囲外、または存在しない利用者"),
                        **_AUTH_ERRORS,
                    },
                }
            },
            "/alerts": {
                "get": {
                    "operationId": "listAlerts",
                    "summary": "未対応・対応中のアラート（経過つき）",
                    "parameters": [_CENTER],
                    "responses": {
                        "200": _ok("アラートの一覧", "Inbox"),
                        "404": _error("範囲外、または存在しないセンター"),
                        **_AUTH_ERRORS,
                    },
                }
            },
            "/alerts/{alert_id}": {
                "get": {
                    "operationId": "getAlert",
                    "summary": "アラートと経過",
                    "parameters": [_ALERT_ID],
                    "responses": {
                        "200": _ok("アラート", "Alert"),
                        "404": _error("範囲外、または存在しないアラート"),
                        **_AUTH_ERRORS,
                    },
                }
            },
            "/alerts/{alert_id}/claim": {
                "post": {
                    "operationId": "claimAlert",
                    "summary": "「私が確認します」",
                    "parameters": [_ALERT_ID],
                    "responses": {
                        "200": _ok("引き受けたアラート", "Alert"),
                        "404": _error("範囲外、または存在しないアラート"),
                        "409": _error("ほかの方がすでに引き受けている、または対応済み"),
                        **_AUTH_ERRORS,
                    },
                }
            },
            "/alerts/{alert_id}/resolve": {
                "post": {
                    "operationId": "resolveAlert",
                    "summary": "対応の結果とメモを記録して閉じる",
                    "parameters": [_ALERT_ID],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Resolution"}
                            }
                        },
                    },
                    "responses": {
                        "200": _ok("対応済みのアラート", "Alert"),
                        "400": _error("本文が正しくない"),
                        "404": _error("範囲外、または存在しないアラート"),
                        "409": _error("すでに対応済み"),
                        **_AUTH_ERRORS,
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": SCHEMAS,
        },
    }
