"""Overview: every dataset at a glance — latest batch, verdict, anomalies, age, recent verdicts."""

from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd
import streamlit as st

from dataguard.dashboard_app import charts, data, nav, ui

url, key, summary = ui.open_source()
now = datetime.now(timezone.utc)
config = data.settings()


def stale_after_hours(dataset: str) -> float:
    """``[dashboard] stale_after_hours`` (default 48), per dataset under ``[datasets.<name>]``."""
    default = config.section("dashboard").get("stale_after_hours", 48)
    return float(config.section("datasets", dataset).get("stale_after_hours", default))


table = summary.copy()
batch_at = pd.to_datetime(table["batch_at"], utc=True)
age_hours = (now - batch_at).dt.total_seconds() / 3600
table["stale"] = [
    bool(h > stale_after_hours(d)) for d, h in zip(table["dataset"], age_hours, strict=True)
]
table["age"] = [ui.age_text(t.to_pydatetime() if pd.notna(t) else None, now) for t in batch_at]
table["status"] = [ui.verdict_label(v if isinstance(v, str) else None) for v in table["verdict"]]
table["recent verdicts"] = [ui.verdict_bars(r) for r in table["recent"]]
table["open"] = [nav.relative_url("dataset", {"dataset": d}) for d in table["dataset"]]
table["checked"] = [
    "(not checked)" if not isinstance(c, str) else (c if c != b else "latest")
    for c, b in zip(table["checked_batch"], table["batch"], strict=True)
]
rank = {"fail": 0, "warn": 1, "pass": 3}
table["_rank"] = [rank.get(v, 2) for v in table["verdict"]]
table["_fresh"] = ~table["stale"]
table = table.sort_values(["_rank", "_fresh", "dataset"], kind="stable").reset_index(drop=True)

st.title("Data quality overview")
failing = int((table["verdict"] == "fail").sum())
warning = int((table["verdict"] == "warn").sum())
stale = table[table["stale"]]
cols = st.columns(4)
cols[0].metric("datasets", len(table))
cols[1].metric("failing", failing)
cols[2].metric("warning", warning)
cols[3].metric("stale", len(stale))
if not stale.empty:
    st.warning(
        "Stale — no new batch for longer than expected: "
        + ", ".join(f"`{d}` ({a})" for d, a in zip(stale["dataset"], stale["age"], strict=True))
    )

shown = ["status", "dataset", "batch", "age", "stale", "checked", "anomalies", "recent verdicts",
         "open"]


def highlight(frame: pd.DataFrame) -> pd.DataFrame:
    """Verdict cells coloured, the age of stale datasets marked."""
    css = pd.DataFrame("", index=frame.index, columns=frame.columns)
    css["status"] = [ui.verdict_style(v) for v in frame["status"]]
    css.loc[frame["stale"].astype(bool), "age"] = "background-color: #fdebc8; font-weight: bold"
    return css


styled = table[shown].style.apply(highlight, axis=None)
st.dataframe(
    styled,
    hide_index=True,
    column_config={
        "status": st.column_config.TextColumn("verdict", width="small"),
        "batch": st.column_config.TextColumn("latest batch"),
        "age": st.column_config.TextColumn("last batch"),
        "stale": st.column_config.CheckboxColumn("stale", width="small"),
        "checked": st.column_config.TextColumn(
            "verdict of", help="the batch the verdict belongs to: the latest, or an older one "
            "when the latest batch has not been checked yet"),
        "anomalies": st.column_config.NumberColumn("anomalies", format="%d", width="small"),
        "recent verdicts": st.column_config.TextColumn(
            "recent verdicts", help="oldest → newest: ✔ pass, ▲ warn, ✖ fail"),
        "open": st.column_config.LinkColumn("details", display_text="open ›", width="small"),
    },
)

grid = pd.DataFrame(
    [
        {"dataset": d, "position": i - len(r), "verdict": v}
        for d, r in zip(table["dataset"], table["recent"], strict=True)
        for i, v in enumerate(r)
    ]
)
if not grid.empty:
    st.subheader("Recent verdicts")
    st.altair_chart(charts.verdict_grid(grid), width="content")

with st.sidebar:
    st.caption("Datasets")
    for dataset, verdict in zip(table["dataset"], table["verdict"], strict=True):
        label = ui.verdict_label(verdict if isinstance(verdict, str) else None)
        nav.link("dataset", f"{dataset} · {label}", {"dataset": dataset})
st.caption(f"Store: {data.safe_url(url)} · read-only · refreshed on every new check")
