"""Verify an edgehook delivery (Standard Webhooks).

`v1` (HMAC-SHA256 with a `whsec_` secret) needs Python's standard library only; `v1a` (Ed25519 with a
`whpk_` public key) needs the `cryptography` package (Debian: python3-cryptography), imported only then.
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


def _public_key(key: str):
    """The Ed25519 public key of `whpk_` + base64 of its 32 raw bytes."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        raw = base64.b64decode(key[len("whpk_"):], validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError):
        raise WebhookVerificationError("invalid public key") from None


def _ed25519_verifies(public_key, signature: bytes, signed: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature

    try:
        public_key.verify(signature, signed)
        return True
    except InvalidSignature:
        return False


def verify(
    secrets: Iterable[str],
    body: bytes,
    headers: Mapping[str, str],
    now: Optional[float] = None,
    tolerance: int = TOLERANCE_SECONDS,
) -> str:
    """Returns the webhook-id (dedupe on it) or raises WebhookVerificationError.

    `secrets`: one or more `whsec_` secrets (two while rotating), each of which may match any of the
    space-separated `v1,<base64>` signatures in the header (constant-time comparisons); and/or `whpk_`
    Ed25519 public keys, each of which may verify any `v1a,<base64>` signature.
    """
    secrets = list(secrets)
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
        if not secret.startswith("whpk_")
    ]
    public_keys = [_public_key(key) for key in secrets if key.startswith("whpk_")]
    matched = False
    for candidate in signatures.split(" "):
        version, _, signature = candidate.partition(",")
        if version == "v1":
            for digest in expected:
                # compare every pair (no early exit): the time taken says nothing about which matched
                matched |= hmac.compare_digest(signature.encode(), digest)
        elif version == "v1a" and public_keys and not matched:
            try:
                raw = base64.b64decode(signature, validate=True)
            except (binascii.Error, ValueError):
                continue
            # a public key verifies; there is nothing secret to leak through timing here
            matched = len(raw) == 64 and any(_ed25519_verifies(k, raw, signed) for k in public_keys)
    if not matched:
        raise WebhookVerificationError("no matching signature")
    return msg_id
