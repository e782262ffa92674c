"""The LINE devtool says what is missing instead of a traceback, and sends stickers too."""

from __future__ import annotations

import json

from family_line import devtool


def test_without_the_channel_secret_it_names_the_variable(monkeypatch, capsys):
    monkeypatch.delenv("MIMAMORI_LINE_CHANNEL_SECRET", raising=False)
    assert devtool.main(["send", "--text", "こんにちは"]) == 2
    assert "MIMAMORI_LINE_CHANNEL_SECRET が設定されていません" in capsys.readouterr().err


def test_without_a_server_it_says_so(monkeypatch, capsys):
    monkeypatch.setenv("MIMAMORI_LINE_CHANNEL_SECRET", "demo-secret")
    url = "http://127.0.0.1:9/line/webhook"  # the discard port: nothing listens
    assert devtool.main(["send", "--text", "こんにちは", "--url", url]) == 1
    assert "に接続できません" in capsys.readouterr().err


def test_a_sticker_is_a_sticker_message_signed_as_line_signs_it(monkeypatch, capsys):
    monkeypatch.setenv("MIMAMORI_LINE_CHANNEL_SECRET", "demo-secret")
    assert devtool.main(["send", "--sticker", "--curl"]) == 0
    command = capsys.readouterr().out
    body = json.loads(command.split("--data-binary ")[1].strip().strip("'"))
    message = body["events"][0]["message"]
    assert (message["type"], message["packageId"]) == ("sticker", "446")
    raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
    assert devtool.signature(raw, "demo-secret") in command
