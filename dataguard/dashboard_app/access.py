"""Who may see the dashboard: Streamlit's OIDC login when ``[auth]`` is in secrets.toml.

Without ``[auth]`` the app is open to whoever reaches its port: keep it on 127.0.0.1 or behind
the oauth2-proxy set-up in ``deploy/dashboard/``. With it, people log in with the identity
provider and, when ``[access]`` lists them, only these e-mail addresses / domains get in::

    [auth]                       # Streamlit's own OIDC settings (st.login)
    redirect_uri = "https://dataguard.example.com/oauth2callback"
    cookie_secret = "…"
    client_id = "…"
    client_secret = "…"
    server_metadata_url = "https://accounts.google.com/.well-known/openid-configuration"

    [access]                     # dataguard's allow-list (optional)
    allowed_domains = ["example.com"]
    allowed_emails = ["oncall@partner.org"]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st


def secrets_section(name: str) -> Mapping[str, Any]:
    """A table of secrets.toml, ``{}`` when there is no such table or no secrets file at all."""
    try:
        return dict(st.secrets[name]) if name in st.secrets else {}
    except Exception:  # no secrets.toml anywhere: Streamlit raises its own not-found error
        return {}


def email_allowed(email: str | None, rules: Mapping[str, Any]) -> bool:
    emails = {e.lower() for e in rules.get("allowed_emails", [])}
    domains = {d.lower().lstrip("@") for d in rules.get("allowed_domains", [])}
    if not emails and not domains:
        return True
    email = (email or "").lower()
    return email in emails or email.rpartition("@")[2] in domains


def allowed() -> bool:
    """True when the viewer may see the pages; otherwise renders the login / refusal and False."""
    if not secrets_section("auth"):
        return True
    rules = secrets_section("access")
    if not st.user.get("is_logged_in", False):
        st.title("dataguard")
        st.write("Log in to see the data quality of your datasets.")
        provider = rules.get("provider")
        st.button("Log in", on_click=st.login, args=(provider,) if provider else ())
        return False
    email = st.user.get("email")
    if not email_allowed(str(email) if email else None, rules):
        st.error(f"{email} may not see this dashboard; ask its owner to add you to [access].")
        st.button("Log out", on_click=st.logout)
        return False
    with st.sidebar:
        st.caption(f"Logged in as {email}")
        st.button("Log out", on_click=st.logout)
    return True
