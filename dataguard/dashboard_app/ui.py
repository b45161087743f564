"""Small rendering helpers shared by the pages: URL-bound pickers, verdict badges, first run."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone

import pandas as pd
import streamlit as st

from dataguard.core.labels import DASHBOARD
from dataguard.dashboard_app import data
from dataguard.errors import DataguardError

VERDICT_BACKGROUND = {"pass": "#d9f2de", "warn": "#fdebc8", "fail": "#f9d3d3"}


def pick(
    label: str, options: Sequence[str], key: str, *, placeholder: str | None = None,
    sidebar: bool = True,
) -> str | None:
    """A selectbox whose choice lives in the URL (``?<key>=…``) so links open the same view.

    With a placeholder, no choice (and no parameter) means "the default" (e.g. the latest batch),
    so a bookmarked link keeps meaning what it said; without one, the first option is the default.
    """
    where = st.sidebar if sidebar else st
    return where.selectbox(
        label, list(options), index=None if placeholder else 0, key=key, bind="query-params",
        placeholder=placeholder or "", format_func=str,
    )


def verdict_label(verdict: str | None) -> str:
    """``✔ pass``, ``▲ warn``, ``✖ fail``; ``○ not checked`` (``core.labels``)."""
    return DASHBOARD.verdict(verdict)


def verdict_bars(verdicts: Sequence[str]) -> str:
    """The overview's sparkline, oldest first, one symbol per check (a one-colour bar chart
    would paint a passing dataset red)."""
    return " ".join(DASHBOARD.verdict_mark(v) for v in verdicts)


def verdict_style(label: object) -> str:
    """CSS for a verdict cell (pandas Styler), from the verdict word in the label."""
    word = str(label).split(" ")[-1]
    color = VERDICT_BACKGROUND.get(word)
    return f"background-color: {color}" if color else ""


def age_text(when: datetime | None, now: datetime | None = None) -> str:
    if when is None:
        return "never"
    now = now or datetime.now(timezone.utc)
    when = when if when.tzinfo else when.replace(tzinfo=timezone.utc)
    seconds = max(0.0, (now - when).total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f} {unit} ago"
    return "just now"


def first_run(store_url: str) -> None:
    """What an empty store shows instead of an error: how to put something in it."""
    st.title("Welcome to dataguard")
    st.info("This store has no datasets yet. Run the demo, or record your first batch.")
    st.markdown("**See everything in two minutes** (the TFX taxi data, its own store):")
    st.code("dataguard demo\ndataguard --store sqlite:///.dataguard/demo/dataguard.db dashboard",
            language="bash")
    st.markdown("**Or start monitoring your own data:**")
    st.code(
        "dataguard stats taxi 2026-11-24 --input data/day1.csv\n"
        "dataguard schema infer taxi\n"
        "dataguard run taxi 2026-11-25 --input data/day2.csv",
        language="bash",
    )
    st.caption("Store read by this dashboard:")
    st.code(store_url, language=None)


def open_source() -> tuple[str, int, pd.DataFrame]:
    """Store URL, cache key and dataset overview; an empty store shows the first-run page."""
    url, store = data.store_or_stop()
    try:
        key = data.cache_key(store)
        summary = data.overview(url, key)
    except DataguardError as exc:  # the database went away, or was never migrated
        st.error(f"Cannot read the store {data.safe_url(url)}: {exc}")
        st.stop()
    if summary.empty:
        first_run(data.safe_url(url))
        st.stop()
    return url, key, summary
