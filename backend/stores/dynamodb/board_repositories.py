"""DynamoDB repository of the today board, from the elder, check-in and away repositories."""

from __future__ import annotations

from datetime import date, datetime

from backend.domain.model import AwayPeriod
from backend.domain.staff import BoardEntry
from backend.ports import (
    BoardRepository,
)
from backend.stores.dynamodb.base import DynamoRepository
from backend.stores.dynamodb.checkin_repositories import DynamoAwayRepository, checkins_between
from backend.stores.dynamodb.elder_repositories import DynamoElderRepository, bindings_of


class DynamoBoardRepository(DynamoRepository, BoardRepository):
    """The today board from the center's elders, their check-ins and bindings."""

    def center_board(self, center_id: str, day: date, since: date) -> list[BoardEntry]:
        """Return every elder of the center with what the board shows."""
        entries = []
        for elder in DynamoElderRepository(self._s).list_for_center(center_id):
            window = checkins_between(self._s, elder.id, min(since, day), day)
            opened = [c.started_at for c in window if since <= c.date <= day]
            bound = [b.bound_at for b in bindings_of(self._s, elder.id)]
            entries.append(
                BoardEntry(
                    elder=elder,
                    checkins=tuple(c for c in window if c.date == day),
                    last_checkin_at=max(opened) if opened else None,
                    bound_at=min(bound) if bound else None,
                )
            )
        return entries

    def center_away(
        self, center_id: str, start: datetime, end: datetime
    ) -> dict[str, list[AwayPeriod]]:
        """Return the periods of the center's elders overlapping ``[start, end)``, by elder."""
        elders = self._s.query(f"CENTER#{center_id}#ELDERS", index="gsi1")
        found = DynamoAwayRepository(self._s).active_for_elders(
            [e["id"] for e in elders], start, end
        )
        return {elder_id: periods for elder_id, periods in found.items() if periods}
