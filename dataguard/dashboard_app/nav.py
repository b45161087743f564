"""The pages and their URLs: ``/batch?dataset=taxi&batch=2026-11-25`` is what alerts link to."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from dataguard.dashboard_app import PAGES_DIR

# url_path == file stem, so AppTest.switch_page("views/<name>.py") finds the same page.
PAGES = {
    "overview": ("Overview", ":material/monitoring:"),
    "dataset": ("Dataset", ":material/timeline:"),
    "batch": ("Batch / check", ":material/fact_check:"),
    "feature": ("Feature trends", ":material/show_chart:"),
    "schemas": ("Schemas", ":material/schema:"),
    "hooks": ("Hooks", ":material/notifications:"),
}


def page(name: str) -> StreamlitPage:
    title, icon = PAGES[name]
    return st.Page(
        PAGES_DIR / f"{name}.py", title=title, icon=icon, url_path=name, default=name == "overview"
    )


def all_pages() -> list[StreamlitPage]:
    return [page(name) for name in PAGES]


def link(name: str, label: str, params: Mapping[str, str] | None = None) -> None:
    """A link to another page carrying its selection in the URL (``st.page_link``)."""
    st.page_link(page(name), label=label, query_params=dict(params or {}))


def relative_url(name: str, params: Mapping[str, str]) -> str:
    """``dataset?dataset=taxi``: a link (table cell) relative to the app's base URL path."""
    return f"{name}?{urlencode(dict(params))}"


def batch_url(base_url: str, dataset: str, batch: str) -> str:
    """The link alert hooks put in messages (``settings.dashboard_url`` + this)."""
    return f"{base_url.rstrip('/')}/{relative_url('batch', {'dataset': dataset, 'batch': batch})}"
