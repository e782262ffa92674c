"""POST /alexa end to end: a real server on 127.0.0.1, real HTTP, signed requests, real SQLite.

The app is the one ``mimamori serve`` runs (``backend.web.create_app``), on a temp-file SQLite
database upgraded with the migrations and seeded with the demo data. Its Alexa verifier trusts
only a local throwaway root (``tests.alexa_signing``) and downloads certificate chains from a
stand-in for s3.amazonaws.com, after checking the URL rules. One clock drives both the services
and the verifier. Nothing is read from ``os.environ``.
"""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource
from sqlalchemy import Engine, select
from werkzeug.serving import BaseWSGIServer, make_server

from backend.bootstrap import bootstrap
from backend.domain.model import Answer, AnswerSource, CheckIn, CheckInStatus
from backend.services import demo
from backend.services.context import Services
from backend.settings import Settings
from backend.stores.sql import migrate
from backend.stores.sql import tables as t
from backend.stores.sql.uow import SqlUnitOfWork, make_engine
from backend.web import MAX_BODY_BYTES, create_app
from skill.verifier import AlexaRequestVerifier
from tests.alexa_fixtures import alexa_timestamp, load_envelope
from tests.alexa_signing import DEFAULT_CERT_URL, TestChain, make_chain, signed_headers

SKILL_ID = "amzn1.ask.skill.test"
OTHER_SKILL_ID = "amzn1.ask.skill.someone-else"
JST = ZoneInfo("Asia/Tokyo")
# 2026-11-23 is a Monday: the morning slot (06:00-10:30) includes the weekly weight question.
MONDAY_0730_JST = datetime(2026, 11, 23, 7, 30, tzinfo=JST)

DEMO_USER_ID = demo.alexa_user_id("demo-1")  # amzn1.ask.account.demo-1
DEMO_DEVICE_ID = demo.alexa_device_id("demo-1")  # amzn1.ask.device.demo-1
DEMO_ELDER_ID = "demo-elder-1"  # 山田 ハナ, the elder bound to demo-1
OTHER_DEVICE_ID = demo.alexa_device_id("demo-2")

# A well-formed Alexa certificate URL that serves a chain under a root the app does not trust.
UNTRUSTED_CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-untrusted.pem"
TIMEOUT_SECONDS = 10
SHUTDOWN_POLL_SECONDS = 0.02  # how soon serve_forever notices shutdown()
SECONDS_BETWEEN_TURNS = 8


# --- the live server --------------------------------------------------------------------------


class IsolatedSettings(Settings):
    """The app's Settings, built from keyword arguments only: never from the environment."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


class Clock:
    """The one clock of the app's services and of its request verifier; tests move it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


class CertificateHost:
    """Stands in for s3.amazonaws.com: serves PEM chains by URL and records every download."""

    def __init__(self, chains: Mapping[str, bytes]) -> None:
        self.chains = dict(chains)
        self.downloads: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.downloads.append(url)
        if url not in self.chains:
            raise OSError(f"HTTP 404 for {url}")
        return self.chains[url]


@dataclass(frozen=True)
class HttpResult:
    """One HTTP response as the client saw it."""

    status: int
    content_type: str
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def encode(envelope: dict) -> bytes:
    """The JSON bytes of an envelope (UTF-8, compact, as Alexa sends them)."""
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def speech_of(response: dict) -> str:
    """The SSML a skill response asks Alexa to speak."""
    return ((response.get("response") or {}).get("outputSpeech") or {}).get("ssml") or ""


