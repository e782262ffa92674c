"""The DynamoDB unit of work: buffered writes applied on commit."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

from backend.ports import AbstractUnitOfWork
from backend.stores.dynamodb.alert_repositories import (
    DynamoAlertRepository,
    DynamoOutboxRepository,
    DynamoRecipientRepository,
)
from backend.stores.dynamodb.board_repositories import DynamoBoardRepository
from backend.stores.dynamodb.checkin_repositories import (
    DynamoAnswerRepository,
    DynamoAwayRepository,
    DynamoCheckInRepository,
    DynamoEventRepository,
    DynamoReadingRepository,
)
from backend.stores.dynamodb.config_repositories import DynamoConfigVersionRepository
from backend.stores.dynamodb.contact_repositories import DynamoContactRepository
from backend.stores.dynamodb.elder_repositories import (
    DynamoCenterRepository,
    DynamoDeviceRepository,
    DynamoElderRepository,
    DynamoMunicipalityRepository,
)
from backend.stores.dynamodb.family_repositories import (
    DynamoFamilyRepository,
    DynamoLineInboxRepository,
)
from backend.stores.dynamodb.job_run_repositories import DynamoJobRunRepository
from backend.stores.dynamodb.notice_repositories import (
    DynamoNoticeDeliveryRepository,
    DynamoNoticeRepository,
)
from backend.stores.dynamodb.privacy_repositories import DynamoPrivacyRepository
from backend.stores.dynamodb.staff_repositories import (
    DynamoApiTokenRepository,
    DynamoAuditRepository,
    DynamoLoginFailureRepository,
    DynamoSessionRepository,
    DynamoUserRepository,
)
from backend.stores.dynamodb.table import TableSession


class DynamoUnitOfWork(AbstractUnitOfWork):
    """Every repository over one table session; writes wait for ``commit``.

    Reads see this unit's own writes. ``commit`` applies them with TransactWriteItems
    (see ``TableSession``); leaving the ``with`` block drops what was not committed.
    """

    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table
        self._session: TableSession | None = None

    def __enter__(self) -> Self:
        """Start a fresh session and build the repositories."""
        if self._session is not None:
            raise RuntimeError("this unit of work is already open")
        session = self._session = TableSession(self._client, self._table)
        self.municipalities = DynamoMunicipalityRepository(session)
        self.centers = DynamoCenterRepository(session)
        self.elders = DynamoElderRepository(session)
        self.devices = DynamoDeviceRepository(session)
        self.checkins = DynamoCheckInRepository(session)
        self.answers = DynamoAnswerRepository(session)
        self.events = DynamoEventRepository(session)
        self.users = DynamoUserRepository(session)
        self.away = DynamoAwayRepository(session)
        self.readings = DynamoReadingRepository(session)
        self.alerts = DynamoAlertRepository(session)
        self.recipients = DynamoRecipientRepository(session)
        self.outbox = DynamoOutboxRepository(session)
        self.notices = DynamoNoticeRepository(session)
        self.notice_deliveries = DynamoNoticeDeliveryRepository(session)
        self.sessions = DynamoSessionRepository(session)
        self.login_failures = DynamoLoginFailureRepository(session)
        self.audit = DynamoAuditRepository(session)
        self.api_tokens = DynamoApiTokenRepository(session)
        self.board = DynamoBoardRepository(session)
        self.line_inbox = DynamoLineInboxRepository(session)
        self.family = DynamoFamilyRepository(session)
        self.config_versions = DynamoConfigVersionRepository(session)
        self.privacy = DynamoPrivacyRepository(session)
        self.contacts = DynamoContactRepository(session)
        self.job_runs = DynamoJobRunRepository(session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Drop whatever was not committed."""
        session, self._session = self._session, None
        if session is not None:
            session.rollback()

    @property
    def session(self) -> TableSession:
        """Return the open session (only inside ``with``)."""
        if self._session is None:
            raise RuntimeError("the unit of work is not open; use it in a with block")
        return self._session

    def commit(self) -> None:
        """Apply the buffered writes (ConcurrentWrite if another unit changed what was read)."""
        self.session.commit()

    def rollback(self) -> None:
        """Drop the buffered writes."""
        self.session.rollback()
