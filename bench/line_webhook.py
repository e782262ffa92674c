"""LINE webhook acknowledgement time against a bare Flask endpoint, in the same run.

Measured: a signed ``POST /line/webhook`` with one text-message event (a new
``webhookEventId`` every time), through Mimamori's ``create_app`` on a migrated SQLite
file: the signature checked on the raw body by line-bot-sdk's ``WebhookParser``, the body
parsed and checked, the event stored in the inbox (one transaction), 200 returned. The
processing that follows the acknowledgement (``call_on_close``) is not part of the
acknowledgement: it runs when the response is closed, outside the timed region (and is
timed apart as "processing").

Baselines, same process, same bodies, Flask's test client, interleaved in a shuffled order:
``bare`` reads the body and returns 200; ``bare+hmac`` also checks the HMAC-SHA256
signature with ``hmac.compare_digest``.

Run from the repository root::

    python bench/line_webhook.py                 # ~20 s on 2 shared cores
    python bench/line_webhook.py --rounds 1000

Speed is measured, not asserted: this prints figures and ratios, it never fails on them.
"""

from __future__ import annotations

import argparse
import base64
import gc
import hashlib
import hmac
import json
import logging
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from ratios import q, ratio_line

REPO_ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-channel-secret"
TARGET = 2.0


def body(n: int) -> bytes:
    """Return a webhook body with one text event (a fresh id)."""
    event = {
        "type": "message",
        "mode": "active",
        "timestamp": 1795910400000 + n,
        "source": {"type": "user", "userId": "U" + "0" * 31 + "1"},
        "webhookEventId": uuid.uuid4().hex.upper()[:26],
        "deliveryContext": {"isRedelivery": False},
        "replyToken": uuid.uuid4().hex,
        "message": {"id": str(n), "type": "text", "text": "お母さん、日曜日に行くね。"},
    }
    return json.dumps({"destination": "Ubench", "events": [event]}, ensure_ascii=False).encode()


def sign(raw: bytes) -> str:
    return base64.b64encode(hmac.new(SECRET.encode(), raw, hashlib.sha256).digest()).decode()


def bare_app(check_signature: bool):
    from flask import Flask, request

    app = Flask("bare")

    @app.post("/line/webhook")
    def webhook():
        raw = request.get_data()
        if check_signature and not hmac.compare_digest(
            sign(raw), request.headers.get("X-Line-Signature", "")
        ):
            return "bad", 400
        return "OK", 200

    return app


def mimamori_app(folder: Path, line_api: str = "http://127.0.0.1:9"):
    from backend.bootstrap import bootstrap
    from backend.settings import Settings
    from backend.stores.sql.migrate import upgrade
    from backend.web import create_app

    url = f"sqlite:///{folder / 'bench.db'}"
    upgrade(url)
    settings = Settings(
        database_url=url,
        alexa_skill_id="amzn1.ask.skill.bench",
        alexa_verify_signature=False,
        secret_key="k" * 32,
        line_channel_secret=SECRET,
        line_channel_access_token="bench-token",
        line_api_base=line_api,
        media_url=f"file://{folder / 'media'}",
    )
    return create_app(settings, bootstrap(settings))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument(
        "--failing-replies",
        action="store_true",
        help="point replies at a closed port (the first measurements did): every reply fails",
    )
    parser.add_argument(
        "--defer-processing",
        action="store_true",
        help="information: run the processing after the timed loop instead of after each ack",
    )
    args = parser.parse_args()
    sys.path.insert(0, str(REPO_ROOT))
    logging.disable(logging.CRITICAL)
    from tests.line import local_line

    with tempfile.TemporaryDirectory() as tmp, local_line() as line:
        api = "http://127.0.0.1:9" if args.failing_replies else line.url
        clients = {
            "mimamori": mimamori_app(Path(tmp), api).test_client(),
            "bare": bare_app(False).test_client(),
            "bare+hmac": bare_app(True).test_client(),
        }
        times: dict[str, list[float]] = {name: [] for name in clients}
        processing: list[float] = []
        deferred: list[tuple[str, object]] = []
        for warm in range(20):
            for client in clients.values():
                raw = body(warm)
                client.post("/line/webhook", data=raw, headers={"X-Line-Signature": sign(raw)})
        gc.collect()
        for n in range(args.rounds):
            order = list(clients)
            random.shuffle(order)
            for name in order:
                raw = body(n)
                headers = {"X-Line-Signature": sign(raw), "Content-Type": "application/json"}
                start = time.perf_counter()
                response = clients[name].post("/line/webhook", data=raw, headers=headers)
                elapsed = time.perf_counter() - start
                assert response.status_code == 200, response.data
                times[name].append(elapsed * 1000)
                if args.defer_processing:
                    deferred.append((name, response))
                    continue
                start = time.perf_counter()
                response.close()  # the processing after the acknowledgement runs here
                if name == "mimamori":
                    processing.append((time.perf_counter() - start) * 1000)
        for name, response in deferred:  # --defer-processing: all of it after the timed loop
            start = time.perf_counter()
            response.close()
            if name == "mimamori":
                processing.append((time.perf_counter() - start) * 1000)
    print(f"LINE webhook acknowledgement, {args.rounds} rounds (ms):")
    for name, values in times.items():
        print(
            f"  {name:12s} median {statistics.median(values):6.2f}  "
            f"p90 {q(values, 0.9):6.2f}  p99 {q(values, 0.99):6.2f}"
        )
    print(
        f"  processing after the ack (not part of it): median {statistics.median(processing):.2f}"
    )
    print("Ratios:")
    ratio_line("mimamori / bare", times["mimamori"], times["bare"], 5, TARGET)
    ratio_line("mimamori / bare+hmac", times["mimamori"], times["bare+hmac"], 5, TARGET)
    return 0


if __name__ == "__main__":
    sys.exit(main())
