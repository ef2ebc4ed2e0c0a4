"""Logging in to a Discourse forum from a terminal, and the headers each key sends.

Two kinds of key (../shared/NETWORKS.md):

- A User API key, which the brand account's owner approves on the forum at
  ``/user-api-key/new``. Without a redirect the forum shows the key as a
  payload encrypted to the public key we sent (RSA, PKCS#1 v1.5, base64); it
  is pasted back here and decrypted with the private key, which lives only in
  memory for the minute the flow takes. Sent as ``User-Api-Key`` with
  ``User-Api-Client-Id``.
- An admin API key from the forum's admin panel, sent as ``Api-Key`` with
  ``Api-Username`` (the brand account the key acts as).
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets as random_secrets
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from cm_inbox.networks.base import NeedsLogin

APPLICATION_NAME = "cm-inbox"
# read: topics and posts; write: replies and flags; notifications: the inbox
# and marking it read; session_info: who the key belongs to (verify).
SCOPES = "read,write,notifications,session_info"


def normalize_site(site: str) -> str:
    """The base every path is joined to: "forum.lumo.app/" becomes "https://forum.lumo.app"."""
    site = site.strip().rstrip("/")
    if not site.startswith(("https://", "http://")):
        site = "https://" + site
    return site


def auth_headers(settings: Mapping[str, str], secret_of) -> dict[str, str]:
    """The headers that authenticate one request, from the account's settings and secrets.

    ``settings["username"]`` set means an admin key acting as that user;
    otherwise a User API key with its client id.
    """
    username = settings.get("username")
    if username:
        key = secret_of("api_key")
        if not key:
            raise NeedsLogin("no API key saved for this account; add it again")
        return {"Api-Key": key, "Api-Username": username}
    key = secret_of("user_api_key")
    if not key:
        raise NeedsLogin("no User API key saved for this account; add it again")
    headers = {"User-Api-Key": key}
    if settings.get("client_id"):
        headers["User-Api-Client-Id"] = settings["client_id"]
    return headers


@dataclass(frozen=True, slots=True)
class UserApiKeyRequest:
    """One approval request: the page to open, and what reads the pasted answer."""

    site: str
    client_id: str
    nonce: str
    private_key_pem: bytes  # never saved: it only decrypts this one answer

    @property
    def authorize_url(self) -> str:
        return f"{self.site}/user-api-key/new?" + urlencode(
            {
                "application_name": APPLICATION_NAME,
                "client_id": self.client_id,
                "scopes": SCOPES,
                "public_key": self.public_key_pem().decode(),
                "nonce": self.nonce,
            }
        )

    def public_key_pem(self) -> bytes:
        from cryptography.hazmat.primitives import serialization

        key = serialization.load_pem_private_key(self.private_key_pem, password=None)
        return key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def read_payload(self, pasted: str) -> str:
        """The key inside the pasted payload; NeedsLogin says what is wrong with a bad paste."""
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import padding

        compact = "".join(pasted.split())
        try:
            sealed = base64.b64decode(compact, validate=True)
        except (binascii.Error, ValueError):
            raise NeedsLogin("the pasted text is not the forum's payload (not base64)") from None
        key = serialization.load_pem_private_key(self.private_key_pem, password=None)
        try:
            opened = key.decrypt(sealed, padding.PKCS1v15())  # type: ignore[union-attr]
            answer = json.loads(opened)
        except (ValueError, TypeError):
            raise NeedsLogin(
                "the payload does not open with this request's key; "
                "paste the text the forum showed for this very approval"
            ) from None
        if not isinstance(answer, Mapping) or answer.get("nonce") != self.nonce:
            raise NeedsLogin("the payload answers another approval request (nonce differs)")
        user_key = answer.get("key")
        if not isinstance(user_key, str) or not user_key:
            raise NeedsLogin("the payload carries no key")
        return user_key


def new_request(site: str) -> UserApiKeyRequest:
    """A fresh key pair, client id and nonce for one approval."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return UserApiKeyRequest(
        site=normalize_site(site),
        client_id="cm-inbox-" + random_secrets.token_hex(16),
        nonce=random_secrets.token_hex(16),
        private_key_pem=pem,
    )


def seal_payload(public_key_pem: bytes, key: str, nonce: str) -> str:
    """What the forum shows after approval: ``{"key", "nonce", "push", "api"}`` encrypted
    to our public key. The sandbox twin answers with it, and tests build one."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    public = serialization.load_pem_public_key(public_key_pem)
    body = json.dumps({"key": key, "nonce": nonce, "push": False, "api": 4}).encode()
    sealed = public.encrypt(body, padding.PKCS1v15())  # type: ignore[union-attr]
    return base64.b64encode(sealed).decode()
