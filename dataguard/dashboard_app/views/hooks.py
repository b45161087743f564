"""Hooks: recent alert / trigger deliveries and the ones that failed."""

from __future__ import annotations

import streamlit as st

from dataguard.dashboard_app import data, ui

url, key, summary = ui.open_source()
dataset = ui.pick("Dataset", list(summary["dataset"]), "dataset", placeholder="all datasets")
st.title("Hook deliveries" + (f" of {dataset}" if dataset else ""))
deliveries = data.deliveries(url, key, dataset)
if deliveries.empty:
    st.info(
        "No hook deliveries recorded. Configure `[[hooks]]` in dataguard.toml and try one with "
        "`dataguard hooks test NAME`."
    )
    st.stop()

failed = deliveries[deliveries["status"] != "delivered"]
cols = st.columns(3)
cols[0].metric("deliveries", len(deliveries))
cols[1].metric("failed", len(failed))
cols[2].metric("hooks", deliveries["hook"].nunique())
if not failed.empty:
    st.subheader("Failures")
    st.dataframe(failed, hide_index=True, column_order=[
        "created_at", "hook", "dataset", "batch", "verdict", "attempts", "last_error"])
st.subheader("Recent deliveries")
shown = deliveries.copy()
shown["verdict"] = [ui.verdict_label(v) for v in shown["verdict"]]
st.dataframe(shown, hide_index=True, column_order=[
    "created_at", "hook", "dataset", "batch", "verdict", "status", "attempts", "delivered_at",
    "last_error"])
