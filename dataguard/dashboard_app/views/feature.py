"""Feature trends: every stored series of one feature by batch, each in the control band a check
judges it by (``core.trends``, the dataset's ``trend_window``), out-of-control points red and
listed; above them the dataset's row count. Store rows only — the batches' profiles and the
checks' drift metrics — never a statistics artifact (365 of them would not load in 2 s).

    /feature?dataset=taxi&feature=fare
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dataguard.dashboard_app import data, nav, trendline, ui

url, key, summary = ui.open_source()
dataset = ui.pick("Dataset", list(summary["dataset"]), "dataset")
assert dataset is not None
config = data.trend_config(dataset)
drift = data.metrics(url, key, dataset, "drift")
measured = set(drift["feature"]) - {""} if not drift.empty else set()
feature = ui.pick("Feature", sorted(measured | set(data.profile_features(url, key, dataset))),
                  "feature")
st.title(f"{dataset} · {feature}" if feature else f"{dataset} · feature trends")

listed = data.batches(url, key, dataset)
training = list(listed.loc[listed["role"] == "training", "name"]) if not listed.empty else []
profiled = set(data.profiles(url, key, dataset, "")["batch"])
unprofiled = [n for n in training if n not in profiled]
if unprofiled:
    st.info(f"{len(unprofiled)} of {len(training)} training batches have no profile yet "
            "(recorded before store revision 0005): their statistics are missing from these "
            "series until a trend check needs them or `dataguard admin backfill-profiles` runs.")

# (title, feature, series as data.trend names it)
wanted = [("num_examples (dataset)", "", data.BATCH_SERIES)]
if feature:
    wanted += [(stat, feature, stat)
               for stat in data.profiled_statistics(url, key, dataset, feature)]
    methods = drift.loc[drift["feature"] == feature, "method"] if not drift.empty else []
    wanted += [(f"{m} drift", feature, m) for m in sorted(set(methods))]
else:
    st.info("No profiled or measured feature yet: `dataguard stats` records a batch's profile.")

outside = []
columns = st.columns(2)
for n, (title, name, series) in enumerate(wanted):
    frame = data.trend(url, key, dataset, "drift", name, series, config.window)
    where = columns[n % 2]
    where.markdown(f"**{title}**")
    if frame.empty:
        where.caption("No value of this series yet.")
        continue
    where.vega_lite_chart(data.trend_chart(url, key, dataset, "drift", name, series,
                                           config.window, title), width="stretch")
    outside.append(frame[frame["out"]].assign(series=title))

st.caption(
    f"{trendline.band_text(config)} Statistics are judged on both sides, drift from above "
    "only; red points are what a check of that batch flags as `TREND_OUT_OF_CONTROL`."
    + trendline.off_text(config, feature)
)
out = pd.concat(outside, ignore_index=True) if outside else pd.DataFrame()
if not out.empty:
    st.subheader(f"Out of control ({len(out)})")
    out["open"] = [nav.relative_url("batch", {"dataset": dataset, "batch": str(b)})
                   for b in out["batch"]]
    st.dataframe(
        out, hide_index=True, key="feature_out",
        column_order=["series", "batch", "value", "low", "high", "center", "history", "open"],
        column_config={
            **{c: st.column_config.NumberColumn(format="%.4g")
               for c in ("value", "low", "high", "center")},
            "center": st.column_config.NumberColumn("median", format="%.4g"),
            "history": st.column_config.NumberColumn("past values", format="%d"),
            "open": st.column_config.LinkColumn("batch", display_text="open ›"),
        },
    )
nav.link("dataset", f"All checks of {dataset} ›", {"dataset": dataset})
