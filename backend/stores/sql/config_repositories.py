"""SQL repository of the question sets and policies published from the dashboard."""

from __future__ import annotations

from sqlalchemy import bindparam, func, insert, select

from backend.domain.versions import ConfigKind, ConfigVersion
from backend.ports import ConfigVersionRepository
from backend.stores.sql import tables as t
from backend.stores.sql.base import SqlRepository, mapping
from backend.stores.sql.staff_codecs import config_version_from_row, config_version_to_row

_cv = t.config_versions.c
_GET = select(t.config_versions).where(
    _cv.kind == bindparam("kind"),
    _cv.municipality_code == bindparam("code"),
    _cv.version == bindparam("version"),
)
_LIST = (
    select(t.config_versions)
    .where(_cv.kind == bindparam("kind"), _cv.municipality_code == bindparam("code"))
    .order_by(_cv.version.desc())
)
_HEADS = (
    select(_cv.municipality_code, func.max(_cv.version).label("version"))
    .where(_cv.kind == bindparam("kind"))
    .group_by(_cv.municipality_code)
    .subquery()
)
_LATEST_ALL = (
    select(t.config_versions)
    .join(
        _HEADS,
        (_HEADS.c.municipality_code == _cv.municipality_code) & (_HEADS.c.version == _cv.version),
    )
    .where(_cv.kind == bindparam("kind"))
)


class SqlConfigVersionRepository(SqlRepository, ConfigVersionRepository):
    """Published versions in the ``config_versions`` table."""

    def add(self, version: ConfigVersion) -> None:
        """Store a version; Conflict if it exists, NotFound without the municipality."""
        what = f"{version.kind} {version.municipality_code} v{version.version}"
        self._insert(insert(t.config_versions), config_version_to_row(version), what)

    def get(self, kind: ConfigKind, code: str, version: int) -> ConfigVersion | None:
        """Return one version, or None."""
        params = {"kind": ConfigKind(kind).value, "code": code, "version": version}
        row = self._connection.execute(_GET, params).first()
        return None if row is None else config_version_from_row(mapping(row))

    def latest(self, kind: ConfigKind, code: str) -> ConfigVersion | None:
        """Return the newest version, or None."""
        params = {"kind": ConfigKind(kind).value, "code": code}
        row = self._connection.execute(_LIST.limit(1), params).first()
        return None if row is None else config_version_from_row(mapping(row))

    def list_for(self, kind: ConfigKind, code: str) -> list[ConfigVersion]:
        """Return the versions, newest first."""
        rows = self._connection.execute(_LIST, {"kind": ConfigKind(kind).value, "code": code})
        return [config_version_from_row(mapping(row)) for row in rows]

    def latest_all(self, kind: ConfigKind) -> list[ConfigVersion]:
        """Return each municipality's newest version, by municipality code."""
        rows = self._connection.execute(_LATEST_ALL, {"kind": ConfigKind(kind).value})
        found = [config_version_from_row(mapping(row)) for row in rows]
        return sorted(found, key=lambda v: v.municipality_code)
