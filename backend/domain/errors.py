"""Domain errors."""


class DomainError(Exception):
    """Base class of domain errors."""


class InvalidMunicipalityCode(DomainError, ValueError):
    """A municipality code is not a valid 全国地方公共団体コード."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(f"市町村コード {code!r}: {reason}")
        self.code = code
        self.reason = reason


class NotFound(DomainError, LookupError):
    """A requested record does not exist."""


class Conflict(DomainError):
    """A record with the same key already exists."""


class StoreBusy(DomainError):
    """The store could not take a lock now; the whole unit of work may be tried again."""


class ConcurrentWrite(StoreBusy, Conflict):
    """Another unit of work changed what this one read (a failed conditional write).

    Nothing of the unit was applied (on DynamoDB, nothing of the failed transaction: a unit
    of more than 100 writes may have had earlier transactions applied, see ``backend.ports``);
    like StoreBusy, the whole unit may be tried again (on the retry it sees the other unit's
    work, e.g. an alert key now taken).
    """
