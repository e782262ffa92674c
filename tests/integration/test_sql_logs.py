"""SQL errors and logs carry no statement parameters: they would quote personal data."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from backend.domain.errors import Conflict
from backend.stores.sql.uow import SqlUnitOfWork, make_engine
from tests.builders import make_elder, seed
from tests.databases import fresh_postgres, fresh_sqlite

NAME, KANA = "山田 花子", "やまだ はなこ"
log = logging.getLogger("backend.web")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request, tmp_path: Path) -> Iterator:
    if request.param == "sqlite":
        engine = make_engine(fresh_sqlite(tmp_path))
        yield engine
        engine.dispose()
        return
    with fresh_postgres() as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


def test_a_key_violation_logged_with_its_traceback_quotes_no_parameter(
    engine, caplog: pytest.LogCaptureFixture
) -> None:
    with SqlUnitOfWork(engine) as uow:
        seed(uow, make_elder(name=NAME, kana=KANA))
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        try:
            uow.elders.add(make_elder(name=NAME, kana=KANA))
        except Conflict as err:
            log.exception("the elder was not stored")  # as an unhandled error is logged
            cause = err.__cause__
    assert type(cause).__name__ == "IntegrityError"
    assert "parameters hidden" in str(cause)
    for text in (str(cause), caplog.text):
        assert NAME not in text
        assert KANA not in text


def test_the_engine_s_statement_log_quotes_no_parameter(
    engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    with SqlUnitOfWork(engine) as uow:
        seed(uow, make_elder(name=NAME, kana=KANA))
        uow.commit()
    assert "INSERT INTO elders" in caplog.text
    assert NAME not in caplog.text
    assert KANA not in caplog.text
