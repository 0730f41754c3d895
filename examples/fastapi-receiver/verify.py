"""Verify an edgehook delivery (Standard Webhooks) with Python's standard library only.

The signature covers "<webhook-id>.<webhook-timestamp>.<raw body>": verify the bytes exactly as they
arrived. Parsing the JSON and dumping it again (the article's server A does) changes spacing, key order
and escapes, and the signature no longer matches.
"""
import base64
import binascii
import hashlib
import hmac
import time
from typing import Iterable, Mapping, Optional

TOLERANCE_SECONDS = 5 * 60


class WebhookVerificationError(Exception):
    """The one error verify() raises; `reason` says why in a few words."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _key(secret: str) -> bytes:
    body = secret[len("whsec_"):] if secret.startswith("whsec_") else secret
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise WebhookVerificationError("invalid secret") from None


def verify(
    secrets: Iterable[str],
    body: bytes,
    headers: Mapping[str, str],
    now: Optional[float] = None,
    tolerance: int = TOLERANCE_SECONDS,
) -> str:
    """Returns the webhook-id (dedupe on it) or raises WebhookVerificationError.

    `secrets`: one or more `whsec_` secrets (two while rotating); any one may match any of the
    space-separated `v1,<base64>` signatures in the header. Comparisons are constant-time.
    """
    msg_id = headers.get("webhook-id")
    timestamp = headers.get("webhook-timestamp")
    signatures = headers.get("webhook-signature")
    if not msg_id or not timestamp or not signatures:
        raise WebhookVerificationError("missing header")
    if not timestamp.isdigit():
        raise WebhookVerificationError("invalid timestamp")
    now = time.time() if now is None else now
    if int(timestamp) < now - tolerance:
        raise WebhookVerificationError("timestamp too old")
    if int(timestamp) > now + tolerance:
        raise WebhookVerificationError("timestamp too new")

    signed = msg_id.encode() + b"." + timestamp.encode() + b"." + body
    expected = [
        base64.b64encode(hmac.new(_key(secret), signed, hashlib.sha256).digest())
        for secret in secrets
    ]
    matched = False
    for candidate in signatures.split(" "):
        version, _, signature = candidate.partition(",")
        if version != "v1":
            continue
        for digest in expected:
            # compare every pair (no early exit): the time taken says nothing about which matched
            matched |= hmac.compare_digest(signature.encode(), digest)
    if not matched:
        raise WebhookVerificationError("no matching signature")
    return msg_id