@dataclass
class LiveApp:
    """A running server and what a test needs to talk to it and to look into its database."""

    host: str
    port: int
    services: Services
    engine: Engine
    clock: Clock
    certificates: CertificateHost
    chain: TestChain
    _request_numbers: Iterator[int] = field(default_factory=lambda: count(1))

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> HttpResult:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT_SECONDS)
        try:
            connection.request(method, path, body=body, headers=dict(headers or {}))
            response = connection.getresponse()
            return HttpResult(
                response.status, response.getheader("Content-Type") or "", response.read()
            )
        finally:
            connection.close()

    def post_alexa(self, body: bytes, headers: Mapping[str, str] | None = None) -> HttpResult:
        """POST exactly these bytes to /alexa, with these headers and a JSON content type."""
        return self.request(
            "POST", "/alexa", body, {"Content-Type": "application/json", **(headers or {})}
        )

    def send_signed(self, envelope: dict) -> HttpResult:
        """Serialize the envelope, sign those exact bytes with the trusted chain, and POST."""
        body = encode(envelope)
        return self.post_alexa(body, signed_headers(self.chain, body))

    def envelope(
        self,
        name: str,
        *,
        attributes: dict[str, Any] | None = None,
        request_id: str | None = None,
    ) -> dict:
        """A fixture envelope from demo-1 to this skill, stamped with the clock's time."""
        return load_envelope(
            name,
            skill_id=SKILL_ID,
            user_id=DEMO_USER_ID,
            device_id=DEMO_DEVICE_ID,
            timestamp=self.clock(),
            request_id=request_id
            or f"amzn1.echo-api.request.e2e-{next(self._request_numbers):04d}",
            attributes=attributes,
        )

    def table_rows(self, table_name: str) -> list[dict[str, Any]]:
        """Every row of an SQL table, as plain dicts, in primary-key order."""
        table = t.metadata.tables[table_name]
        with SqlUnitOfWork(self.engine) as uow:
            rows = uow.connection.execute(select(table).order_by(*table.primary_key.columns))
            return [dict(row._mapping) for row in rows]

    def snapshot(self) -> dict[str, list[dict[str, Any]]]:
        """What a check-in request can change: the answers, check-ins and events tables."""
        return {name: self.table_rows(name) for name in ("answers", "checkins", "events")}

    def answers(self, elder_id: str = DEMO_ELDER_ID) -> list[Answer]:
        """The elder's answers of today (JST), read through the SQL store."""
        today = self.clock().astimezone(JST).date()
        with SqlUnitOfWork(self.engine) as uow:
            return uow.answers.list_for_elder(elder_id, today, today)

    def checkins(self, elder_id: str = DEMO_ELDER_ID) -> list[CheckIn]:
        """The elder's check-ins of today (JST), read through the SQL store."""
        today = self.clock().astimezone(JST).date()
        with SqlUnitOfWork(self.engine) as uow:
            return uow.checkins.list_for_elder(elder_id, today, today)

    def launch(self) -> dict:
        """Open the skill on demo-1 with a valid signed LaunchRequest; return the response."""
        result = self.send_signed(self.envelope("launch_request"))
        assert result.status == 200, result.body
        return result.json()

    def next_turn(self) -> None:
        """Let a few seconds pass, as between two things the elder says."""
        self.clock.advance(SECONDS_BETWEEN_TURNS)


@pytest.fixture(scope="module")
def chain() -> TestChain:
    """The local stand-in for Amazon's signing chain; its root is the only one trusted."""
    return make_chain()


@pytest.fixture(scope="module")
def untrusted_chain() -> TestChain:
    """A correct-looking chain (SAN echo-api.amazon.com, other keys) under an untrusted root."""
    return make_chain(key_set=1)


@pytest.fixture
def clock() -> Clock:
    return Clock(MONDAY_0730_JST.astimezone(UTC))


@pytest.fixture
def serve(
    tmp_path: Path, chain: TestChain, untrusted_chain: TestChain, clock: Clock
) -> Iterator[Callable[..., LiveApp]]:
    """Start a live server (each on its own database); every one stops at teardown."""
    started: list[tuple[BaseWSGIServer, threading.Thread, Engine]] = []
    numbers = count(1)

    def start(*, verify_signature: bool = True) -> LiveApp:
        database_url = f"sqlite:///{tmp_path / f'mimamori-{next(numbers)}.db'}"
        settings = IsolatedSettings(
            alexa_skill_id=SKILL_ID,
            secret_key="x",
            database_url=database_url,
            alexa_verify_signature=verify_signature,
        )
        migrate.upgrade(database_url)
        engine = make_engine(database_url)
        services = bootstrap(settings, uow=lambda: SqlUnitOfWork(engine), clock=clock)
        demo.seed(services, with_notices=False)  # notices: tests/e2e/test_notices_endpoint.py
        certificates = CertificateHost(
            {DEFAULT_CERT_URL: chain.chain_pem, UNTRUSTED_CERT_URL: untrusted_chain.chain_pem}
        )
        verifier = AlexaRequestVerifier(
            skill_id=SKILL_ID, trusted_roots=[chain.root], fetch=certificates, clock=clock
        )
        app = create_app(settings, services, verifier=verifier)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": SHUTDOWN_POLL_SECONDS},
            name=f"e2e-server-{server.server_port}",
            daemon=True,
        )
        thread.start()
        started.append((server, thread, engine))
        return LiveApp(
            host="127.0.0.1",
            port=server.server_port,
            services=services,
            engine=engine,
            clock=clock,
            certificates=certificates,
            chain=chain,
        )

    yield start

    for server, thread, engine in reversed(started):
        server.shutdown()
        thread.join(TIMEOUT_SECONDS)
        server.server_close()
        engine.dispose()


