"""The outbox: quiet hours, delivery with retries and backoff, the e-mail channel's setup."""

from __future__ import annotations

import email
import email.policy
import logging
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from backend.channels import Channel, ChannelError, build_channels
from backend.channels.email import EmailChannel
from backend.domain.model import OutboxMessage, Recipient, quiet_until
from backend.services.context import Services
from backend.services.outbox import CLAIM_LEASE, DeliveryReport, backoff, deliver_due
from tests.builders import jst, make_elder, make_outbox_message, make_recipient, seed
from tests.clock import FakeClock
from tests.fakes import FakeChannel, FakeStore, FakeUnitOfWork
from tests.unit.conftest import MONDAY, TUESDAY

TOKYO = ZoneInfo("Asia/Tokyo")
NEVER_JITTER = lambda: 0.0  # noqa: E731
MOST_JITTER = lambda: 0.999999  # noqa: E731


def night_owl(**kw: object) -> Recipient:
    return make_recipient(quiet_start="21:00", quiet_end="07:00", **kw)  # type: ignore[arg-type]


class TestQuietUntil:
    @pytest.mark.parametrize(
        ("hour", "minute", "until"),
        [
            (21, 0, jst(TUESDAY, 7)),  # the start is inside
            (23, 30, jst(TUESDAY, 7)),
            (0, 0, jst(MONDAY, 7)),
            (2, 15, jst(MONDAY, 7)),
            (6, 59, jst(MONDAY, 7)),
        ],
    )
    def test_a_window_across_midnight_ends_the_next_or_same_morning(
        self, hour: int, minute: int, until: datetime
    ) -> None:
        assert quiet_until(night_owl(), jst(MONDAY, hour, minute)) == until

    @pytest.mark.parametrize(("hour", "minute"), [(7, 0), (12, 0), (20, 59)])
    def test_outside_the_window_there_is_no_wait(self, hour: int, minute: int) -> None:
        assert quiet_until(night_owl(), jst(MONDAY, hour, minute)) is None

    def test_a_window_within_one_day(self) -> None:
        lunch = make_recipient(quiet_start="12:00", quiet_end="13:30")
        assert quiet_until(lunch, jst(MONDAY, 11, 59)) is None
        assert quiet_until(lunch, jst(MONDAY, 12, 0)) == jst(MONDAY, 13, 30)
        assert quiet_until(lunch, jst(MONDAY, 13, 29, 59)) == jst(MONDAY, 13, 30)
        assert quiet_until(lunch, jst(MONDAY, 13, 30)) is None

    def test_no_window_or_an_empty_one_never_waits(self) -> None:
        assert quiet_until(make_recipient(), jst(MONDAY, 23)) is None
        same = make_recipient(quiet_start="07:00", quiet_end="07:00")
        assert quiet_until(same, jst(MONDAY, 7)) is None

    def test_times_are_read_in_the_zone_of_the_instant_given(self) -> None:
        # 14:30 UTC is 23:30 in Tokyo: quiet there, not in UTC.
        at = datetime(2026, 11, 23, 14, 30, tzinfo=UTC)
        assert quiet_until(night_owl(), at) is None
        until = quiet_until(night_owl(), at.astimezone(TOKYO))
        assert until == jst(TUESDAY, 7)
        assert until is not None
        assert until.tzinfo is TOKYO

    @pytest.mark.parametrize(
        ("start", "end"), [("7:00", "08:00"), ("24:00", "07:00"), ("21:00", "07:60"), ("夜", "朝")]
    )
    def test_a_malformed_time_is_refused(self, start: str, end: str) -> None:
        with pytest.raises(ValueError, match="HH:MM"):
            make_recipient(quiet_start=start, quiet_end=end)

    def test_a_window_needs_both_ends(self) -> None:
        with pytest.raises(ValueError, match="quiet_start"):
            make_recipient(quiet_start="21:00")


