"""Try family on LINE without LINE: issue a link code, post signed webhook bodies.

    python -m family_line.devtool code --elder demo-elder-1 --name 明美 --relation 長女
    python -m family_line.devtool send --text 482913
    python -m family_line.devtool send --text "お母さん、日曜日に行くね。"
    python -m family_line.devtool send --text "状況" --curl      # print a curl command instead
    python -m family_line.devtool send --sticker                # a sticker (スタンプ)

Settings come from the same ``MIMAMORI_*`` variables as the server (database, channel
secret). ``send`` builds a webhook body as LINE would (a fresh ``webhookEventId``),
signs it with ``MIMAMORI_LINE_CHANNEL_SECRET`` and posts it to the running server.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import shlex
import sys
import time
import urllib.error
import urllib.request
import uuid
from typing import Any

DEMO_USER = "U0d3m0000000000000000000000000001"


STICKER = {"type": "sticker", "packageId": "446", "stickerId": "1988"}  # a LINE basic sticker
NO_SECRET = (
    "MIMAMORI_LINE_CHANNEL_SECRET が設定されていません。サーバーと同じ値を設定してください"
    "（README の例: export MIMAMORI_LINE_CHANNEL_SECRET=demo-secret）。"
)
NO_SERVER = "{url} に接続できません（{reason}）。mimamori demo か mimamori serve を起動しましたか。"


def webhook_body(
    user: str, text: str, now_ms: int | None = None, message: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Return a one-event webhook body: a text message (or ``message``) from ``user``."""
    stamp = now_ms if now_ms is not None else int(time.time() * 1000)
    event_id = uuid.uuid4().hex.upper()[:26]
    return {
        "destination": "Udemo0000000000000000000000000000",
        "events": [
            {
                "type": "message",
                "mode": "active",
                "timestamp": stamp,
                "source": {"type": "user", "userId": user},
                "webhookEventId": event_id,
                "deliveryContext": {"isRedelivery": False},
                "replyToken": uuid.uuid4().hex,
                "message": {"id": str(stamp), **(message or {"type": "text", "text": text})},
            }
        ],
    }


def signature(raw: bytes, secret: str) -> str:
    """Return the X-Line-Signature of ``raw`` under the channel secret."""
    return base64.b64encode(hmac.new(secret.encode(), raw, hashlib.sha256).digest()).decode()


def _out(*parts: object, err: bool = False) -> None:
    stream = sys.stderr if err else sys.stdout
    stream.write(" ".join(str(p) for p in parts) + "\n")


def _settings() -> Any:
    from backend.settings import Settings

    return Settings()


def _code(args: argparse.Namespace) -> int:
    from backend.bootstrap import bootstrap
    from backend.services import family

    code = family.issue_link_code(
        bootstrap(_settings()), args.elder, name=args.name, relation=args.relation
    )
    _out(f"リンクコード {code.code}（{code.expires_at:%Y-%m-%d %H:%M} まで有効）")
    return 0


def _send(args: argparse.Namespace) -> int:
    from backend.settings import ConfigError

    settings = _settings()
    try:
        settings.require("line_channel_secret", purpose="devtool send")
    except ConfigError:
        _out(NO_SECRET, err=True)
        return 2
    secret = settings.line_channel_secret.get_secret_value()
    message = STICKER if args.sticker else None
    body = webhook_body(args.user, args.text or "", message=message)
    raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
    sig = signature(raw, secret)
    if args.curl:
        header = shlex.quote("X-Line-Signature: " + sig)
        _out(
            f"curl -sS -X POST {shlex.quote(args.url)} -H 'Content-Type: application/json' "
            f"-H {header} --data-binary {shlex.quote(raw.decode())}"
        )
        return 0
    request = urllib.request.Request(
        args.url,
        data=raw,
        headers={"Content-Type": "application/json", "X-Line-Signature": sig},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            _out(response.status, response.read().decode())
    except urllib.error.HTTPError as err:
        _out(err.code, err.read().decode(), err=True)
        return 1
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        _out(NO_SERVER.format(url=args.url, reason=reason), err=True)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the devtool."""
    parser = argparse.ArgumentParser(prog="python -m family_line.devtool")
    sub = parser.add_subparsers(dest="command", required=True)
    code = sub.add_parser("code", help="issue a one-time link code for an elder")
    code.add_argument("--elder", required=True)
    code.add_argument("--name", required=True)
    code.add_argument("--relation", required=True)
    send = sub.add_parser("send", help="post a signed text (or sticker) message webhook")
    what = send.add_mutually_exclusive_group(required=True)
    what.add_argument("--text")
    what.add_argument("--sticker", action="store_true", help="send a sticker instead of text")
    send.add_argument("--user", default=DEMO_USER)
    send.add_argument("--url", default="http://127.0.0.1:8000/line/webhook")
    send.add_argument("--curl", action="store_true", help="print a curl command instead")
    args = parser.parse_args(argv)
    return {"code": _code, "send": _send}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
