"""The account side of the sandbox PDS: the app password, JWT sessions and the
rate limits, as the PDS keeps them (access tokens live 2 hours, refresh tokens
are spent on use, 3000 calls and 30 createSession per 5 minutes).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections import defaultdict
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from cm_inbox.sandbox.bluesky_records import BRAND_DID, BRAND_HANDLE, NETWORK, cid_for
from cm_inbox.sandbox.bluesky_xrpc import XrpcError
from cm_inbox.sandbox.state import SandboxState

# Token scopes, as the PDS writes them: app-password sessions and refresh tokens.
ACCESS = "com.atproto.appPass"
REFRESH = "com.atproto.refresh"
ACCESS_TTL = 2 * 3600
REFRESH_TTL = 90 * 86_400
WINDOW = 300
CALL_LIMIT = 3000
LOGIN_LIMIT = 30
FAULT_WAIT = 10  # seconds a rate_limit fault asks to wait


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def app_password(seed: int) -> str:
    """The sandbox account's app password, in Bluesky's xxxx-xxxx-xxxx-xxxx form."""
    digest = hashlib.sha256(f"cm-inbox sandbox bluesky {seed}".encode()).digest()
    letters = base64.b32encode(digest).decode().lower()[:16]
    return "-".join(letters[i : i + 4] for i in range(0, 16, 4))


class Sessions:
    """The PDS's memory of the account: password, tokens issued and spent, logins, calls."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.password = app_password(state.seed)
        self.secret = hashlib.sha256(f"sandbox jwt {state.seed}".encode()).digest()
        self.serial = 0  # tokens carry the serial they were issued with
        self.revoked_upto = 0
        self.spent: set[str] = set()  # refresh tokens used once already
        self.logins = 0
        self.login_times: list[float] = []
        self.calls: dict[int, int] = defaultdict(int)  # window start -> calls

    # -- sessions -------------------------------------------------------------------

    def issue(self, scope: str) -> str:
        """A JWT signed by the sandbox: access ("at+jwt") or refresh ("refresh+jwt")."""
        now = int(self.state.now())
        self.serial += 1
        access = scope == ACCESS
        claims = {
            "scope": scope,
            "sub": BRAND_DID,
            "aud": "did:web:sandbox.invalid",
            "iat": now,
            "exp": now + (ACCESS_TTL if access else REFRESH_TTL),
            "jti": f"{self.serial}-{cid_for(str(now), str(self.serial))[-10:]}",
            "serial": self.serial,
            "gen": self.state.token_generation[NETWORK],
        }
        header = {"typ": "at+jwt" if access else "refresh+jwt", "alg": "HS256"}
        body = _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(claims).encode())
        return body + "." + _b64(hmac.new(self.secret, body.encode(), "sha256").digest())

    def session_body(self) -> dict[str, Any]:
        """createSession's and refreshSession's answer: a new token pair."""
        return {
            "accessJwt": self.issue(ACCESS),
            "refreshJwt": self.issue(REFRESH),
            "handle": BRAND_HANDLE,
            "did": BRAND_DID,
            "active": True,
        }

    def verify(self, request: Request, scope: str, *, optional: bool = False) -> dict | None:
        """The claims of the request's bearer token, or the PDS's refusal."""
        header = request.headers.get("authorization", "")
        if not header:
            if optional:
                return None
            raise XrpcError(401, "AuthenticationRequired", "Authentication Required")
        token = header.removeprefix("Bearer ").strip()
        try:
            body, _, signature = token.rpartition(".")
            expected = hmac.new(self.secret, body.encode(), "sha256").digest()
            if not hmac.compare_digest(_unb64(signature), expected):
                raise ValueError
            claims = json.loads(_unb64(body.split(".")[1]))
        except (ValueError, IndexError):
            raise XrpcError(400, "InvalidToken", "Token could not be verified") from None
        if claims.get("scope") != scope:
            raise XrpcError(400, "InvalidToken", "Bad token scope")
        if NETWORK in self.state.revoked:
            self.revoked_upto = self.serial  # every session so far, for good
        revoked = claims["serial"] <= self.revoked_upto
        if scope == REFRESH:
            if revoked or claims["jti"] in self.spent:
                raise XrpcError(400, "ExpiredToken", "Token has been revoked")
        elif revoked:
            raise XrpcError(401, "AuthenticationRequired", "Token has been revoked")
        if claims["exp"] <= self.state.now() or (
            scope == ACCESS and claims["gen"] < self.state.token_generation[NETWORK]
        ):
            raise XrpcError(400, "ExpiredToken", "Token has expired")
        return claims

    # -- rate limits ------------------------------------------------------------------

    def count_call(self) -> dict[str, str]:
        """Count one call against 3000 per 5 minutes; the RateLimit-* headers to send."""
        now = self.state.now()
        window = int(now // WINDOW * WINDOW)
        self.calls[window] += 1
        used = self.calls[window]
        limit = self.state.call_limits.get("bluesky", CALL_LIMIT)
        headers = limit_headers(limit, max(0, limit - used), window + WINDOW)
        if used > limit:
            raise TooMany(headers)
        return headers

    def count_login(self) -> dict[str, str]:
        """Count one createSession against 30 per 5 minutes; the headers to send."""
        now = self.state.now()
        self.login_times = [t for t in self.login_times if t > now - WINDOW]
        if len(self.login_times) >= LOGIN_LIMIT:
            raise TooMany(limit_headers(LOGIN_LIMIT, 0, int(self.login_times[0]) + WINDOW))
        self.login_times.append(now)
        oldest = int(self.login_times[0]) + WINDOW
        return limit_headers(LOGIN_LIMIT, LOGIN_LIMIT - len(self.login_times), oldest)


class TooMany(Exception):
    """A call over a rate limit, answered 429 with the RateLimit-* headers."""

    def __init__(self, headers: dict[str, str]) -> None:
        super().__init__("rate limited")
        self.headers = headers

    def response(self) -> JSONResponse:
        """429 RateLimitExceeded, with the RateLimit-* headers."""
        body = {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}
        return JSONResponse(body, 429, headers=self.headers)


def limit_headers(limit: int, remaining: int, reset: int) -> dict[str, str]:
    """The RateLimit-* headers the PDS sends with every answer."""
    return {
        "RateLimit-Limit": str(limit),
        "RateLimit-Remaining": str(max(0, remaining)),
        "RateLimit-Reset": str(reset),
        "RateLimit-Policy": f"{limit};w={WINDOW}",
    }
