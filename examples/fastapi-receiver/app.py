"""The article's "server A" (../../../shared/reference/fastapi-advanced-usage.md), done right for edgehook.

The article's receiver verified `json.dumps(payload)` (re-serialised JSON: another byte string than the
one signed), compared against a fixed secret, had no timestamp check and processed every retry again.
This one:
- verifies the Standard Webhooks signature over the raw body (verify.py, standard library only):
  constant-time, a 5-minute timestamp tolerance, any of several signatures and secrets (rotation);
- dedupes on `webhook-id`, which edgehook keeps the same on every retry and redelivery: the first
  delivery is recorded (SQLite), a repeat is acknowledged with 200 and not processed again;
- answers at once and does the work after the response (a FastAPI background task, the article's
  section 2), so a slow handler never runs into edgehook's 15 s timeout and a retry.

Run:  EDGEHOOK_SECRET=whsec_... uvicorn app:app --port 8000
      (for a subscription with `signature: "ed25519"`: EDGEHOOK_SECRET=whpk_..., its public key; several
      values, space-separated, are all tried)
"""
import json
import logging
import os
import sqlite3
import threading
import time

from fastapi import BackgroundTasks, FastAPI, Request
from fastapi.responses import JSONResponse

from verify import WebhookVerificationError, verify

SECRETS = os.environ.get("EDGEHOOK_SECRET", "").split()
DB_PATH = os.environ.get("RECEIVER_DB", "received.db")

log = logging.getLogger("receiver")
app = FastAPI(title="edgehook receiver (FastAPI)")

_db = sqlite3.connect(DB_PATH, check_same_thread=False)
_db.execute(
    "CREATE TABLE IF NOT EXISTS received ("
    " webhook_id TEXT PRIMARY KEY, type TEXT, body TEXT NOT NULL, received_at REAL NOT NULL)"
)
_db.commit()
_lock = threading.Lock()


def record_once(webhook_id: str, event_type: str, body: bytes) -> bool:
    """True the first time a webhook-id is seen; False for a retry or redelivery of it."""
    with _lock:
        cur = _db.execute(
            "INSERT OR IGNORE INTO received (webhook_id, type, body, received_at) VALUES (?, ?, ?, ?)",
            (webhook_id, event_type, body.decode("utf-8"), time.time()),
        )
        _db.commit()
        return cur.rowcount == 1


def handle(event: dict) -> None:
    """Your work goes here. It runs after the answer; an exception is logged, the delivery stays acked."""
    log.info("handled %s %s", event.get("type"), json.dumps(event.get("data")))


@app.post("/receive_webhook")
async def receive_webhook(request: Request, background: BackgroundTasks):
    body = await request.body()  # the raw bytes: what was signed
    try:
        webhook_id = verify(SECRETS, body, request.headers)
    except WebhookVerificationError as err:
        return JSONResponse({"error": err.reason}, status_code=401)
    try:
        event = json.loads(body)
    except ValueError:
        return JSONResponse({"error": "body is not JSON"}, status_code=400)
    if not record_once(webhook_id, str(event.get("type")), body):
        return {"status": "duplicate", "webhook_id": webhook_id}
    background.add_task(handle, event)
    return {"status": "received", "webhook_id": webhook_id}


@app.get("/received")
def received():
    """What was recorded, oldest first (one row per webhook-id)."""
    with _lock:
        rows = _db.execute("SELECT webhook_id, type, body FROM received ORDER BY received_at, webhook_id").fetchall()
    return [{"webhook_id": r[0], "type": r[1], "event": json.loads(r[2])} for r in rows]