@pytest.fixture
def live(serve: Callable[..., LiveApp]) -> LiveApp:
    """A live server that verifies Alexa signatures, as in production."""
    return serve()


# --- a valid conversation -----------------------------------------------------------------


class TestAValidSignedConversation:
    def test_a_launch_at_0730_jst_on_monday_is_greeted_good_morning_and_the_session_continues(
        self, live: LiveApp
    ) -> None:
        assert live.clock().astimezone(JST).strftime("%a %H:%M") == "Mon 07:30"

        result = live.send_signed(live.envelope("launch_request"))

        assert result.status == 200
        assert result.content_type.startswith("application/json")
        response = result.json()
        speech = speech_of(response)
        assert "山田 ハナさん、おはようございます。" in speech
        assert "今日の体調はいかがですか" in speech
        assert response["response"]["shouldEndSession"] is False
        assert response["sessionAttributes"]["state"]["q"] == "condition"
        assert [c.status for c in live.checkins()] == [CheckInStatus.STARTED]
        (directive,) = response["response"]["directives"]
        assert directive["type"] == "Alexa.Presentation.APL.RenderDocument"
        assert directive["document"]["type"] == "APL"
        assert directive["document"]["mainTemplate"]["parameters"] == ["payload"]
        buttons = directive["datasources"]["checkin"]["buttons"]
        assert [b["label"] for b in buttons] == ["元気", "まあまあ", "悪い", "わからない", "あとで"]

    def test_an_answer_intent_in_the_same_session_is_stored(self, live: LiveApp) -> None:
        launched = live.launch()
        live.next_turn()
        answer = live.envelope("answer_intent_good", attributes=launched["sessionAttributes"])

        result = live.send_signed(answer)

        assert result.status == 200
        response = result.json()
        assert "ありがとうございます。" in speech_of(response)
        assert response["response"]["shouldEndSession"] is False
        assert response["sessionAttributes"]["state"]["q"] == "sleep"
        [stored] = live.answers()
        assert (stored.question_id, stored.value, stored.raw) == ("condition", "good", "元気")
        assert stored.source is AnswerSource.VOICE
        assert stored.request_id == answer["request"]["requestId"]
        assert stored.checkin_id == live.checkins()[0].id

    def test_a_touch_on_the_screen_is_stored_like_the_spoken_answer(self, live: LiveApp) -> None:
        launched = live.launch()
        live.next_turn()

        result = live.send_signed(
            live.envelope("apl_user_event", attributes=launched["sessionAttributes"])
        )

        assert result.status == 200
        [stored] = live.answers()
        assert (stored.question_id, stored.value, stored.source) == (
            "condition",
            "good",
            AnswerSource.TOUCH,
        )

    def test_a_whole_monday_morning_is_answered_read_back_and_completed(
        self, live: LiveApp
    ) -> None:
        def choice(answer_id: str, words: str) -> Callable[[dict], dict]:
            def build(attributes: dict) -> dict:
                envelope = live.envelope("answer_intent_good", attributes=attributes)
                slot = envelope["request"]["intent"]["slots"]["answer"]
                for resolved in (slot, slot["slotValue"]):
                    resolved["value"] = words
                    value = resolved["resolutions"]["resolutionsPerAuthority"][0]["values"][0]
                    value["value"] = {"name": words, "id": answer_id}
                return envelope

            return build

        def fixture(name: str) -> Callable[[dict], dict]:
            return lambda attributes: live.envelope(name, attributes=attributes)

        # What the elder says to each question; numbers are read back and confirmed with はい.
        replies = {
            "condition": [fixture("answer_intent_good")],
            "sleep": [choice("slept_well", "よく眠れた")],
            "medication": [choice("took", "飲んだ")],
            "breakfast": [choice("ate", "食べた")],
            "blood_pressure": [fixture("blood_pressure_intent"), fixture("yes_intent")],
            "weight": [fixture("number_intent_weight"), fixture("yes_intent")],
        }
        response = live.launch()
        asked = []
        while not response["response"].get("shouldEndSession"):
            question = response["sessionAttributes"]["state"].get("q")
            if question is None:
                break  # the check-in is over: 奥州市 then offers today's quiz
            asked.append(question)
            assert len(asked) <= len(replies), f"asked again: {asked}"
            for build in replies[question]:
                live.next_turn()
                result = live.send_signed(build(response["sessionAttributes"]))
                assert result.status == 200, result.body
                response = result.json()

        assert asked == list(replies)
        assert "今日の分は、これでおしまいです。" in speech_of(response)
        assert "今日のクイズを、一つ出してもいいですか。</prosody>" in speech_of(response)
        stored = {a.question_id: a.value for a in live.answers()}
        assert stored == {
            "condition": "good",
            "sleep": "slept_well",
            "medication": True,
            "breakfast": "ate",
            "blood_pressure": {"systolic": 135, "diastolic": 85},
            "weight": 52.5,
        }
        assert [c.status for c in live.checkins()] == [CheckInStatus.COMPLETED]

    def test_a_session_ended_by_the_user_keeps_the_answer_and_marks_the_checkin_partial(
        self, live: LiveApp
    ) -> None:
        launched = live.launch()
        live.next_turn()
        answered = live.send_signed(
            live.envelope("answer_intent_good", attributes=launched["sessionAttributes"])
        ).json()
        live.next_turn()

        result = live.send_signed(
            live.envelope("session_ended_user_initiated", attributes=answered["sessionAttributes"])
        )

        assert result.status == 200
        assert "outputSpeech" not in result.json()["response"]
        assert [a.question_id for a in live.answers()] == ["condition"]
        assert [c.status for c in live.checkins()] == [CheckInStatus.PARTIAL]


