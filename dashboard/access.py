"""Sign-in and roles in the dashboard: the gate before navigation and the check inside pages.

Who the user is comes from Streamlit's OpenID Connect sign-in (``st.login``,
``st.user``); what they may do comes from the users table
(``scheduler.access.users.find_user``) and the one policy function
``scheduler.access.policy.may``. Navigation offers only the pages a role may use
(``PAGE_ACTIONS``), and every page asks again (``require``, ``allowed``)
before it shows or does anything: a hidden page reached by its URL still
refuses.

Without sign-in configured the dashboard is single-user local mode: the one
user is ``LOCAL_USER`` (admin), and it refuses to serve a client that is not
on this machine.
"""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import t
from dashboard.signin import auth_configured, is_loopback
from scheduler.access.policy import LOCAL_USER, User, may

__all__ = [
    "PAGE_ACTIONS",
    "signin_enabled",
    "current_user",
    "gate",
    "allowed",
    "require",
]

PAGE_ACTIONS: dict[str, str] = {
    # url path of the page (dashboard.views.PAGES) -> action needed to be offered it
    "overview": "view_overview",
    "import": "import",
    "plans": "view_plans",
    "draw": "view_plans",
    "matching": "view_plans",
    "exports": "view_public",
    "publication": "record_results",
    "simulation": "simulate",
    "audit": "view_audit",
}


def signin_enabled() -> bool:
    """Whether ``.streamlit/secrets.toml`` configures an identity provider."""
    try:
        auth = st.secrets.get("auth")
    except (FileNotFoundError, OSError, st.errors.StreamlitSecretNotFoundError):
        return False
    return auth_configured(auth)


def _signed_in_email() -> str | None:
    """The e-mail the provider vouches for; one it marks as unverified does not count."""
    if not st.user.is_logged_in or st.user.get("email_verified") is False:
        return None
    email = st.user.get("email")
    return str(email) if email else None


def current_user() -> User | None:
    """The user of this session: ``LOCAL_USER`` in local mode, the listed user, else ``None``."""
    if not signin_enabled():
        return LOCAL_USER
    from dashboard.connection import engine
    from scheduler.access.users import find_user

    return find_user(engine(), _signed_in_email())


def _local_mode_refused() -> bool:
    """Local mode serves this machine only: refuse a non-loopback bind or a remote client."""
    address = st.get_option("server.address")
    if address:
        return not is_loopback(address)
    client = st.context.ip_address  # None for a client on this machine
    return isinstance(client, str) and bool(client) and not is_loopback(client)


def gate() -> User:
    """Before navigation: sign in, or say why there is no access; returns the user otherwise."""
    if not signin_enabled():
        if _local_mode_refused():
            st.error(
                t(
                    "Sign-in is not configured, so this dashboard only serves this computer "
                    "(127.0.0.1). Configure sign-in in .streamlit/secrets.toml to serve others."
                )
            )
            st.stop()
        st.sidebar.caption(t("Local single-user mode: listening on 127.0.0.1 only, no sign-in."))
        return LOCAL_USER
    email = _signed_in_email()
    if email is None and st.user.is_logged_in:
        st.error(t("The identity provider did not give a verified e-mail; access is refused."))
        st.button(t("Sign out"), on_click=st.logout, key="access__logout_unverified")
        st.stop()
    if email is None:
        st.title("双随机、一公开")
        st.info(t("Sign in with your city account to use the dashboard."))
        st.button(t("Sign in"), type="primary", on_click=st.login, key="access__login")
        st.stop()
    user = current_user()
    if user is None:
        st.error(
            t(
                "{email} is signed in but has no access to this dashboard. "
                "Ask the 信用办 administrator to add you (scheduler users add).",
                email=email,
            )
        )
        st.button(t("Sign out"), on_click=st.logout, key="access__logout_denied")
        st.stop()
    with st.sidebar:
        scope = "、".join(sorted(user.departments))
        st.caption(
            t("Signed in as {email} ({role})", email=user.email, role=t(f"role:{user.role}"))
            + (f" · {scope}" if scope else "")
        )
        st.button(t("Sign out"), on_click=st.logout, key="access__logout")
    return user


def allowed(action: str, department: str | None = None) -> bool:
    """``may`` for the user of this session."""
    return may(current_user(), action, department)


def require(action: str, department: str | None = None) -> User:
    """Stop the page with a clear message unless the user may do ``action``."""
    user = current_user()
    if not may(user, action, department):
        st.error(t("Your role does not allow this page or action."))
        st.stop()
    assert user is not None
    return user
