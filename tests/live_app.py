"""The whole app (``backend.web.create_app``) on a real port, with LINE configured, for edge tests.

Real SQLite (migrated, demo data), real HTTP through ``http.client``, Alexa signature
verification off unless a verifier is given. ``snapshot()`` reads every table, so a test
can say "nothing was stored".
"""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, select

from backend.bootstrap import bootstrap
from backend.services import demo
from backend.services.context import Services
from tests.clock import FakeClock
from tests.databases import fresh_sqlite
from tests.line import ACCESS_TOKEN, CHANNEL_SECRET, line_settings

SKILL_ID = "amzn1.ask.skill.test"
TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class Answer:
    """One HTTP response as the client saw it."""

    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class LiveApp:
    """A running app, its services and its database."""

    host: str
    port: int
    services: Services
    database_url: str
    demo: demo.DemoData

    def post(
        self,
        path: str,
        body: bytes | Iterable[bytes],
        headers: Mapping[str, str] | None = None,
    ) -> Answer:
        """POST body; an iterable of chunks goes out chunked (no Content-Length)."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT_SECONDS)
        try:
            chunked = not isinstance(body, bytes)
            connection.request(
                "POST", path, body=body, headers=dict(headers or {}), encode_chunked=chunked
            )
            response = connection.getresponse()
            return Answer(response.status, response.read())
        finally:
            connection.close()

    def snapshot(self) -> dict[str, list[str]]:
        """Every row of every table (what a refused request must leave unchanged)."""
        return every_row(self._engine, self._tables)

    @cached_property
    def _engine(self) -> Engine:
        return create_engine(self.database_url)

    @cached_property
    def _tables(self) -> MetaData:
        metadata = MetaData()
        metadata.reflect(self._engine)
        return metadata


def every_row(engine: Engine, metadata: MetaData | None = None) -> dict[str, list[str]]:
    """Every row of every table of a database (reflected unless ``metadata`` is given)."""
    if metadata is None:
        metadata = MetaData()
        metadata.reflect(engine)
    with engine.connect() as connection:
        return {
            name: sorted(map(repr, connection.execute(select(table))))
            for name, table in sorted(metadata.tables.items())
        }


@contextmanager
def live_app(
    folder: Path, clock: FakeClock, *, verifier: object | None = None
) -> Iterator[LiveApp]:
    """Serve the app on 127.0.0.1 (werkzeug, threaded) until the block ends."""
    from werkzeug.serving import make_server

    from backend.web import create_app

    database_url = fresh_sqlite(folder)
    settings = line_settings(
        database_url=database_url,
        alexa_skill_id=SKILL_ID,
        alexa_verify_signature=verifier is not None,
        secret_key="k" * 32,
        line_channel_secret=CHANNEL_SECRET,
        line_channel_access_token=ACCESS_TOKEN,
        line_api_base="http://127.0.0.1:9",  # nothing is sent to LINE by these tests
        media_url=f"file://{folder / 'media'}",
    )
    services = bootstrap(settings, clock=clock)
    data = demo.seed(services, with_notices=False)
    server = make_server(
        "127.0.0.1", 0, create_app(settings, services, verifier=verifier), threaded=True
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    live = LiveApp("127.0.0.1", server.port, services, database_url, data)
    try:
        yield live
    finally:
        server.shutdown()
        thread.join(TIMEOUT_SECONDS)
        server.server_close()
        if "_engine" in live.__dict__:
            live._engine.dispose()
