"""DynamoDB repository of the question sets and policies published from the dashboard."""

from __future__ import annotations

from backend.domain.errors import Conflict, NotFound
from backend.domain.versions import ConfigKind, ConfigVersion
from backend.ports import ConfigVersionRepository
from backend.stores.dynamodb.base import DynamoRepository, item
from backend.stores.dynamodb.codec import aware


def _config_pk(kind: ConfigKind, code: str) -> str:
    return f"CONFIG#{ConfigKind(kind).value}#{code}"


def _version_sk(version: int) -> str:
    return f"V#{version:010d}"


HEAD = "#HEAD"


class DynamoConfigVersionRepository(DynamoRepository, ConfigVersionRepository):
    """Versions CONFIG#<kind>#<code> / V#<version>, and a #HEAD copy of the newest (gsi1)."""

    def add(self, version: ConfigVersion) -> None:
        """Store a version; Conflict if it exists, NotFound without its municipality."""
        aware(version.published_at)
        if version.version < 0:
            raise ValueError("a version number is never negative")
        pk = _config_pk(version.kind, version.municipality_code)
        if self._exists(pk, _version_sk(version.version)):
            raise Conflict(f"{version.kind} {version.municipality_code} v{version.version} exists")
        if not self._exists(f"MUNI#{version.municipality_code}", "#MUNI"):
            raise NotFound(f"municipality {version.municipality_code} does not exist")
        self._s.put(item("config-version", pk, _version_sk(version.version), version))
        head = self._s.get(pk, HEAD)  # read, so that two publishers at once conflict
        if head is None or int(head["version"]) < version.version:
            kind = ConfigKind(version.kind).value
            heads = {"gsi1pk": f"CONFIGS#{kind}", "gsi1sk": version.municipality_code}
            self._s.put(item("config-head", pk, HEAD, version, **heads))

    def get(self, kind: ConfigKind, code: str, version: int) -> ConfigVersion | None:
        """Return one version, or None."""
        return self._get(ConfigVersion, _config_pk(kind, code), _version_sk(version))

    def latest(self, kind: ConfigKind, code: str) -> ConfigVersion | None:
        """Return the municipality's newest version of this kind (its head), or None."""
        return self._get(ConfigVersion, _config_pk(kind, code), HEAD)

    def list_for(self, kind: ConfigKind, code: str) -> list[ConfigVersion]:
        """Return the municipality's versions of this kind, newest first."""
        found = self._query(ConfigVersion, _config_pk(kind, code), ("begins", "V#"))
        return sorted(found, key=lambda v: v.version, reverse=True)

    def latest_all(self, kind: ConfigKind) -> list[ConfigVersion]:
        """Return the newest version of this kind of every municipality, by municipality code."""
        found = self._query(ConfigVersion, f"CONFIGS#{ConfigKind(kind).value}", index="gsi1")
        return sorted(found, key=lambda v: v.municipality_code)
