"""Management tokens (reference §1.3): HS256 JWTs signed with the app secret."""

from __future__ import annotations

import time
import uuid
import warnings
from dataclasses import dataclass, field

import jwt

# The app secret is 100ms's to choose, not ours: PyJWT's length advice is noise here.
warnings.filterwarnings("ignore", category=getattr(jwt.warnings, "InsecureKeyLengthWarning", UserWarning), module="jwt")

VALIDITY_SECONDS = 24 * 3600
BACKDATE_SECONDS = 10  # the SDK's allowance for clock skew between us and 100ms
REFRESH_MARGIN_SECONDS = 300  # sign a new token this long before the old one expires


def management_token(access_key: str, secret: str, now: float | None = None, validity: int = VALIDITY_SECONDS) -> str:
    issued = int(now if now is not None else time.time()) - BACKDATE_SECONDS
    claims = {
        "access_key": access_key,
        "type": "management",
        "version": 2,
        "iat": issued,
        "nbf": issued,
        "exp": issued + validity,
        "jti": str(uuid.uuid4()),
    }
    # §1.3: the secret is used as its raw UTF-8 bytes, not base64-decoded.
    return jwt.encode(claims, secret.encode(), algorithm="HS256")


@dataclass
class TokenSource:
    """A cached token, signed again before it expires (the SDK's check is off by
    one margin: it refreshes 30 s *after* expiry; we refresh before)."""

    access_key: str | None = None
    secret: str | None = field(default=None, repr=False)
    fixed_token: str | None = field(default=None, repr=False)
    validity: int = VALIDITY_SECONDS
    _token: str | None = field(default=None, repr=False)
    _expires: float = 0.0

    def __post_init__(self) -> None:
        if self.fixed_token is None and not (self.access_key and self.secret):
            raise ValueError("a token source needs access_key and secret, or a ready token")

    @property
    def can_refresh(self) -> bool:
        return self.fixed_token is None

    def token(self, now: float | None = None) -> str:
        if self.fixed_token is not None:
            return self.fixed_token
        current = time.time() if now is None else now
        if self._token is None or self._expires - REFRESH_MARGIN_SECONDS <= current:
            assert self.access_key is not None and self.secret is not None  # __post_init__ checked
            self._token = management_token(self.access_key, self.secret, current, self.validity)
            self._expires = current - BACKDATE_SECONDS + self.validity
        return self._token

    def invalidate(self) -> None:
        self._token = None
