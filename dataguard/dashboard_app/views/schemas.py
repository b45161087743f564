"""Schemas: the versions of a dataset's schema and a readable diff between any two."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dataguard.dashboard_app import data, ui
from dataguard.errors import DataguardError

url, key, summary = ui.open_source()
dataset = ui.pick("Dataset", list(summary["dataset"]), "dataset")
assert dataset is not None
versions = data.schema_versions(url, key, dataset)
st.title(f"Schemas of {dataset}")
if not versions:
    st.info(f"No schema yet: `dataguard schema infer {dataset}` writes version 1.")
    st.stop()

st.dataframe(
    pd.DataFrame([
        {"version": v.version, "created_at": v.created_at, "parent": v.parent_version,
         "message": v.message, "sha256": v.sha256[:12], "path": v.path}
        for v in reversed(versions)
    ]),
    hide_index=True,
    column_config={
        "created_at": st.column_config.DatetimeColumn("created", format="YYYY-MM-DD HH:mm"),
    },
)

numbers = [str(v.version) for v in reversed(versions)]
by_number = {str(v.version): v for v in versions}
left, right = st.columns(2)
with left:
    old = st.selectbox("From version", numbers, index=min(1, len(numbers) - 1), key="from",
                       bind="query-params")
with right:
    new = st.selectbox("To version", numbers, index=0, key="to", bind="query-params")

a, b = by_number[old or numbers[-1]], by_number[new or numbers[0]]
try:
    text_a, text_b = data.schema_text(a.path, a.sha256), data.schema_text(b.path, b.sha256)
except DataguardError as exc:
    st.error(f"Cannot read the schema file: {exc}")
    st.stop()

if a.version == b.version:
    st.caption(f"Version {a.version} ({a.path})")
    st.code(text_a, language="protobuf")
else:
    st.subheader(f"v{a.version} → v{b.version}")
    try:
        changes = data.schema_changes(text_a, text_b, f"v{a.version}", f"v{b.version}")
    except DataguardError as exc:
        st.error(str(exc))
        changes = []
    if changes:
        st.dataframe(pd.DataFrame(changes), hide_index=True)
    else:
        st.success("No feature-level differences.")
    with st.expander("Text diff"):
        st.code(data.text_diff(text_a, text_b, f"v{a.version}", f"v{b.version}") or "(identical)",
                language="diff")
