import hmac
import hashlib
import time


def verify_swiftguest_signature(
    raw_body: bytes,
    header_value: str,
    secret: str,
) -> bool:
    # Header: "t=1744572300,v1=9a2e4b..."
    parts = dict(item.split("=", 1) for item in header_value.split(","))
    timestamp = parts.get("t")
    signature = parts.get("v1")

    if not timestamp or not signature:
        return False

    # Reject if older than 5 minutes
    if int(time.time()) - int(timestamp) > 300:
        return False

    signed_payload = f"{timestamp}.{raw_body.decode('utf-8')}".encode()
    expected = hmac.new(
        secret.encode(),
        signed_payload,
        hashlib.sha256,
    ).hexdigest()

    return hmac.compare_digest(expected, signature)