# --- requests that must be refused ----------------------------------------------------------

Spoiler = Callable[[LiveApp, dict, TestChain], tuple[bytes, dict[str, str]]]


def _signed(live: LiveApp, envelope: dict) -> tuple[bytes, dict[str, str]]:
    body = encode(envelope)
    return body, signed_headers(live.chain, body)


def _without_header(name: str) -> Spoiler:
    def spoil(live: LiveApp, envelope: dict, untrusted: TestChain) -> tuple[bytes, dict[str, str]]:
        body, headers = _signed(live, envelope)
        del headers[name]
        return body, headers

    return spoil


def _body_changed_after_signing(
    live: LiveApp, envelope: dict, untrusted: TestChain
) -> tuple[bytes, dict[str, str]]:
    body, headers = _signed(live, envelope)
    # Same request, now claiming to come from another elder's speaker.
    tampered = body.replace(DEMO_DEVICE_ID.encode(), OTHER_DEVICE_ID.encode())
    assert tampered != body
    return tampered, headers


def _cert_url(url: str) -> Spoiler:
    def spoil(live: LiveApp, envelope: dict, untrusted: TestChain) -> tuple[bytes, dict[str, str]]:
        body = encode(envelope)
        return body, signed_headers(live.chain, body, url)

    return spoil


def _timestamp_151_seconds_old(
    live: LiveApp, envelope: dict, untrusted: TestChain
) -> tuple[bytes, dict[str, str]]:
    envelope["request"]["timestamp"] = alexa_timestamp(live.clock() - timedelta(seconds=151))
    return _signed(live, envelope)


def _another_skill_id(
    live: LiveApp, envelope: dict, untrusted: TestChain
) -> tuple[bytes, dict[str, str]]:
    envelope["session"]["application"]["applicationId"] = OTHER_SKILL_ID
    envelope["context"]["System"]["application"]["applicationId"] = OTHER_SKILL_ID
    return _signed(live, envelope)


def _malformed_json(
    live: LiveApp, envelope: dict, untrusted: TestChain
) -> tuple[bytes, dict[str, str]]:
    body = encode(envelope)[:-1]  # the closing brace is lost
    return body, signed_headers(live.chain, body)


def _untrusted_chain(
    live: LiveApp, envelope: dict, untrusted: TestChain
) -> tuple[bytes, dict[str, str]]:
    body = encode(envelope)
    return body, signed_headers(untrusted, body, UNTRUSTED_CERT_URL)


# (spoiler, whether the certificate chain may be downloaded before the request is refused)
REFUSED = [
    pytest.param(_without_header("SignatureCertChainUrl"), False, id="missing cert URL header"),
    pytest.param(_without_header("Signature-256"), False, id="missing Signature-256"),
    pytest.param(_body_changed_after_signing, True, id="body changed after signing"),
    pytest.param(
        _cert_url("http://s3.amazonaws.com/echo.api/echo-api-cert-12.pem"), False, id="http URL"
    ),
    pytest.param(
        _cert_url("https://notamazon.com/echo.api/echo-api-cert-12.pem"), False, id="another host"
    ),
    pytest.param(
        _cert_url("https://s3.amazonaws.com/invalid.path/echo-api-cert-12.pem"),
        False,
        id="path outside echo.api",
    ),
    pytest.param(
        _cert_url("https://s3.amazonaws.com:8443/echo.api/echo-api-cert-12.pem"),
        False,
        id="port 8443",
    ),
    pytest.param(_timestamp_151_seconds_old, True, id="timestamp 151 s old"),
    pytest.param(_another_skill_id, True, id="another skill id"),
    pytest.param(_malformed_json, True, id="malformed JSON"),
    pytest.param(_untrusted_chain, True, id="untrusted certificate chain"),
]