class TestMessageState:
    def test_due_and_given_up(self) -> None:
        at = jst(MONDAY, 10)
        fresh = make_outbox_message(created_at=at)
        assert fresh.is_due(at)
        assert not fresh.is_due(at - timedelta(seconds=1))
        retrying = make_outbox_message(created_at=at, attempts=1, next_attempt_at=at + CLAIM_LEASE)
        assert not retrying.is_due(at)
        assert retrying.is_due(at + CLAIM_LEASE)
        given_up = make_outbox_message(created_at=at, attempts=1, last_error="SMTP 550")
        assert given_up.given_up
        assert not given_up.is_due(at + timedelta(days=365))
        sent = make_outbox_message(created_at=at, attempts=1, sent_at=at)
        assert not sent.given_up
        assert not sent.is_due(at)


class TestBackoff:
    def test_the_wait_doubles_from_one_minute_up_to_one_hour(self) -> None:
        waits = [backoff(n, NEVER_JITTER) for n in range(1, 10)]
        assert [w / timedelta(minutes=1) for w in waits] == [1, 2, 4, 8, 16, 32, 60, 60, 60]
        assert backoff(10_000, NEVER_JITTER) == timedelta(hours=1)

    def test_jitter_takes_up_to_a_fifth_off_and_never_exceeds_the_cap(self) -> None:
        for attempts in (1, 4, 7, 50):
            nominal = backoff(attempts, NEVER_JITTER)
            jittered = backoff(attempts, MOST_JITTER)
            assert nominal * 0.8 <= jittered < nominal
        assert backoff(50) <= timedelta(hours=1)


# --- delivery -----------------------------------------------------------------------


@pytest.fixture
def channel() -> FakeChannel:
    return FakeChannel()


@pytest.fixture
def channels(channel: FakeChannel) -> dict[str, Channel]:
    return {"email": channel}


def given(store: FakeStore, *objects: Recipient | OutboxMessage) -> None:
    with FakeUnitOfWork(store) as uow:
        seed(uow, make_elder())
        for obj in objects:
            if isinstance(obj, Recipient):
                uow.recipients.add(obj)
            else:
                assert uow.outbox.add_if_absent(obj) is True
        uow.commit()


def stored(store: FakeStore, message_id: str = "msg-1") -> OutboxMessage:
    with FakeUnitOfWork(store) as uow:
        message = uow.outbox.get(message_id)
    assert message is not None
    return message


def queued_at(clock: FakeClock, message_id: str = "msg-1", **kw: object) -> OutboxMessage:
    return make_outbox_message(message_id, created_at=clock(), **kw)  # type: ignore[arg-type]


