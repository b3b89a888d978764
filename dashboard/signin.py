"""Is sign-in configured, and is an address loopback? (Pure functions, no Streamlit import.)

Sign-in is Streamlit's own OpenID Connect flow (``st.login``, Authlib), set up
in the ``[auth]`` section of ``.streamlit/secrets.toml``::

    [auth]
    redirect_uri = "https://inspections.example.gov.cn/oauth2callback"
    cookie_secret = "a long random string"
    client_id = "..."
    client_secret = "..."
    server_metadata_url = "https://idp.example.gov.cn/.well-known/openid-configuration"

Without it the dashboard is a single-user local tool and must only listen on
a loopback address; ``scheduler dashboard`` asks ``signin_configured`` before
it agrees to listen anywhere else.
"""

from __future__ import annotations

import ipaddress
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["PROVIDER_KEYS", "auth_configured", "secrets_files", "signin_configured", "is_loopback"]

PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
"""What ``st.login`` needs of a provider, besides ``redirect_uri`` and ``cookie_secret``."""


def auth_configured(auth: Mapping[str, Any] | None) -> bool:
    """Whether an ``[auth]`` section is complete enough for ``st.login()`` to work."""
    if not auth or not auth.get("redirect_uri") or not auth.get("cookie_secret"):
        return False
    if all(auth.get(k) for k in PROVIDER_KEYS):
        return True
    return any(
        isinstance(section, Mapping) and all(section.get(k) for k in PROVIDER_KEYS)
        for section in auth.values()
    )


def secrets_files(cwd: Path | None = None) -> tuple[Path, ...]:
    """Where Streamlit looks for secrets by default: the working folder, then the home folder."""
    return ((cwd or Path.cwd()) / ".streamlit" / "secrets.toml",) + (
        Path.home() / ".streamlit" / "secrets.toml",
    )


def signin_configured(cwd: Path | None = None) -> bool:
    """Whether a secrets file Streamlit will read holds a complete ``[auth]`` section."""
    for path in secrets_files(cwd):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
            continue
        if auth_configured(data.get("auth")):
            return True
    return False


def is_loopback(address: str | None) -> bool:
    """``127.0.0.1``, ``::1`` and ``localhost`` are loopback; ``0.0.0.0`` and ``""`` are not."""
    if not address:
        return False
    if address.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip().strip("[]")).is_loopback
    except ValueError:
        return False
