"""Dataset: verdicts over time, drift/skew distances per feature against thresholds, row counts."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dataguard.core import distances
from dataguard.core.trends import FEATURE_STATISTICS
from dataguard.dashboard_app import charts, data, nav, trendline, ui

url, key, summary = ui.open_source()
dataset = ui.pick("Dataset", list(summary["dataset"]), "dataset")
assert dataset is not None
comparison = ui.pick("Comparison", ["drift", "skew"], "comparison")

st.title(f"Dataset {dataset}")
history = data.checks(url, key, dataset)
if history.empty:
    st.info("No check of this dataset yet: `dataguard check` records one.")
else:
    latest = history.iloc[-1]
    cols = st.columns(4)
    cols[0].metric("latest verdict", ui.verdict_label(latest["verdict"]))
    cols[1].metric("latest batch", str(latest["batch"]))
    cols[2].metric("checks", len(history))
    cols[3].metric("failed checks", int((history["verdict"] == "fail").sum()))
    st.subheader("Verdicts over time")
    st.altair_chart(charts.verdict_timeline(history), width="stretch")


def feature_order(points: pd.DataFrame) -> pd.DataFrame:
    """Per feature: times exceeded, worst value / threshold, latest value — exceeded first."""
    ratio = points["value"] / points["threshold"].where(points["threshold"] > 0)
    frame = points.assign(ratio=ratio)
    last = frame.sort_values("created_at", kind="stable").groupby("feature").tail(1)
    grouped = frame.groupby("feature").agg(
        exceeded=("exceeded", "sum"), worst=("ratio", "max"), method=("method", "last"))
    grouped = grouped.join(last.set_index("feature")[["value", "threshold"]])
    grouped = grouped.rename(columns={"value": "latest value", "threshold": "latest threshold"})
    grouped["exceeded"] = grouped["exceeded"].astype(int)
    return grouped.sort_values(["exceeded", "worst"], ascending=False).reset_index()


points = data.metrics(url, key, dataset, comparison)
# one line per feature: TFDV's comparator (PSI, Hellinger, … are in each batch's measurements)
hidden = ["num_examples", *distances.METHODS]
points = points[~points["method"].isin(hidden)] if not points.empty else points
st.subheader(f"{(comparison or 'drift').capitalize()} per feature")
if points.empty:
    st.info(
        f"No {comparison} measurements yet. Drift needs a baseline (a training batch named "
        "before it); skew needs `check --serving BATCH` (or `run --serving-input`)."
    )
else:
    order = feature_order(points)
    top = order["feature"].tolist()
    default = [f for f in top if order.set_index("feature").loc[f, "exceeded"] > 0][:6] or top[:4]
    chosen = st.multiselect("Features (the ones that exceeded their threshold first)", top,
                            default=default)
    if chosen:
        shown = points[points["feature"].isin(chosen)].sort_values("created_at")
        st.altair_chart(charts.metric_lines(shown, order=chosen), width="content")
    st.dataframe(
        order, hide_index=True,
        column_config={
            "exceeded": st.column_config.NumberColumn("times exceeded", format="%d"),
            "worst": st.column_config.NumberColumn("worst value / threshold", format="%.2f"),
            "latest value": st.column_config.NumberColumn(format="%.4f"),
            "latest threshold": st.column_config.NumberColumn(format="%.4f"),
        },
    )



def trends_section(ds: str, all_points: pd.DataFrame) -> None:
    """One series by batch in the control band a check judges it by (``core.trends``): the
    row count, a feature's profile statistics or one of its drift/skew methods."""
    st.subheader("Trends")
    config = data.trend_config(ds)
    measured = set(all_points["feature"]) if not all_points.empty else set()
    features = sorted(measured | set(data.profile_features(url, key, ds)))
    feature = ui.pick("Feature", ["(dataset)", *features], "trend_feature", sidebar=False)
    if feature == "(dataset)" or feature is None:
        name, options = "", [data.BATCH_SERIES]
    else:
        name = feature
        options = data.profiled_statistics(url, key, ds, feature) + sorted(
            set(all_points.loc[all_points["feature"] == feature, "method"]))
        nav.link("feature", f"Every series of {feature} ›", {"dataset": ds, "feature": feature})
    series = ui.pick("Series", options, "series", sidebar=False)
    if series is None:
        return
    frame = data.trend(url, key, ds, comparison or "drift", name, series, config.window)
    if frame.empty:
        st.info("No value of this series yet.")
        return
    st.vega_lite_chart(data.trend_chart(url, key, ds, comparison or "drift", name, series,
                                        config.window, series), width="stretch")
    out = frame[frame["out"]]
    side = "outside" if series == data.BATCH_SERIES or series in FEATURE_STATISTICS else "above"
    st.caption(
        f"{trendline.band_text(config)} {len(out)} of {len(frame)} points {side} it (red)"
        + ("." if side == "outside" else "; distances are judged from above only.")
        + trendline.off_text(config, name)
        + (" Checks judge drift series only; skew is shown with the same rule."
           if comparison == "skew" and side == "above" else "")
    )
    if not out.empty:
        st.dataframe(out[["batch", "value", "low", "high", "center", "history"]],
                     hide_index=True, key="trend_out")


trends_section(dataset, data.metrics(url, key, dataset, comparison))

batches = data.batches(url, key, dataset)
if not batches.empty:
    st.subheader("Rows per batch")
    st.altair_chart(charts.row_counts(batches), width="stretch")

if not history.empty:
    st.subheader("Checks")
    recent = history.iloc[::-1].head(100).copy()
    recent["verdict"] = [ui.verdict_label(v) for v in recent["verdict"]]
    recent["open"] = [nav.relative_url("batch", {"dataset": dataset, "batch": str(b)})
                      for b in recent["batch"]]
    st.dataframe(
        recent, hide_index=True,
        column_order=["created_at", "batch", "verdict", "anomalies", "num_examples", "open"],
        column_config={
            "created_at": st.column_config.DatetimeColumn("checked at", format="YYYY-MM-DD HH:mm"),
            "open": st.column_config.LinkColumn("details", display_text="open ›"),
        },
    )
    nav.link("batch", f"Latest batch: {latest['batch']} ›",
             {"dataset": dataset, "batch": str(latest["batch"])})