class TestDelivery:
    def test_a_due_message_is_sent_once_and_marked_sent(
        self,
        services: Services,
        store: FakeStore,
        clock: FakeClock,
        channel: FakeChannel,
        channels: dict[str, Channel],
    ) -> None:
        queued = queued_at(clock)
        given(store, make_recipient(), queued)
        clock.tick(timedelta(seconds=5))
        report = deliver_due(services, channels)
        assert report == DeliveryReport(sent=1)
        assert channel.sent == [(queued, make_recipient())]
        message = stored(store)
        assert message.sent_at == clock()
        assert message.attempts == 1
        assert message.next_attempt_at is None
        clock.tick(timedelta(hours=2))
        assert deliver_due(services, channels) == DeliveryReport()
        assert channel.calls == 1

    def test_queuing_the_same_id_twice_sends_once(
        self,
        services: Services,
        store: FakeStore,
        clock: FakeClock,
        channel: FakeChannel,
        channels: dict[str, Channel],
    ) -> None:
        given(store, make_recipient())
        for _ in range(2):  # two sweeps of the alert job queue the same notification
            with FakeUnitOfWork(store) as uow:
                uow.outbox.add_if_absent(queued_at(clock, "alert-1/0/recipient-1"))
                uow.commit()
        assert deliver_due(services, channels) == DeliveryReport(sent=1)
        assert channel.sent_ids == ["alert-1/0/recipient-1"]

    def test_inside_quiet_hours_across_midnight_a_message_waits_for_the_morning(
        self,
        services: Services,
        store: FakeStore,
        clock: FakeClock,
        channel: FakeChannel,
        channels: dict[str, Channel],
    ) -> None:
        clock.set(jst(MONDAY, 23, 30))
        given(store, night_owl(), queued_at(clock))
        assert deliver_due(services, channels) == DeliveryReport(deferred=1)
        message = stored(store)
        assert message.not_before == jst(TUESDAY, 7)
        assert message.attempts == 0
        assert message.last_attempt_at is None
        clock.set(jst(TUESDAY, 6, 59))
        assert deliver_due(services, channels) == DeliveryReport()
        assert channel.calls == 0
        clock.set(jst(TUESDAY, 7))
        assert deliver_due(services, channels) == DeliveryReport(sent=1)
        assert stored(store).sent_at == jst(TUESDAY, 7)

    def test_after_midnight_the_wait_ends_the_same_morning(
        self, services: Services, store: FakeStore, clock: FakeClock, channels: dict[str, Channel]
    ) -> None:
        clock.set(jst(TUESDAY, 2, 10))
        given(store, night_owl(), queued_at(clock))
        assert deliver_due(services, channels) == DeliveryReport(deferred=1)
        assert stored(store).not_before == jst(TUESDAY, 7)

    def test_an_urgent_message_ignores_quiet_hours(
        self,
        services: Services,
        store: FakeStore,
        clock: FakeClock,
        channel: FakeChannel,
        channels: dict[str, Channel],
    ) -> None:
        clock.set(jst(MONDAY, 23, 30))
        given(store, night_owl(), queued_at(clock, urgent=True))
        assert deliver_due(services, channels) == DeliveryReport(sent=1)
        assert channel.sent_ids == ["msg-1"]

    def test_a_retry_due_inside_quiet_hours_waits_too(
        self,
        services: Services,
        store: FakeStore,
        clock: FakeClock,
        channel: FakeChannel,
        channels: dict[str, Channel],
    ) -> None:
        clock.set(jst(MONDAY, 20, 59, 30))
        given(store, night_owl(), queued_at(clock))
        channel.down()
        assert deliver_due(services, channels, rand=NEVER_JITTER) == DeliveryReport(retried=1)
        clock.set(jst(MONDAY, 21, 0, 30))
        assert deliver_due(services, channels) == DeliveryReport(deferred=1)
        clock.set(jst(TUESDAY, 7))
        assert deliver_due(services, channels) == DeliveryReport(sent=1)
        assert stored(store).attempts == 2

    def test_while_the_channel_is_down_the_message_waits_longer_each_time_up_to_an_hour(
        self,
        services: Services,
        store: FakeStore,
        clock: FakeClock,
        channel: FakeChannel,
        channels: dict[str, Channel],
    ) -> None:
        given(store, make_recipient(), queued_at(clock))
        channel.down(times=9)
        waits = []
        for attempt in range(1, 10):
            assert deliver_due(services, channels, rand=NEVER_JITTER) == DeliveryReport(retried=1)
            message = stored(store)
            assert message.attempts == attempt
            assert message.last_error == "connection refused"
            assert message.next_attempt_at is not None
            waits.append(message.next_attempt_at - clock())
            # Not a moment before the next attempt.
            clock.set(message.next_attempt_at - timedelta(microseconds=1))
            assert deliver_due(services, channels) == DeliveryReport()
            clock.set(message.next_attempt_at)
        assert [w / timedelta(minutes=1) for w in waits] == [1, 2, 4, 8, 16, 32, 60, 60, 60]
        assert deliver_due(services, channels) == DeliveryReport(sent=1)
        assert stored(store).attempts == 10
        assert channel.calls == 10

    def test_retries_are_spread_by_jitter(
        self, services: Services, store: FakeStore, clock: FakeClock, channels: dict[str, Channel]
    ) -> None:
        given(store, make_recipient(), queued_at(clock))
        channels["email"].down()  # type: ignore[attr-defined]
        deliver_due(services, channels, rand=lambda: 0.5)
        assert stored(store).next_attempt_at == clock() + timedelta(seconds=54)

    def test_a_permanent_refusal_gives_the_message_up(
        self,
        services: Services,
        store: FakeStore,
        clock: FakeClock,
        channel: FakeChannel,
        channels: dict[str, Channel],
    ) -> None:
        given(store, make_recipient(), queued_at(clock), queued_at(clock, "msg-2"))
        channel.fail_next(ChannelError("SMTP 550 (RCPT): <address> unknown", retryable=False))
        assert deliver_due(services, channels) == DeliveryReport(sent=1, failed=1)
        message = stored(store)
        assert message.given_up
        assert message.attempts == 1
        assert message.last_error == "SMTP 550 (RCPT): <address> unknown"
        assert message.next_attempt_at is None
        clock.tick(timedelta(days=2))
        assert deliver_due(services, channels) == DeliveryReport()
        assert channel.calls == 2
        assert channel.sent_ids == ["msg-2"]

    def test_a_message_to_an_inactive_or_removed_recipient_is_given_up_unsent(
        self,
        services: Services,
        store: FakeStore,
        clock: FakeClock,
        channel: FakeChannel,
        channels: dict[str, Channel],
    ) -> None:
        given(
            store,
            make_recipient(active=False),
            queued_at(clock),
            queued_at(clock, "msg-2", recipient_id="no-such-recipient"),
        )
        assert deliver_due(services, channels) == DeliveryReport(failed=2)
        for message_id in ("msg-1", "msg-2"):
            message = stored(store, message_id)
            assert message.given_up
            assert message.last_error == "recipient inactive or removed"
        clock.tick(timedelta(days=1))
        assert deliver_due(services, channels) == DeliveryReport()
        assert channel.calls == 0

    def test_a_message_for_a_channel_not_configured_waits_for_it(
        self,
        services: Services,
        store: FakeStore,
        clock: FakeClock,
        channel: FakeChannel,
        channels: dict[str, Channel],
    ) -> None:
        given(
            store, make_recipient(channel="line", address="U123"), queued_at(clock, channel="line")
        )
        assert deliver_due(services, channels, rand=NEVER_JITTER) == DeliveryReport(retried=1)
        message = stored(store)
        assert message.last_error == "channel 'line' is not configured"
        assert message.next_attempt_at == clock() + timedelta(minutes=1)
        line = FakeChannel("line")
        clock.tick(timedelta(minutes=1))
        assert deliver_due(services, {**channels, "line": line}) == DeliveryReport(sent=1)
        assert line.sent_ids == ["msg-1"]
        assert channel.calls == 0

    def test_a_backlog_for_a_channel_not_configured_never_holds_up_the_emails(
        self,
        services: Services,
        store: FakeStore,
        clock: FakeClock,
        channel: FakeChannel,
        channels: dict[str, Channel],
    ) -> None:
        speaker = make_recipient("speaker-1", channel="alexa", address="amzn1.ask.account.x")
        nudges = [
            make_outbox_message(
                f"nudge-{i:03d}",
                recipient_id="speaker-1",
                channel="alexa",
                created_at=clock() - timedelta(hours=2) + timedelta(seconds=i),
            )
            for i in range(150)
        ]
        given(store, make_recipient(), speaker, *nudges, queued_at(clock, "to-family"))
        report = deliver_due(services, channels, limit=100)
        assert channel.sent_ids == ["to-family"]
        assert report == DeliveryReport(sent=1, retried=150)
        assert stored(store, "nudge-000").last_error == "channel 'alexa' is not configured"

    def test_an_unexpected_exception_in_a_channel_is_retried_and_the_sweep_goes_on(
        self,
        services: Services,
        store: FakeStore,
        clock: FakeClock,
        channel: FakeChannel,
        channels: dict[str, Channel],
    ) -> None:
        given(store, make_recipient(), queued_at(clock), queued_at(clock, "msg-2"))
        channel.fail_next(KeyError("taro@example.jp"))
        assert deliver_due(services, channels) == DeliveryReport(sent=1, retried=1)
        assert stored(store).last_error == "unexpected KeyError"
        assert channel.sent_ids == ["msg-2"]

    def test_messages_go_oldest_first_up_to_the_limit(
        self,
        services: Services,
        store: FakeStore,
        clock: FakeClock,
        channel: FakeChannel,
        channels: dict[str, Channel],
    ) -> None:
        given(
            store,
            make_recipient(),
            make_outbox_message("c", created_at=clock() - timedelta(minutes=1)),
            make_outbox_message("a", created_at=clock() - timedelta(minutes=3)),
            make_outbox_message("b", created_at=clock() - timedelta(minutes=2)),
        )
        assert deliver_due(services, channels, limit=2) == DeliveryReport(sent=2)
        assert channel.sent_ids == ["a", "b"]
        assert deliver_due(services, channels, limit=2) == DeliveryReport(sent=1)
        assert channel.sent_ids == ["a", "b", "c"]

    def test_a_message_claimed_by_another_sweep_is_left_to_it(
        self,
        services: Services,
        store: FakeStore,
        clock: FakeClock,
        channel: FakeChannel,
        channels: dict[str, Channel],
    ) -> None:
        given(store, make_recipient(), queued_at(clock))

        class OtherSweepFirst(FakeChannel):
            """While this sweep sends msg-1, a second sweep runs and must not resend it."""

            def send(self, message: OutboxMessage, recipient: Recipient) -> None:
                assert deliver_due(services, channels) == DeliveryReport()
                super().send(message, recipient)

        first = OtherSweepFirst()
        assert deliver_due(services, {"email": first}) == DeliveryReport(sent=1)
        assert first.sent_ids == ["msg-1"]
        assert channel.calls == 0

    def test_a_crash_after_the_send_resends_once_when_the_claim_expires(
        self,
        services: Services,
        store: FakeStore,
        clock: FakeClock,
        channel: FakeChannel,
        channels: dict[str, Channel],
    ) -> None:
        given(store, make_recipient(), queued_at(clock))

        class CrashAfterSend(FakeChannel):
            def send(self, message: OutboxMessage, recipient: Recipient) -> None:
                super().send(message, recipient)
                raise SystemExit("the process was killed")

        crashing = CrashAfterSend()
        with pytest.raises(SystemExit):
            deliver_due(services, {"email": crashing})
        assert crashing.sent_ids == ["msg-1"]
        assert deliver_due(services, channels) == DeliveryReport()  # still claimed
        clock.tick(CLAIM_LEASE)
        assert deliver_due(services, channels) == DeliveryReport(sent=1)
        assert channel.sent_ids == ["msg-1"]
        assert stored(store).attempts == 1

    def test_logs_name_message_ids_never_addresses_or_content(
        self,
        services: Services,
        store: FakeStore,
        clock: FakeClock,
        channel: FakeChannel,
        channels: dict[str, Channel],
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        clock.set(jst(MONDAY, 23))
        given(
            store,
            night_owl(),
            make_recipient("r-2", address="jiro@example.jp"),
            make_recipient("r-3", address="saburo@example.jp", active=False),
            *[queued_at(clock, f"msg-{i}", recipient_id="r-2") for i in range(1, 5)],
            queued_at(clock, "msg-quiet"),
            queued_at(clock, "msg-inactive", recipient_id="r-3"),
        )
        channel.fail_next(
            ChannelError("SMTP 451 (RCPT): <address> busy", retryable=True),
            ChannelError("SMTP 550 (RCPT): <address> unknown", retryable=False),
            RuntimeError("jiro@example.jp " + make_outbox_message().body),
        )
        with caplog.at_level(logging.DEBUG):
            report = deliver_due(services, channels)
        assert report == DeliveryReport(sent=1, deferred=1, failed=2, retried=2)
        text = caplog.text
        for secret in ("example.jp", "taro", "jiro", "saburo", "山田", "お返事"):
            assert secret not in text
        for message_id in ("msg-1", "msg-2", "msg-3", "msg-4", "msg-quiet", "msg-inactive"):
            assert message_id in text


# --- the e-mail channel's configuration and message (no network) ----------------------


class TestEmailChannelConfig:
    def test_a_plain_smtp_url(self) -> None:
        channel = EmailChannel.from_url("smtp://mail.example.jp?from=mimamori@example.jp")
        assert isinstance(channel, Channel)
        assert channel.name == "email"
        assert repr(channel) == "<EmailChannel smtp://mail.example.jp:25>"

    def test_starttls_defaults_to_the_submission_port_and_credentials_are_decoded(self) -> None:
        channel = EmailChannel.from_url(
            "smtp://user%40example.jp:p%40ss%3Aw0rd@mail.example.jp?from=mimamori@example.jp&starttls=1"
        )
        assert repr(channel) == "<EmailChannel smtp://mail.example.jp:587 starttls>"
        assert channel._username == "user@example.jp"
        assert channel._password == "p@ss:w0rd"
        assert "p@ss" not in repr(channel)

    def test_smtps_uses_implicit_tls_on_port_465(self) -> None:
        channel = EmailChannel.from_url("smtps://u:p@mail.example.jp?from=mimamori@example.jp")
        assert repr(channel) == "<EmailChannel smtps://mail.example.jp:465>"
        explicit = EmailChannel.from_url("smtps://mail.example.jp:2465?from=a@example.jp")
        assert repr(explicit) == "<EmailChannel smtps://mail.example.jp:2465>"

    @pytest.mark.parametrize(
        ("url", "match"),
        [
            ("http://mail.example.jp?from=a@example.jp", "scheme"),
            ("smtp://?from=a@example.jp", "no host"),
            ("smtp://mail.example.jp", "sender"),
            ("smtp://mail.example.jp?from=not-an-address", "from"),
            ("smtp://mail.example.jp?from=a@example.jp&starttls=maybe", "starttls"),
            ("smtps://mail.example.jp?from=a@example.jp&starttls=1", "starttls"),
            ("smtp://mail.example.jp?from=a@example.jp&tls=1", "unknown"),
            ("smtp://mail.example.jp?from=a@example.jp&from=b@example.jp", "more than once"),
            ("smtp://mail.example.jp:99999?from=a@example.jp", "port"),
            ("smtp://mail.example.jp?from=a@example.jp&timeout=0", "timeout"),
            ("smtp://u:%E3%81%B2@mail.example.jp?from=a@example.jp", "ASCII"),
        ],
    )
    def test_a_bad_url_is_a_clear_error(self, url: str, match: str) -> None:
        with pytest.raises(ValueError, match=match):
            EmailChannel.from_url(url)

    def test_the_settings_build_an_email_channel_only_with_an_smtp_url(self) -> None:
        assert build_channels(smtp_url=None) == {}
        built = build_channels(smtp_url="smtp://localhost:2525?from=a@example.jp")
        assert list(built) == ["email"]
        assert isinstance(built["email"], EmailChannel)


class TestEmailMessage:
    URL = "smtp://mail.example.jp?from=%E3%81%BF%E3%81%BE%E3%82%82%E3%82%8A%20%3Cmimamori@example.jp%3E"

    def _parsed(
        self, message: OutboxMessage, recipient: Recipient | None = None
    ) -> email.message.EmailMessage:
        composed = EmailChannel.from_url(self.URL).compose(message, recipient or make_recipient())
        raw = composed.as_bytes(policy=email.policy.SMTP)
        raw.decode("ascii")  # 7-bit clean: any server can carry it
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, email.message.EmailMessage)
        return parsed

    def test_japanese_subject_body_and_names_survive_the_wire(self) -> None:
        message = make_outbox_message()
        parsed = self._parsed(message)
        assert parsed["Subject"] == message.subject
        assert parsed["From"] == "みまもり <mimamori@example.jp>"
        assert parsed["To"] == "山田 太郎 <taro@example.jp>"
        assert parsed.get_content_charset() == "utf-8"
        assert parsed.get_content().rstrip("\n") == message.body
        assert parsed["Auto-Submitted"] == "auto-generated"
        assert parsed["Importance"] is None

    def test_the_message_id_is_the_same_for_the_same_outbox_message(self) -> None:
        first = self._parsed(make_outbox_message())["Message-ID"]
        again = self._parsed(make_outbox_message(attempts=3))["Message-ID"]
        other = self._parsed(make_outbox_message("msg-2"))["Message-ID"]
        assert first == again != other
        assert first.endswith("@example.jp>")
        assert "msg-1" not in first

    def test_an_urgent_message_is_marked_important(self) -> None:
        parsed = self._parsed(make_outbox_message(urgent=True))
        assert parsed["Importance"] == "high"
        assert parsed["X-Priority"] == "1"

    @pytest.mark.parametrize("address", ["taro", "taro@example.jp\r\nBcc: x@example.jp", ""])
    def test_an_unusable_address_is_a_permanent_error(self, address: str) -> None:
        with pytest.raises(ChannelError) as caught:
            self._parsed(make_outbox_message(), make_recipient(address=address))
        assert caught.value.retryable is False
        assert "example.jp" not in str(caught.value)

    def test_a_line_break_in_the_subject_is_a_permanent_error(self) -> None:
        with pytest.raises(ChannelError) as caught:
            self._parsed(make_outbox_message(subject="件名\r\nBcc: x@example.jp"))
        assert caught.value.retryable is False