class TestARefusedRequest:
    @pytest.mark.parametrize(("spoil", "may_download"), REFUSED)
    def test_a_launch_gets_400_and_creates_no_checkin(
        self, live: LiveApp, untrusted_chain: TestChain, spoil: Spoiler, may_download: bool
    ) -> None:
        before = live.snapshot()
        assert before["checkins"] == []
        body, headers = spoil(live, live.envelope("launch_request"), untrusted_chain)

        result = live.post_alexa(body, headers)

        assert result.status == 400
        assert live.snapshot() == before
        assert live.checkins() == []
        if not may_download:
            assert live.certificates.downloads == []
        # The same launch, properly signed, does create the check-in.
        live.launch()
        assert len(live.checkins()) == 1

    @pytest.mark.parametrize(("spoil", "may_download"), REFUSED)
    def test_an_answer_gets_400_and_stores_nothing(
        self, live: LiveApp, untrusted_chain: TestChain, spoil: Spoiler, may_download: bool
    ) -> None:
        attributes = live.launch()["sessionAttributes"]
        live.next_turn()
        downloads = list(live.certificates.downloads)
        before = live.snapshot()
        body, headers = spoil(
            live, live.envelope("answer_intent_good", attributes=attributes), untrusted_chain
        )

        result = live.post_alexa(body, headers)

        assert result.status == 400
        assert live.snapshot() == before
        assert live.answers() == []
        if not may_download:
            assert live.certificates.downloads == downloads
        # The same answer, properly signed, is stored.
        proper = live.send_signed(live.envelope("answer_intent_good", attributes=attributes))
        assert proper.status == 200
        assert [a.question_id for a in live.answers()] == ["condition"]


class TestAnOversizedBody:
    def test_gets_413_and_stores_nothing(self, live: LiveApp) -> None:
        envelope = live.envelope("launch_request")
        envelope["request"]["padding"] = ""
        filler = MAX_BODY_BYTES + 1 - len(encode(envelope))
        envelope["request"]["padding"] = "x" * filler
        body = encode(envelope)
        assert len(body) == MAX_BODY_BYTES + 1
        before = live.snapshot()

        result = live.post_alexa(body, signed_headers(live.chain, body))

        assert result.status == 413
        assert live.snapshot() == before
        assert live.checkins() == []
        assert live.certificates.downloads == []


class TestTheHealthCheck:
    def test_answers_200_with_status_ok(self, live: LiveApp) -> None:
        result = live.request("GET", "/healthz")

        assert result.status == 200
        assert result.content_type.startswith("application/json")
        assert result.json() == {"status": "ok"}


class TestWithSignatureVerificationTurnedOff:
    def test_an_unsigned_request_with_the_right_skill_id_is_accepted(
        self, serve: Callable[..., LiveApp]
    ) -> None:
        live = serve(verify_signature=False)

        result = live.post_alexa(encode(live.envelope("launch_request")))

        assert result.status == 200
        assert "おはようございます" in speech_of(result.json())
        assert len(live.checkins()) == 1
        assert live.certificates.downloads == []

    def test_an_unsigned_request_with_another_skill_id_still_gets_400(
        self, serve: Callable[..., LiveApp]
    ) -> None:
        live = serve(verify_signature=False)
        envelope = live.envelope("launch_request")
        envelope["session"]["application"]["applicationId"] = OTHER_SKILL_ID
        envelope["context"]["System"]["application"]["applicationId"] = OTHER_SKILL_ID
        before = live.snapshot()

        result = live.post_alexa(encode(envelope))

        assert result.status == 400
        assert live.snapshot() == before
        assert live.checkins() == []


class TestAReplayedRequest:
    def test_the_same_signed_answer_sent_twice_within_150_s_is_stored_once(
        self, live: LiveApp
    ) -> None:
        attributes = live.launch()["sessionAttributes"]
        live.next_turn()
        body = encode(live.envelope("answer_intent_good", attributes=attributes))
        headers = signed_headers(live.chain, body)

        first = live.post_alexa(body, headers)
        live.clock.advance(60)
        replayed = live.post_alexa(body, headers)

        assert (first.status, replayed.status) == (200, 200)
        [stored] = live.answers()
        assert (stored.question_id, stored.value) == ("condition", "good")
        assert stored.request_id == json.loads(body)["request"]["requestId"]
