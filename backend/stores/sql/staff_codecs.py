"""Row <-> domain mapping of the dashboard tables: sessions, audit, tokens, versions, contacts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backend.domain.contacts import Contact, ElderContacts
from backend.domain.staff import ApiToken, AuditEntry, StaffSession
from backend.domain.versions import ConfigKind, ConfigVersion
from backend.stores.sql.column_types import optional_utc, to_utc


def session_to_row(session: StaffSession) -> dict[str, Any]:
    """Return the ``staff_sessions`` row of a session."""
    return {
        "id": session.id,
        "user_id": session.user_id,
        "data": dict(session.data),
        "created_at": to_utc(session.created_at),
        "last_seen_at": to_utc(session.last_seen_at),
    }


def session_from_row(row: Mapping[str, Any]) -> StaffSession:
    """Return the session of a ``staff_sessions`` row."""
    return StaffSession(
        id=row["id"],
        user_id=row["user_id"],
        data=dict(row["data"] or {}),
        created_at=row["created_at"],
        last_seen_at=row["last_seen_at"],
    )


def audit_to_row(entry: AuditEntry) -> dict[str, Any]:
    """Return the ``audit_log`` row of an entry (without its surrogate id)."""
    return {
        "at": to_utc(entry.at),
        "actor": entry.actor,
        "action": entry.action,
        "elder_id": entry.elder_id,
        "detail": dict(entry.detail),
    }


def audit_from_row(row: Mapping[str, Any]) -> AuditEntry:
    """Return the entry of an ``audit_log`` row."""
    return AuditEntry(
        at=row["at"],
        actor=row["actor"],
        action=row["action"],
        elder_id=row["elder_id"],
        detail=dict(row["detail"] or {}),
    )


def api_token_to_row(token: ApiToken) -> dict[str, Any]:
    """Return the ``api_tokens`` row of a token."""
    return {
        "id": token.id,
        "user_id": token.user_id,
        "name": token.name,
        "created_at": to_utc(token.created_at),
        "revoked_at": optional_utc(token.revoked_at),
    }


def api_token_from_row(row: Mapping[str, Any]) -> ApiToken:
    """Return the token of an ``api_tokens`` row."""
    return ApiToken(
        id=row["id"],
        user_id=row["user_id"],
        name=row["name"],
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
    )


def config_version_to_row(version: ConfigVersion) -> dict[str, Any]:
    """Return the ``config_versions`` row of a published version."""
    return {
        "kind": ConfigKind(version.kind).value,
        "municipality_code": version.municipality_code,
        "version": version.version,
        "text": version.text,
        "published_by": version.published_by,
        "published_at": version.published_at,
    }


def config_version_from_row(row: Mapping[str, Any]) -> ConfigVersion:
    """Return the published version of a ``config_versions`` row."""
    return ConfigVersion(
        kind=ConfigKind(row["kind"]),
        municipality_code=row["municipality_code"],
        version=row["version"],
        text=row["text"],
        published_by=row["published_by"],
        published_at=row["published_at"],
    )


def contacts_to_row(contacts: ElderContacts) -> dict[str, Any]:
    """Return the ``elder_contacts`` row of an elder's contacts."""
    return {
        "elder_id": contacts.elder_id,
        "phone": contacts.phone,
        "address": contacts.address,
        "emergency": [
            {"name": c.name, "relation": c.relation, "phone": c.phone} for c in contacts.emergency
        ],
        "key_holder": contacts.key_holder,
        "minsei_name": contacts.minsei_name,
        "minsei_phone": contacts.minsei_phone,
        "consented_on": contacts.consented_on,
        "updated_at": contacts.updated_at,
        "updated_by": contacts.updated_by,
    }


def contacts_from_row(row: Mapping[str, Any]) -> ElderContacts:
    """Return the elder's contacts of an ``elder_contacts`` row."""
    return ElderContacts(
        elder_id=row["elder_id"],
        consented_on=row["consented_on"],
        updated_at=row["updated_at"],
        updated_by=row["updated_by"],
        phone=row["phone"],
        address=row["address"],
        emergency=tuple(
            Contact(c["name"], c["relation"], c["phone"]) for c in row["emergency"] or ()
        ),
        key_holder=row["key_holder"],
        minsei_name=row["minsei_name"],
        minsei_phone=row["minsei_phone"],
    )
